/**
 * The restore fast path (http/restore-fast-path.ts) answers version lists, registration indexes and pages before
 * the framework does. Over a real socket (where it runs) each answer must be the route's answer (which
 * inject() gives, as it enters the framework directly): the same status, headers and bytes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** Headers that belong to the connection or the moment, not to the answer. */
const CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

function comparable(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CONNECTION_HEADERS.has(name)).sort(([a], [b]) => a.localeCompare(b)));
}

function overSocket(port: number, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

for (const publicUrl of ['http://pallet.test', undefined]) {
  describe(`restore fast path, publicUrl ${publicUrl ?? 'unset'}`, () => {
    let pallet: InProcessPallet;
    let port: number;
    let etag: string;

    before(async () => {
      pallet = await startInProcess({ flags: { publicUrl, host: '127.0.0.1', port: '0' } });
      ({ port } = await pallet.app.listen());
      await pallet.pushOk(buildNupkg({ id: 'Fast.Path', version: '1.0.0' }));
      await pallet.pushOk(buildNupkg({ id: 'Fast.Path', version: '2.0.0-beta.1+build.5' }));
      for (let minor = 0; minor < 130; minor += 1) await pallet.pushOk(buildNupkg({ id: 'Fast.Paged', version: `1.${minor}.0` }));
      etag = String((await pallet.get('/v3/registration-gz-semver2/fast.path/index.json', { 'accept-encoding': 'gzip', host: 'nuget.lan:5000' })).headers.etag);
    });
    after(() => pallet.close());

    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/v3/package/fast.path/index.json', {}],
      ['GET', '/v3/package/FAST.Path/index.json', { 'accept-encoding': 'gzip' }],
      ['HEAD', '/v3/package/fast.path/index.json', {}],
      ['GET', '/v3/package/fast.path/index.json?semVerLevel=2.0.0', {}],
      ['GET', '/v3/registration/fast.path/index.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration-gz/fast.path/index.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration-gz/fast.path/index.json', {}],
      ['GET', '/v3/registration-gz-semver2/fast.path/index.json', { 'accept-encoding': 'gzip, deflate' }],
      ['GET', '/v3/registration-gz-semver2/fast.path/index.json', { 'accept-encoding': 'gzip;q=0' }],
      ['HEAD', '/v3/registration-gz-semver2/fast.path/index.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/package/no.such.package/index.json', {}],
      ['GET', '/v3/package/fast%2Epath/index.json', {}],
      ['GET', '/v3/registration-gz-semver2/fast.path/INDEX.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration-gz-semver2/fast.paged/page/1.128.0/1.129.0.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration/Fast.Paged/page/1.0.0/1.63.0.json', {}],
      ['HEAD', '/v3/registration-gz/fast.paged/page/1.64.0/1.127.0.json', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration-gz/fast.paged/page/1.64.0/1.127.0', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/registration-gz/fast.paged/page/1.64.0/1.126.0.json', {}],
    ];
    for (const [method, path, headers] of cases) {
      it(`${method} ${path} ${JSON.stringify(headers)}`, async () => {
        const sent = { host: 'nuget.lan:5000', ...headers };
        const framework = await pallet.inject({ method: method as 'GET', url: path, headers: sent });
        const socket = await overSocket(port, method, path, sent);
        assert.equal(socket.status, framework.statusCode);
        assert.deepEqual(comparable(socket.headers), comparable(framework.headers));
        assert.deepEqual(socket.body, framework.rawPayload);
      });
    }

    it('answers 304 to a matching If-None-Match like the route', async () => {
      const sent = { host: 'nuget.lan:5000', 'accept-encoding': 'gzip', 'if-none-match': etag };
      const framework = await pallet.inject({ method: 'GET', url: '/v3/registration-gz-semver2/fast.path/index.json', headers: sent });
      const socket = await overSocket(port, 'GET', '/v3/registration-gz-semver2/fast.path/index.json', sent);
      assert.equal(framework.statusCode, 304);
      assert.equal(socket.status, 304);
      assert.deepEqual(comparable(socket.headers), comparable(framework.headers));
      assert.equal(socket.body.length, 0);
    });

    it('follows a push at once', async () => {
      await pallet.pushOk(buildNupkg({ id: 'Fast.Path', version: '3.0.0' }));
      const socket = await overSocket(port, 'GET', '/v3/package/fast.path/index.json', { host: 'nuget.lan:5000' });
      assert.deepEqual(JSON.parse(socket.body.toString()), { versions: ['1.0.0', '2.0.0-beta.1', '3.0.0'] });
    });
  });
}
