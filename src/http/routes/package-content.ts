/**
 * Package content (flat container): version lists, .nupkg and .nuspec downloads, and the embedded readme,
 * icon and license files. Restore reads only these.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { packageFileBlob } from '../package-file-blob.ts';
import { sendNotFound } from '../request-context.ts';
import { flatContainerFileKind } from '../../protocol/nuget/flat-container-file.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { VERSION_LIST_DOCUMENT } from '../../protocol/nuget/read-documents.ts';
import type { FeedScope } from '../feed-of.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { forwardToPrimary } from '../forward-writes.ts';

export function registerPackageContentRoutes(server: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  // https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
  readRoute<{ Params: { id: string } }>(server, '/v3/package/:id/index.json', async (request, reply) => {
    const idLower = lowerPackageId(request.params.id);
    // An id the feed resolves through its upstream sources: its stored versions with the upstream's.
    const merged = await deps.upstreams.versionList(feed.feedOf(request), idLower);
    if (merged !== undefined && merged.length > 0) return reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(JSON.stringify({ versions: merged }));
    if (await deps.documents.send(request, reply, feed.urlsOf(request), { feedId: feed.idOf(request), idLower, name: VERSION_LIST_DOCUMENT, gzip: false })) return reply;
    return sendNotFound(reply, `Package '${request.params.id}'`);
  });

  // https://learn.microsoft.com/nuget/api/package-base-address-resource#download-package-content-nupkg
  readRoute<{ Params: { id: string; version: string; file: string } }>(server, '/v3/package/:id/:version/:file', async (request, reply) => {
    const { id, version, file } = request.params;
    const kind = flatContainerFileKind(id, version, file);
    if (!kind) return sendNotFound(reply, `'${file}'`);
    let found = await deps.reader.file(feed.idOf(request), id, version, kind);
    const versionLower = NuGetVersion.tryParse(version)?.lower;
    if (!found && versionLower !== undefined) {
      // Storing a package from upstream is a write: a secondary process hands the request to the primary.
      if (deps.forwardWritesTo !== undefined) {
        if (await deps.upstreams.mayGoUpstream(feed.feedOf(request), lowerPackageId(id))) return forwardToPrimary(deps.forwardWritesTo, request, reply);
      } else if (await deps.upstreams.fetch(feed.feedOf(request), lowerPackageId(id), versionLower)) {
        found = await deps.reader.file(feed.idOf(request), id, version, kind);
      }
    }
    if (!found) return sendNotFound(reply, `The ${kind} of package '${id}' version '${version}'`);
    await deps.blobFiles.send(request, reply, packageFileBlob(found, kind, deps.downloads));
    return reply;
  });
}
