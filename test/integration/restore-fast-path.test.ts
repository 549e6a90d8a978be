/**
 * The restore fast path (http/restore-fast-path.ts) answers version lists, registration indexes and pages before
 * the framework does. Over a real socket (where it runs) each answer must be the route's answer (which
 * inject() gives, as it enters the framework directly): the same status, headers and bytes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { rm } from 'node:fs/promises';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { newVersion } from '../contract/package-store.contract.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { nugetReadDocuments } from '../../src/protocol/nuget/read-documents.ts';
import { DEFAULT_FEED_ID as FEED } from '../../src/domain/feed.ts';
import { ADMIN_PUSH } from '../support/change-records.ts';

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

/** Adds version 2.0.0 of the id through a connection of its own, as another server process would. */
async function writeFromAnotherConnection(dataDir: string, id: string): Promise<void> {
  const database = openSqliteDatabase(dataFolderLayout(dataDir).database);
  try {
    assert.equal(await new SqlitePackageStore(database, nugetReadDocuments).insertVersion(FEED, newVersion(id, '2.0.0'), ADMIN_PUSH), 'created');
  } finally {
    database.close();
  }
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
      ['GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg', {}],
      ['GET', '/v3/package/Fast.Path/1.0/FAST.PATH.1.0.0.nupkg', { 'accept-encoding': 'gzip' }],
      ['GET', '/v3/package/fast.path/2.0.0-beta.1/fast.path.2.0.0-beta.1.nupkg', {}],
      ['HEAD', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg', {}],
      ['GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg?x=1', {}],
      ['GET', '/v3/package/fast.path/9.9.9/fast.path.9.9.9.nupkg', {}],
      ['GET', '/v3/package/fast.path/1.0.0/fast.path.2.0.0.nupkg', {}],
      ['GET', '/v3/package/fast.path/1.0.0/fast.path.nuspec', {}],
    ];
    for (const [method, path, headers] of cases) {
      it(`${method} ${path} ${JSON.stringify(headers)}`, async () => {
        const sent = { host: 'nuget.lan:5000', ...headers };
        const framework = await pallet.inject({ method: method as 'GET', url: path, headers: sent });
        // The first answer may come from the store, the second from memory: both are the route's.
        for (const attempt of ['first', 'again']) {
          const socket = await overSocket(port, method, path, sent);
          assert.equal(socket.status, framework.statusCode, attempt);
          assert.deepEqual(comparable(socket.headers), comparable(framework.headers), attempt);
          assert.deepEqual(socket.body, framework.rawPayload, attempt);
        }
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

    it('answers a conditional download like the route', async () => {
      const url = '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg';
      const packageEtag = String((await overSocket(port, 'GET', url, { host: 'nuget.lan:5000' })).headers.etag);
      const sent = { host: 'nuget.lan:5000', 'if-none-match': packageEtag };
      const framework = await pallet.inject({ method: 'GET', url, headers: sent });
      const socket = await overSocket(port, 'GET', url, sent);
      assert.equal(socket.status, 304);
      assert.deepEqual(comparable(socket.headers), comparable(framework.headers));
    });

    it('follows a push at once', async () => {
      await pallet.pushOk(buildNupkg({ id: 'Fast.Path', version: '3.0.0' }));
      const socket = await overSocket(port, 'GET', '/v3/package/fast.path/index.json', { host: 'nuget.lan:5000' });
      assert.deepEqual(JSON.parse(socket.body.toString()), { versions: ['1.0.0', '2.0.0-beta.1', '3.0.0'] });
    });
  });
}

describe('restore fast path: downloads', () => {
  it('counts every GET of a .nupkg answered from memory, and none for HEAD', async () => {
    const pallet = await startInProcess({ flags: { host: '127.0.0.1', port: '0' } });
    const dataDir = pallet.dataDir;
    const url = '/v3/package/counted.fast/1.0.0/counted.fast.1.0.0.nupkg';
    try {
      const { port } = await pallet.app.listen();
      const bytes = buildNupkg({ id: 'Counted.Fast', version: '1.0.0' });
      await pallet.pushOk(bytes);
      for (let download = 0; download < 3; download += 1) assert.deepEqual((await overSocket(port, 'GET', url, {})).body, bytes);
      assert.equal((await overSocket(port, 'HEAD', url, {})).status, 200);
    } finally {
      await pallet.close({ keepData: true }); // closing flushes the buffered counts
    }
    const reopened = await startInProcess({ dataDir });
    try {
      const { body } = await reopened.json('/v3/search?q=packageid:counted.fast');
      assert.equal(body.data[0].totalDownloads, 3);
    } finally {
      await reopened.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('answers from the store again after another process commits', async () => {
    // A second server over the same data folder stands for another process: its push moves the store's
    // read generation, so the first server's remembered version list is checked again.
    const pallet = await startInProcess({ flags: { host: '127.0.0.1', port: '0' } });
    try {
      const { port } = await pallet.app.listen();
      await pallet.pushOk(buildNupkg({ id: 'Shared.Feed', version: '1.0.0' }));
      const read = async () => JSON.parse((await overSocket(port, 'GET', '/v3/package/shared.feed/index.json', {})).body.toString()) as unknown;
      assert.deepEqual(await read(), { versions: ['1.0.0'] });
      assert.deepEqual(await read(), { versions: ['1.0.0'] });
      await writeFromAnotherConnection(pallet.dataDir, 'shared.feed');
      assert.deepEqual(await read(), { versions: ['1.0.0', '2.0.0'] });
    } finally {
      await pallet.close();
    }
  });
});
