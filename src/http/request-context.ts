/** Per-request helpers shared by the route modules: the public base URL and blob responses. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../app/ports.ts';
import { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { sendError } from './error-mapper.ts';
import { ifNoneMatchHits } from './if-none-match.ts';

const HOST_PATTERN = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The configured public URL wins; without one, documents use the Host the client used, so the server
 * works on a LAN address without configuration. A malformed Host falls back to the listening address.
 */
export function feedUrlsResolver(publicUrl: string | undefined, fallbackBase: () => string): (request: FastifyRequest) => FeedUrls {
  if (publicUrl !== undefined) {
    const fixed = new FeedUrls(publicUrl);
    return () => fixed;
  }
  const cache = new Map<string, FeedUrls>();
  return (request) => {
    const host = request.headers.host;
    const base = host !== undefined && HOST_PATTERN.test(host) ? `${request.protocol}://${host}` : fallbackBase();
    let urls = cache.get(base);
    if (!urls) {
      if (cache.size > 100) cache.clear();
      urls = new FeedUrls(base);
      cache.set(base, urls);
    }
    return urls;
  };
}

export function sendNotFound(reply: FastifyReply, what: string): FastifyReply {
  return sendError(reply, 404, `${what} was not found.`);
}

/**
 * Sends an immutable blob with a strong ETag (its content hash), honouring If-None-Match and HEAD.
 * Blob keys are content hashes, so the ETag changes exactly when the bytes do.
 */
export async function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  blobs: BlobStore,
  blob: { key: string; contentType: string; cacheControl: string; fileName?: string; onBodySent?: () => void },
): Promise<FastifyReply | undefined> {
  const etag = `"${blob.key.slice(0, 64)}"`;
  reply.header('etag', etag).header('cache-control', blob.cacheControl).type(blob.contentType);
  if (blob.fileName !== undefined) reply.header('content-disposition', `attachment; filename="${blob.fileName}"`);
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
    return reply.code(304).send();
  }
  const info = await blobs.stat(blob.key);
  if (!info) {
    request.log.error({ blob: blob.key }, 'a stored version references a missing blob');
    return sendError(reply, 500, 'The package content is missing from storage; the server log has the details.');
  }
  reply.header('content-length', info.size);
  if (request.method === 'HEAD') return reply.send();
  const stream = await blobs.open(blob.key);
  if (!stream) return sendError(reply, 500, 'The package content is missing from storage; the server log has the details.');
  // Only a body actually sent counts (a download); HEAD and 304 answers do not.
  blob.onBodySent?.();
  return reply.send(stream);
}
