/**
 * Runs Pallet in-process for protocol tests: a fresh data folder, the real composition root
 * (`buildApp`), and Fastify's `inject` instead of a socket.
 *
 *   const pallet = await startInProcess();
 *   await pallet.push(buildNupkg({ id: 'Demo', version: '1.0.0' }));
 *   const { body } = await pallet.json('/v3/package/demo/index.json');
 *   await pallet.close();
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load.ts';
import { multipartBody } from './multipart-body.ts';

export { multipartBody };
import { buildApp, type PalletApp } from '../../src/app.ts';

export const API_KEY = 'test-key-123';
export const PUBLIC_URL = 'http://pallet.test';

export type InjectResponse = LightMyRequestResponse;

export interface JsonResponse<T> {
  readonly status: number;
  readonly headers: InjectResponse['headers'];
  /** The parsed body (gunzipped first when the response was gzip-encoded). */
  readonly body: T;
  readonly response: InjectResponse;
}

export interface PushOptions {
  /** The X-NuGet-ApiKey header; `null` sends none. Default: the configured key. */
  readonly key?: string | null;
  /** 'multipart' (what the NuGet client sends, the default) or 'raw' (application/octet-stream body). */
  readonly encoding?: 'multipart' | 'raw';
  /** Default `/api/v2/package/`, with the trailing slash the client adds. */
  readonly url?: string;
}

export interface InProcessPallet {
  readonly app: PalletApp;
  readonly dataDir: string;
  inject(options: InjectOptions): Promise<InjectResponse>;
  /** A GET (or any method) with headers; the raw response. */
  get(url: string, headers?: Record<string, string>): Promise<InjectResponse>;
  /** PUTs a .nupkg the way `dotnet nuget push` does. */
  push(nupkg: Buffer, options?: PushOptions): Promise<InjectResponse>;
  /** Like `push`, asserting nothing: throws unless the answer is 201. */
  pushOk(nupkg: Buffer): Promise<void>;
  /** DELETE (unlist) or POST (relist) `/api/v2/package/{id}/{version}`. */
  setListed(id: string, version: string, listed: boolean, key?: string | null): Promise<InjectResponse>;
  /**
   * GETs a JSON document. Sends `Accept-Encoding: gzip` unless `gzip: false` (as NuGet clients do),
   * and gunzips when the response says `Content-Encoding: gzip`.
   */
  json<T = any>(url: string, options?: { gzip?: boolean; headers?: Record<string, string> }): Promise<JsonResponse<T>>;
  /** The JSON log lines so far, when started with `captureLogs`. */
  logRecords(): Record<string, unknown>[];
  /** Closes the app (flushing download counts); removes the data folder unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Extra or overriding config flags (string values, as the CLI passes them). */
  readonly flags?: Record<string, string | undefined>;
  /** Reuse this data folder (e.g. to reopen after close); it is then not created. */
  readonly dataDir?: string;
  /** Fixed clock for the app. */
  readonly now?: () => Date;
  /** Keep the app's log lines (at info level) for `logRecords()`. */
  readonly captureLogs?: boolean;
}

export async function startInProcess(options: StartOptions = {}): Promise<InProcessPallet> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'pallet-it-')));
  const config = loadConfig({
    flags: { dataDir, apiKey: API_KEY, logLevel: options.captureLogs ? 'info' : 'silent', publicUrl: PUBLIC_URL, ...options.flags },
    env: {},
  });
  const records: Record<string, unknown>[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const app = await buildApp(config, { ...(options.now ? { now: options.now } : {}), ...(options.captureLogs ? { logDestination } : {}) });
  await app.server.ready();

  const inject = (injectOptions: InjectOptions) => app.server.inject(injectOptions);

  const push = (nupkg: Buffer, pushOptions: PushOptions = {}) => {
    const key = pushOptions.key === undefined ? API_KEY : pushOptions.key;
    const headers: Record<string, string> = {};
    if (key !== null) headers['x-nuget-apikey'] = key;
    let payload: Buffer;
    if ((pushOptions.encoding ?? 'multipart') === 'raw') {
      headers['content-type'] = 'application/octet-stream';
      payload = nupkg;
    } else {
      const body = multipartBody(nupkg);
      headers['content-type'] = body.contentType;
      payload = body.payload;
    }
    return inject({ method: 'PUT', url: pushOptions.url ?? '/api/v2/package/', headers, payload });
  };

  let closed = false;
  return {
    app,
    dataDir,
    inject,
    get: (url, headers = {}) => inject({ method: 'GET', url, headers }),
    push,
    async pushOk(nupkg) {
      const response = await push(nupkg);
      if (response.statusCode !== 201) {
        throw new Error(`push failed: ${response.statusCode} ${response.statusMessage}\n${response.body}`);
      }
    },
    setListed(id, version, listed, key = API_KEY) {
      const headers: Record<string, string> = {};
      if (key !== null) headers['x-nuget-apikey'] = key;
      return inject({ method: listed ? 'POST' : 'DELETE', url: `/api/v2/package/${id}/${version}`, headers });
    },
    async json(url, jsonOptions = {}) {
      const headers: Record<string, string> = { ...(jsonOptions.gzip === false ? {} : { 'accept-encoding': 'gzip' }), ...jsonOptions.headers };
      const response = await inject({ method: 'GET', url, headers });
      const raw = response.rawPayload;
      const text = (response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: response.statusCode, headers: response.headers, body: body as any, response };
    },
    logRecords: () => [...records],
    async close(closeOptions = {}) {
      if (closed) return;
      closed = true;
      await app.close();
      if (!closeOptions.keepData && options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Lowercase hex SHA-512, for comparing downloaded bytes with pushed ones. */
export function sha512(bytes: Buffer | Uint8Array): string {
  return createHash('sha512').update(bytes).digest('hex');
}

/** The path and query of an absolute URL under the public base, for injecting a URL a document gave. */
export function pathOf(absoluteUrl: string): string {
  const url = new URL(absoluteUrl);
  assertPublic(url);
  return `${url.pathname}${url.search}`;
}

function assertPublic(url: URL): void {
  if (url.origin !== PUBLIC_URL) throw new Error(`expected a URL under ${PUBLIC_URL}, got ${url.href}`);
}
