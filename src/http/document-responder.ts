/**
 * Sends stored read documents (see `DocumentProjection`): a strong ETag from the document's hash and the
 * base URL, 304 for a matching If-None-Match without touching the body, and otherwise bytes rendered once
 * per base URL and kept in a byte-bounded LRU (identity, and gzip when a hive asks for it) with the answers
 * made from them. An entry is checked against the document's hash once per store generation (a commit by
 * any process moves it), so a hot read between writes is a map lookup plus a write of bytes in memory.
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
import type { FeedId } from '../domain/feed.ts';

export interface DocumentRequest {
  readonly feedId: FeedId;
  readonly idLower: string;
  readonly name: string;
  /** Whether the document may be sent gzip-compressed (the gzip hives). */
  readonly gzip: boolean;
}

export interface DocumentAnswer {
  readonly status: 200 | 304;
  /** For the framework's reply, which sets the length itself. */
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers with the length, as `writeHead` takes them (name, value, name, value, …). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer | undefined;
}

/** One content coding of a rendered document: its ETag and both of its answers, made once. */
interface Representation {
  readonly etag: string;
  readonly ok: DocumentAnswer;
  readonly notModified: DocumentAnswer;
}

interface Rendered {
  readonly hash: string;
  /** The store's read generation at which `hash` was last seen current; -1 when never (see answer()). */
  generation: number;
  readonly identity: Representation;
  gzip: Representation | undefined;
}

/** Bytes an entry holds besides its bodies (its answers' header strings, the key), for the cache's bound. */
const ENTRY_OVERHEAD_BYTES = 512;

export class DocumentResponder {
  private readonly packages: PackageStore;
  private readonly cache: ByteLru<Rendered>;
  private readonly baseTags = new Map<string, string>();
  private readonly gzipByAcceptEncoding = new Map<string, boolean>();

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
   * The answer from memory alone, when the document was rendered for this base and nothing has been
   * committed since its hash was last checked (the store's read generation); otherwise undefined, and
   * answer() has it. A restore read that hits costs no lookup, no promise and no allocation past the key.
   */
  answerFromMemory(requestHeaders: IncomingHttpHeaders, urls: FeedUrls, document: DocumentRequest): DocumentAnswer | undefined {
    const key = cacheKey(urls.base, document);
    const rendered = this.cache.get(key);
    if (rendered === undefined || rendered.generation !== this.packages.readGeneration()) return undefined;
    return this.pick(key, rendered, requestHeaders, urls.base, document);
  }

  /**
   * The answer to a GET of the document (HEAD sends the same headers without the body), or undefined when
   * the id has no document of that name. Used by the route and by the restore fast path alike.
   */
  async answer(requestHeaders: IncomingHttpHeaders, urls: FeedUrls, document: DocumentRequest): Promise<DocumentAnswer | undefined> {
    // Taken before the hash is read, so an entry is never marked current at a generation newer than what it was checked against.
    const generation = this.packages.readGeneration();
    const key = cacheKey(urls.base, document);
    const cached = this.cache.get(key);
    if (cached?.generation === generation) return this.pick(key, cached, requestHeaders, urls.base, document);

    const hash = await this.packages.documentHash(document.feedId, document.idLower, document.name);
    if (hash === undefined) return undefined;
    if (cached?.hash === hash) {
      cached.generation = generation;
      return this.pick(key, cached, requestHeaders, urls.base, document);
    }
    const gzip = document.gzip && this.acceptsGzip(requestHeaders['accept-encoding']);
    const etag = this.etag(hash, urls.base, gzip);
    if (ifNoneMatchHits(requestHeaders['if-none-match'], etag)) {
      const headers = documentHeaders(etag, document.gzip, false);
      return { status: 304, headers, rawHeaders: Object.entries(headers).flat(), body: undefined };
    }

    const stored = await this.packages.readDocument(document.feedId, document.idLower, document.name);
    if (stored === undefined) return undefined;
    const identity = unpooled(render(stored, urls.base));
    const rendered: Rendered = {
      hash: stored.hash,
      // Rewritten between the two reads: the newer text is what the client gets, checked again next time.
      generation: stored.hash === hash ? generation : -1,
      identity: this.representation(identity, stored.hash, urls.base, document.gzip, false),
      gzip: undefined,
    };
    this.cache.set(key, rendered, identity.length + ENTRY_OVERHEAD_BYTES);
    return this.pick(key, rendered, requestHeaders, urls.base, document);
  }

  private pick(key: string, rendered: Rendered, requestHeaders: IncomingHttpHeaders, base: string, document: DocumentRequest): DocumentAnswer {
    let representation = rendered.identity;
    if (document.gzip && this.acceptsGzip(requestHeaders['accept-encoding'])) {
      if (rendered.gzip === undefined) {
        const identity = rendered.identity.ok.body as Buffer;
        rendered.gzip = this.representation(unpooled(gzipSync(identity)), rendered.hash, base, true, true);
        this.cache.set(key, rendered, identity.length + (rendered.gzip.ok.body as Buffer).length + 2 * ENTRY_OVERHEAD_BYTES);
      }
      representation = rendered.gzip;
    }
    const ifNoneMatch = requestHeaders['if-none-match'];
    return ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, representation.etag) ? representation.notModified : representation.ok;
  }

  private representation(body: Buffer, hash: string, base: string, varies: boolean, gzip: boolean): Representation {
    const etag = this.etag(hash, base, gzip);
    const headers = documentHeaders(etag, varies, gzip);
    const notModifiedHeaders = documentHeaders(etag, varies, false);
    return {
      etag,
      ok: { status: 200, headers, rawHeaders: [...Object.entries(headers).flat(), 'content-length', String(body.length)], body },
      notModified: { status: 304, headers: notModifiedHeaders, rawHeaders: Object.entries(notModifiedHeaders).flat(), body: undefined },
    };
  }

  /** acceptsGzip() remembered per header text: clients send the same few values on every request. */
  private acceptsGzip(header: string | undefined): boolean {
    if (header === undefined) return false;
    let accepted = this.gzipByAcceptEncoding.get(header);
    if (accepted === undefined) {
      if (this.gzipByAcceptEncoding.size > 100) this.gzipByAcceptEncoding.clear();
      accepted = acceptsGzip(header);
      this.gzipByAcceptEncoding.set(header, accepted);
    }
    return accepted;
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

function cacheKey(base: string, document: DocumentRequest): string {
  return `${base}\n${document.feedId}\n${document.idLower}\n${document.name}`;
}

/** The headers of every answer of a document; a 304 leaves out the content coding, as it has no body. */
function documentHeaders(etag: string, varies: boolean, gzip: boolean): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-cache',
    etag,
    ...(varies ? { vary: 'Accept-Encoding' } : {}),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  };
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
