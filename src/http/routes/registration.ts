/**
 * Registration (package metadata) in three hives: SemVer 1 plain, SemVer 1 gzip, SemVer 2 gzip.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { acceptsGzip } from '../accept-encoding.ts';
import { sendNotFound } from '../request-context.ts';
import { REGISTRATION_HIVES, type RegistrationHive } from '../../protocol/nuget/feed-urls.ts';
import { buildRegistrationIndex, buildRegistrationLeaf, buildRegistrationPage } from '../../protocol/nuget/registration.ts';

export function registerRegistrationRoutes(server: FastifyInstance, deps: RouteDependencies): void {
  for (const [hive, settings] of Object.entries(REGISTRATION_HIVES) as [RegistrationHive, (typeof REGISTRATION_HIVES)[RegistrationHive]][]) {
    const send = (request: FastifyRequest, reply: FastifyReply, document: unknown) => sendJson(request, reply, document, settings.gzip);

    // Index: `{id}/index.json`; leaf: `{id}/{version}.json`.
    readRoute<{ Params: { id: string; file: string } }>(server, `/v3/${settings.path}/:id/:file`, async (request, reply) => {
      const { id, file } = request.params;
      if (!file.toLowerCase().endsWith('.json')) return sendNotFound(reply, `'${file}'`);
      const versions = await deps.reader.registrationVersions(id, settings.includesSemVer2);
      if (versions.length === 0) return sendNotFound(reply, `Package '${id}'`);
      const urls = deps.urlsFor(request);
      if (file.toLowerCase() === 'index.json') return send(request, reply, buildRegistrationIndex(urls, hive, versions));

      const versionText = file.slice(0, -'.json'.length);
      const version = deps.reader.findIn(versions, versionText);
      if (!version) {
        return sendNotFound(reply, `Package '${id}' version '${versionText}'`);
      }
      return send(request, reply, buildRegistrationLeaf(urls, hive, version));
    });

    readRoute<{ Params: { id: string; lower: string; upper: string } }>(server, `/v3/${settings.path}/:id/page/:lower/:upper`, async (request, reply) => {
      const { id, lower, upper } = request.params;
      const versions = await deps.reader.registrationVersions(id, settings.includesSemVer2);
      const upperVersion = upper.toLowerCase().endsWith('.json') ? upper.slice(0, -'.json'.length) : upper;
      const page =
        versions.length === 0 ? undefined : buildRegistrationPage(deps.urlsFor(request), hive, versions, lower.toLowerCase(), upperVersion.toLowerCase());
      if (!page) return sendNotFound(reply, `Registration page '${lower}/${upper}' of package '${id}'`);
      return send(request, reply, page);
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
