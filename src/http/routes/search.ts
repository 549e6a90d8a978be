/**
 * Search and autocomplete, answered by the search threads (the version mode of autocomplete is one id's
 * rows, read here).
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 * https://learn.microsoft.com/nuget/api/search-autocomplete-service-resource
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import { parseFilters, parsePaging, parseSearchTerms, queryValue, type QueryParameters } from '../../protocol/nuget/search-query.ts';
import { buildAutocompleteResponse } from '../../protocol/nuget/search-response.ts';
import type { FeedScope } from '../feed-of.ts';

export function registerSearchRoutes(server: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  readRoute<{ Querystring: QueryParameters }>(server, '/v3/search', async (request, reply) => {
    const filters = { feedId: feed.idOf(request), ...parseFilters(request.query) };
    const searchRequest = { ...filters, ...parsePaging(request.query), terms: parseSearchTerms(queryValue(request.query, 'q')) };
    const body = await deps.search.search(searchRequest, feed.urlsOf(request).base);
    return reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(body);
  });

  readRoute<{ Querystring: QueryParameters }>(server, '/v3/autocomplete', async (request, reply) => {
    const filters = { feedId: feed.idOf(request), ...parseFilters(request.query) };
    const id = queryValue(request.query, 'id');
    const q = queryValue(request.query, 'q');
    reply.header('cache-control', 'no-cache');
    // Version mode when `id` is given and `q` is not, as on nuget.org.
    if (id !== undefined && q === undefined) {
      const versions = await deps.reader.listedVersions(filters.feedId, id, filters);
      const data = versions.map((version) => (filters.includeSemVer2 ? version.versionFull : version.versionNormalized));
      return reply.send(buildAutocompleteResponse(data.length, data));
    }
    const { skip, take } = parsePaging(request.query);
    return reply.type('application/json; charset=utf-8').send(await deps.search.autocomplete({ ...filters, prefix: (q ?? '').trim(), skip, take }));
  });
}
