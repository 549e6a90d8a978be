/** The service index, the one URL a user configures, and a liveness probe. https://learn.microsoft.com/nuget/api/service-index */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { buildServiceIndex } from '../../protocol/nuget/service-index.ts';

export function registerServiceIndexRoutes(server: FastifyInstance, deps: RouteDependencies): void {
  readRoute(server, '/v3/index.json', async (request, reply) =>
    reply.header('cache-control', 'no-cache').send(buildServiceIndex(deps.urlsFor(request))),
  );
  readRoute(server, '/health', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
}
