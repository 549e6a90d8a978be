/** Per-request helpers shared by the route modules: the public base URL and the 404 answer. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { sendError } from './error-mapper.ts';

const HOST_PATTERN = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The configured public URL wins; without one, documents use the Host the client used, so the server
 * works on a LAN address without configuration. A malformed Host falls back to the listening address.
 */
/** What the base URL is taken from: a Fastify request, or a raw one with the protocol it came by. */
export interface UrlContext {
  readonly headers: IncomingHttpHeaders;
  readonly protocol: string;
}

export function feedUrlsResolver(publicUrl: string | undefined, fallbackBase: () => string): (request: UrlContext) => FeedUrls {
  if (publicUrl !== undefined) {
    const fixed = new FeedUrls(publicUrl);
    return () => fixed;
  }
  // Keyed by protocol and Host as sent, so a request whose Host was seen before costs one lookup.
  const cache = new Map<string, FeedUrls>();
  return (request) => {
    const host = request.headers.host;
    const key = `${request.protocol} ${host ?? ''}`;
    let urls = cache.get(key);
    if (!urls) {
      // The fallback is not kept: it is the listening address, known only once the server listens.
      if (host === undefined || !HOST_PATTERN.test(host)) return new FeedUrls(fallbackBase());
      if (cache.size > 100) cache.clear();
      urls = new FeedUrls(`${request.protocol}://${host}`);
      cache.set(key, urls);
    }
    return urls;
  };
}

export function sendNotFound(reply: FastifyReply, what: string): FastifyReply {
  return sendError(reply, 404, `${what} was not found.`);
}
