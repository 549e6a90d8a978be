/**
 * Sends stored read documents (see `DocumentProjection`): a strong ETag from the document's hash and the
 * base URL, 304 for a matching If-None-Match without touching the body, and otherwise bytes rendered once
 * per base URL and kept in a byte-bounded LRU (identity, and gzip when a hive asks for it), so a hot read
 * is one indexed lookup of the hash plus a write of bytes already in memory.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PackageStore, StoredDocument } from '../app/ports.ts';
import type { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { acceptsGzip } from './accept-encoding.ts';
import { ifNoneMatchHits } from './if-none-match.ts';
import { ByteLru } from './byte-lru.ts';

export interface DocumentRequest {
  readonly idLower: string;
  readonly name: string;
  /** Whether the document may be sent gzip-compressed (the gzip hives). */
  readonly gzip: boolean;
}

export interface DocumentAnswer {
  readonly status: 200 | 304;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

interface Rendered {
  readonly identity: Buffer;
  gzip: Buffer | undefined;
}

export class DocumentResponder {
  private readonly packages: PackageStore;
  private readonly cache: ByteLru<Rendered>;
  private readonly baseTags = new Map<string, string>();

  constructor(packages: PackageStore, options: { maxCacheBytes: number }) {
    this.packages = packages;
    this.cache = new ByteLru(options.maxCacheBytes);
  }

  /**
   * Sends the document and resolves true, or resolves false (nothing sent) when the id has no document of
   * that name. Not the reply itself: a Fastify reply is thenable, so an async function cannot return it.
   */
  async send(request: FastifyRequest, reply: FastifyReply, urls: FeedUrls, document: DocumentRequest): Promise<boolean> {
    const answer = await this.answer(request.headers, urls, document);
    if (!answer) return false;
    reply.code(answer.status).headers(answer.headers).send(answer.body);
    return true;
  }

  /**
   * The answer to a GET of the document (HEAD sends the same headers without the body), or undefined when
   * the id has no document of that name. Used by the route and by the restore fast path alike.
   */
  async answer(requestHeaders: IncomingHttpHeaders, urls: FeedUrls, document: DocumentRequest): Promise<DocumentAnswer | undefined> {
    const hash = await this.packages.documentHash(document.idLower, document.name);
    if (hash === undefined) return undefined;
    const gzip = document.gzip && acceptsGzip(requestHeaders['accept-encoding']);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      etag: this.etag(hash, urls.base, gzip),
      ...(document.gzip ? { vary: 'Accept-Encoding' } : {}),
    };
    if (ifNoneMatchHits(requestHeaders['if-none-match'], headers.etag as string)) return { status: 304, headers, body: undefined };

    const key = `${urls.base}\n${document.idLower}\n${document.name}\n${hash}`;
    let rendered = this.cache.get(key);
    let current = true;
    if (!rendered) {
      const stored = await this.packages.readDocument(document.idLower, document.name);
      // Rewritten between the two reads: the newer text is what the client should get; its ETag follows.
      if (stored === undefined) return undefined;
      if (stored.hash !== hash) {
        headers.etag = this.etag(stored.hash, urls.base, gzip);
        current = false; // not kept under the old hash's key
      }
      rendered = { identity: unpooled(render(stored, urls.base)), gzip: undefined };
    }
    let body = rendered.identity;
    if (gzip) {
      rendered.gzip ??= unpooled(gzipSync(rendered.identity));
      body = rendered.gzip;
      headers['content-encoding'] = 'gzip';
    }
    if (current) this.cache.set(key, rendered, rendered.identity.length + (rendered.gzip?.length ?? 0));
    return { status: 200, headers, body };
  }

  /**
   * Strong, so per representation (RFC 9110 §8.8.3): the document's hash, 8 bytes of the base URL's hash
   * (the same document under another host name is other bytes), and the content coding.
   */
  private etag(hash: string, base: string, gzip: boolean): string {
    return `"${hash}.${this.baseTag(base)}${gzip ? '.gz' : ''}"`;
  }

  private baseTag(base: string): string {
    let tag = this.baseTags.get(base);
    if (tag === undefined) {
      if (this.baseTags.size > 100) this.baseTags.clear();
      tag = createHash('sha256').update(base).digest('base64url').slice(0, 11);
      this.baseTags.set(base, tag);
    }
    return tag;
  }
}

/**
 * A copy in memory of its own. Buffers under 4 KiB (most documents, and their gzip) are cut from shared
 * 8 KiB slabs, and one kept buffer keeps its whole slab alive: cached that way, 32 MiB of documents held
 * over 120 MiB.
 */
function unpooled(bytes: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

function render(document: StoredDocument, base: string): Buffer {
  // The base goes inside JSON strings: escaped as JSON, though a Host or public URL rarely needs it.
  const text = document.baseMarker === undefined ? document.text : document.text.split(document.baseMarker).join(JSON.stringify(base).slice(1, -1));
  return Buffer.from(text, 'utf8');
}
