/** The service index, the one URL a user configures (one per feed), and a liveness probe. https://learn.microsoft.com/nuget/api/service-index */
import type { FastifyInstance } from 'fastify';
import type { FeedScope } from '../feed-of.ts';
import { readRoute } from '../read-route.ts';
import { buildServiceIndex } from '../../protocol/nuget/service-index.ts';

export function registerServiceIndexRoutes(server: FastifyInstance, feed: FeedScope): void {
  readRoute(server, '/v3/index.json', async (request, reply) =>
    reply.header('cache-control', 'no-cache').send(buildServiceIndex(feed.urlsOf(request))),
  );
}

/** A liveness probe, at the site root only. */
export function registerHealthRoute(server: FastifyInstance): void {
  readRoute(server, '/health', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
}
