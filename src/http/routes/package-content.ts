/**
 * Package content (flat container): version lists, .nupkg and .nuspec downloads, and the embedded readme,
 * icon and license files. Restore reads only these.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { sendBlob, sendNotFound } from '../request-context.ts';
import type { PackageFileKind } from '../../app/packages/read-package.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function registerPackageContentRoutes(server: FastifyInstance, deps: RouteDependencies): void {
  // https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
  readRoute<{ Params: { id: string } }>(server, '/v3/package/:id/index.json', async (request, reply) => {
    const versions = await deps.reader.versions(request.params.id);
    if (versions.length === 0) return sendNotFound(reply, `Package '${request.params.id}'`);
    // Unlisted versions stay here: restore must still find them. Lowercase normalized, no metadata.
    return reply.header('cache-control', 'no-cache').send({ versions: versions.map((version) => version.versionLower) });
  });

  // https://learn.microsoft.com/nuget/api/package-base-address-resource#download-package-content-nupkg
  readRoute<{ Params: { id: string; version: string; file: string } }>(server, '/v3/package/:id/:version/:file', async (request, reply) => {
    const { id, version, file } = request.params;
    const kind = fileKind(id, version, file);
    if (!kind) return sendNotFound(reply, `'${file}'`);
    const found = await deps.reader.file(id, version, kind);
    if (!found) return sendNotFound(reply, `The ${kind} of package '${id}' version '${version}'`);
    const { version: stored } = found;
    if (kind === 'nupkg' && request.method === 'GET') deps.downloads.record(stored.idLower, stored.versionLower);
    return sendBlob(request, reply, deps.blobs, {
      key: found.blobKey,
      contentType: found.contentType,
      cacheControl: IMMUTABLE,
      ...(kind === 'nupkg' ? { fileName: `${stored.idLower}.${stored.versionLower}.nupkg` } : {}),
    });
  });
}

/** `{id}.{version}.nupkg`, `{id}.nuspec`, or one of the embedded files; compared case-insensitively. */
function fileKind(id: string, version: string, file: string): PackageFileKind | undefined {
  const name = file.toLowerCase();
  if (name === 'readme' || name === 'icon' || name === 'license') return name;
  if (name === `${id.toLowerCase()}.nuspec`) return 'nuspec';
  if (name === `${id.toLowerCase()}.${version.toLowerCase()}.nupkg`) return 'nupkg';
  return undefined;
}
