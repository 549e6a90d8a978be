/**
 * Package content (flat container): version lists, .nupkg and .nuspec downloads, and the embedded readme,
 * icon and license files. Restore reads only these.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { sendNotFound } from '../request-context.ts';
import type { PackageFileKind } from '../../app/packages/read-package.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { VERSION_LIST_DOCUMENT } from '../../protocol/nuget/read-documents.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function registerPackageContentRoutes(server: FastifyInstance, deps: RouteDependencies): void {
  // https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
  readRoute<{ Params: { id: string } }>(server, '/v3/package/:id/index.json', async (request, reply) => {
    const idLower = lowerPackageId(request.params.id);
    if (await deps.documents.send(request, reply, deps.urlsFor(request), { idLower, name: VERSION_LIST_DOCUMENT, gzip: false })) return reply;
    return sendNotFound(reply, `Package '${request.params.id}'`);
  });

  // https://learn.microsoft.com/nuget/api/package-base-address-resource#download-package-content-nupkg
  readRoute<{ Params: { id: string; version: string; file: string } }>(server, '/v3/package/:id/:version/:file', async (request, reply) => {
    const { id, version, file } = request.params;
    const kind = fileKind(id, version, file);
    if (!kind) return sendNotFound(reply, `'${file}'`);
    const found = await deps.reader.file(id, version, kind);
    if (!found) return sendNotFound(reply, `The ${kind} of package '${id}' version '${version}'`);
    const stored = found.files;
    await deps.blobFiles.send(request, reply, {
      key: found.blobKey,
      ...(found.size === undefined ? {} : { size: found.size }),
      contentType: found.contentType,
      cacheControl: IMMUTABLE,
      ...(kind === 'nupkg'
        ? { fileName: `${stored.idLower}.${stored.versionLower}.nupkg`, onBodySent: () => deps.downloads.record(stored.idLower, stored.versionLower) }
        : {}),
    });
    return reply;
  });
}

/**
 * `{id}.{version}.nupkg`, `{id}.nuspec`, or one of the embedded files. Lenient, as the lookup is: any
 * casing, and any version form equal to the path's (`…/1.0/demo.1.0.0.nupkg`).
 */
function fileKind(id: string, version: string, file: string): PackageFileKind | undefined {
  const name = file.toLowerCase();
  const idLower = id.toLowerCase();
  if (name === 'readme' || name === 'icon' || name === 'license') return name;
  if (name === `${idLower}.nuspec`) return 'nuspec';
  if (name.startsWith(`${idLower}.`) && name.endsWith('.nupkg')) {
    const fileVersion = NuGetVersion.tryParse(name.slice(idLower.length + 1, -'.nupkg'.length));
    const pathVersion = NuGetVersion.tryParse(version);
    if (fileVersion && pathVersion && fileVersion.lower === pathVersion.lower) return 'nupkg';
  }
  return undefined;
}
