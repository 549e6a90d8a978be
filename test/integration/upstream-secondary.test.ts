/**
 * In a secondary process, a download that must first be stored from an upstream source is a write, so it
 * goes to the primary over its socket (http/forward-writes.ts): the primary's blob gate then covers it, as it
 * covers every push. The primary here is a stand-in on the socket that records what it was handed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type PalletApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, PUBLIC_URL, startInProcess, type InProcessPallet } from '../support/in-process.ts';

describe('a secondary process reading through an upstream source', () => {
  let primary: InProcessPallet;
  let secondary: PalletApp;
  let socketFolder: string;
  let standIn: Server;
  const handed: { method: string | undefined; url: string | undefined; key: string | undefined }[] = [];

  before(async () => {
    primary = await startInProcess();
    const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
    await primary.inject({ method: 'POST', url: '/api/v1/feeds', headers: admin, payload: JSON.stringify({ name: 'mirror' }) });
    // Never asked: whether an id may go upstream is the feed's own data.
    await primary.inject({ method: 'POST', url: '/api/v1/feeds/mirror', headers: admin, payload: JSON.stringify({ upstreams: ['http://127.0.0.1:9/v3/index.json'] }) });
    await primary.pushOk(buildNupkg({ id: 'Own.Lib', version: '1.0.0' }));

    socketFolder = await mkdtemp(path.join(tmpdir(), 'pallet-socket-'));
    const socketPath = path.join(socketFolder, 'writes.sock');
    standIn = createServer((request, response) => {
      handed.push({ method: request.method, url: request.url, key: request.headers['x-nuget-apikey'] as string | undefined });
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end('from the primary');
    });
    await new Promise<void>((resolve) => standIn.listen(socketPath, resolve));
    const config = loadConfig({ flags: { dataDir: primary.dataDir, apiKey: API_KEY, logLevel: 'silent', publicUrl: PUBLIC_URL }, env: {} });
    secondary = await buildApp(config, { processRole: { kind: 'secondary', writesSocket: socketPath, port: 0 } });
    await secondary.server.ready();
  });

  after(async () => {
    await secondary?.close();
    await primary?.close();
    await new Promise((resolve) => standIn.close(resolve));
    await rm(socketFolder, { recursive: true, force: true });
  });

  it('hands a download it must store from upstream to the primary, and answers what it stores itself', async () => {
    const url = '/feeds/mirror/v3/package/up.lib/1.0.0/up.lib.1.0.0.nupkg';
    const forwarded = await secondary.server.inject({ method: 'GET', url, headers: { 'x-nuget-apikey': API_KEY } });
    assert.equal(forwarded.statusCode, 200);
    assert.equal(forwarded.body, 'from the primary');
    assert.deepEqual(handed, [{ method: 'GET', url, key: API_KEY }]);
    assert.equal((await secondary.server.inject({ method: 'GET', url: '/v3/package/own.lib/1.0.0/own.lib.1.0.0.nupkg' })).statusCode, 200, 'a stored package is its own to serve');
    assert.equal((await secondary.server.inject({ method: 'GET', url: '/v3/package/none.lib/1.0.0/none.lib.1.0.0.nupkg' })).statusCode, 404, 'a feed without upstreams answers at once');
    assert.equal(handed.length, 1);
  });
});
