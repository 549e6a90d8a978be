/**
 * Registration (package metadata) in three hives: SemVer 1 plain, SemVer 1 gzip, SemVer 2 gzip. The index
 * and pages are stored documents, projected at write time; a leaf is built from its one version row. An id
 * the feed resolves through its upstream sources is built at read time from its stored and upstream
 * versions (app/feeds/upstream-reads.ts), and falls back to the stored documents while no source answers.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { acceptsGzip } from '../accept-encoding.ts';
import { sendNotFound } from '../request-context.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { REGISTRATION_HIVES, type RegistrationHive } from '../../protocol/nuget/feed-urls.ts';
import { buildRegistrationIndex, buildRegistrationLeaf, registrationPages, type RegisteredVersion } from '../../protocol/nuget/registration.ts';
import { registrationIndexDocument, registrationPageDocument } from '../../protocol/nuget/read-documents.ts';
import type { FeedScope } from '../feed-of.ts';
import type { PackageFacts } from '../../app/ports.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';

/** An id resolved upstream has no reservation covering it (the guard), so it is never verified. */
const UPSTREAM_FACTS: PackageFacts = { verified: false };

export function registerRegistrationRoutes(server: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  for (const [hive, settings] of Object.entries(REGISTRATION_HIVES) as [RegistrationHive, (typeof REGISTRATION_HIVES)[RegistrationHive]][]) {
    /** The hive's versions of an id resolved upstream; undefined when the stored documents answer. */
    const throughUpstream = async (request: FastifyRequest, id: string): Promise<RegisteredVersion[] | undefined> => {
      const merged = await deps.upstreams.registration(feed.feedOf(request), lowerPackageId(id));
      const shown = settings.includesSemVer2 ? merged : merged?.filter((version) => !version.isSemVer2);
      return shown === undefined || shown.length === 0 ? undefined : shown;
    };
    // Index: `{id}/index.json`; leaf: `{id}/{version}.json`.
    readRoute<{ Params: { id: string; file: string } }>(server, `/v3/${settings.path}/:id/:file`, async (request, reply) => {
      const { id, file } = request.params;
      if (!file.toLowerCase().endsWith('.json')) return sendNotFound(reply, `'${file}'`);
      const urls = feed.urlsOf(request);
      if (file.toLowerCase() === 'index.json') {
        const upstream = await throughUpstream(request, id);
        if (upstream !== undefined) return sendJson(request, reply, buildRegistrationIndex(urls, hive, upstream, UPSTREAM_FACTS), settings.gzip);
        if (await deps.documents.send(request, reply, urls, { feedId: feed.idOf(request), idLower: lowerPackageId(id), name: registrationIndexDocument(hive), gzip: settings.gzip })) return reply;
        return sendNotFound(reply, `Package '${id}'`);
      }
      const versionText = file.slice(0, -'.json'.length);
      const versionLower = NuGetVersion.tryParse(versionText)?.lower;
      const version = (await deps.reader.version(feed.idOf(request), id, versionText)) ?? (await throughUpstream(request, id))?.find((each) => each.versionLower === versionLower);
      // A SemVer 1 hive does not know SemVer 2.0.0 versions.
      if (!version || (version.isSemVer2 && !settings.includesSemVer2)) return sendNotFound(reply, `Package '${id}' version '${versionText}'`);
      return sendJson(request, reply, buildRegistrationLeaf(urls, hive, version), settings.gzip);
    });

    readRoute<{ Params: { id: string; lower: string; upper: string } }>(server, `/v3/${settings.path}/:id/page/:lower/:upper`, async (request, reply) => {
      const { id, lower, upper } = request.params;
      const upperVersion = upper.toLowerCase().endsWith('.json') ? upper.slice(0, -'.json'.length) : upper;
      const name = registrationPageDocument(hive, lower.toLowerCase(), upperVersion.toLowerCase());
      // A page of the merged index; one it no longer has may still be a stored document's.
      const upstream = await throughUpstream(request, id);
      if (upstream !== undefined) {
        const page = registrationPages(feed.urlsOf(request), hive, upstream, UPSTREAM_FACTS).find((each) => each.lower === lower.toLowerCase() && each.upper === upperVersion.toLowerCase());
        if (page !== undefined) return sendJson(request, reply, page, settings.gzip);
      }
      if (await deps.documents.send(request, reply, feed.urlsOf(request), { feedId: feed.idOf(request), idLower: lowerPackageId(id), name, gzip: settings.gzip })) return reply;
      return sendNotFound(reply, `Registration page '${lower}/${upper}' of package '${id}'`);
    });
  }
}

/** gzip hives are compressed whenever the client accepts it, which every NuGet client does. */
function sendJson(request: FastifyRequest, reply: FastifyReply, document: unknown, gzip: boolean): FastifyReply {
  const body = Buffer.from(JSON.stringify(document));
  reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache');
  if (gzip) {
    reply.header('vary', 'Accept-Encoding');
    if (acceptsGzip(request.headers['accept-encoding'])) {
      return reply.header('content-encoding', 'gzip').send(gzipSync(body));
    }
  }
  return reply.send(body);
}
