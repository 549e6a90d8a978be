import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { HttpUpstreamSources } from './http-upstream-sources.ts';

const leaf = (version: string) => ({ catalogEntry: { id: 'Up.Lib', version, description: `version ${version}` }, packageContent: `https://elsewhere/${version}.nupkg` });

describe('upstream sources over HTTP', () => {
  let server: Server;
  let base = '';
  let folder = '';
  const seen: { url: string; authorization: string | undefined }[] = [];

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pallet-upstream-'));
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      const json = (body: unknown, gzip = false) => {
        const bytes = Buffer.from(JSON.stringify(body));
        response.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
        response.end(gzip ? gzipSync(bytes) : bytes);
      };
      switch (request.url) {
        case '/index.json':
          return json({ version: '3.0.0', resources: [{ '@id': `${base}/flat`, '@type': 'PackageBaseAddress/3.0.0' }, { '@id': `${base}/reg/`, '@type': 'RegistrationsBaseUrl/3.6.0' }] });
        case '/reg/up.lib/index.json':
          return json({ items: [{ '@id': `${base}/reg/up.lib/index.json#page/1.0.0/1.1.0`, items: [leaf('1.1.0'), leaf('1.0.0')] }, { '@id': `${base}/reg/up.lib/page/2.0.0/2.0.0.json` }] }, true);
        case '/reg/up.lib/page/2.0.0/2.0.0.json':
          return json({ items: [leaf('2.0.0'), leaf('1.0.0')] });
        case '/reg/bomb.lib/index.json':
          // 40 MiB of spaces that compress to about 40 KiB.
          response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return response.end(gzipSync(Buffer.alloc(40 * 1024 * 1024, ' ')));
        case '/reg/broken.lib/index.json':
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end('{"items": [');
        case '/flat/up.lib/1.0.0/up.lib.1.0.0.nupkg':
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          return response.end(Buffer.alloc(1000, 7));
        default:
          response.writeHead(404);
          return response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('reads a registration with the pages it does not inline, one entry a version, ascending, sending the credentials', async () => {
    const sources = new HttpUpstreamSources();
    const versions = await sources.registration(`${base}/index.json`, 'up.lib', 'Basic dXA6a2V5');
    assert.deepEqual(versions.map((version) => [version.versionLower, version.details.description]), [['1.0.0', 'version 1.0.0'], ['1.1.0', 'version 1.1.0'], ['2.0.0', 'version 2.0.0']]);
    assert.ok(seen.filter((request) => request.url.startsWith('/reg/')).every((request) => request.authorization === 'Basic dXA6a2V5'));
    assert.deepEqual(await sources.registration(`${base}/index.json`, 'missing.lib', undefined), []);
  });

  it('refuses a document past its bound after decompression, and one that is not JSON', async () => {
    const sources = new HttpUpstreamSources();
    await assert.rejects(sources.registration(`${base}/index.json`, 'bomb.lib', undefined), /larger than 32 MiB/);
    await assert.rejects(sources.registration(`${base}/index.json`, 'broken.lib', undefined), /not JSON/);
  });

  it('downloads a package within the size a push may have, and cuts off a larger one', async () => {
    const sources = new HttpUpstreamSources();
    const file = path.join(folder, 'package.nupkg');
    assert.equal(await sources.download(`${base}/index.json`, 'up.lib', '1.0.0', file, undefined, 1000), true);
    assert.equal((await readFile(file)).length, 1000);
    await assert.rejects(sources.download(`${base}/index.json`, 'up.lib', '1.0.0', path.join(folder, 'big.nupkg'), undefined, 999), /larger than 999 bytes/);
    assert.equal(await sources.download(`${base}/index.json`, 'up.lib', '9.0.0', path.join(folder, 'none.nupkg'), undefined, 1000), false);
  });
});
