import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { openSqliteDatabase } from '../stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../stores/metadata/sqlite-package-store.ts';
import { nugetReadDocuments } from '../protocol/nuget/read-documents.ts';
import { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { newVersion } from '../../test/contract/package-store.contract.ts';
import { FsBlobStore } from '../stores/blob/fs-blob-store.ts';
import { PackageReader } from '../app/packages/read-package.ts';
import { DownloadCounter } from '../app/packages/download-counter.ts';
import { DocumentResponder } from './document-responder.ts';
import { BlobResponder } from './blob-responder.ts';
import { PackageDownloadAnswers } from './package-download-answers.ts';
import { restoreFastPath } from './restore-fast-path.ts';
import { DEFAULT_FEED_ID as FEED } from '../domain/feed.ts';
import { ADMIN_PUSH } from '../../test/support/change-records.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** A server with the fast path alone: what it leaves is answered 599, so each answer shows who gave it. */
describe('restoreFastPath', () => {
  let folder: string;
  let server: http.Server;
  let port: number;
  let close: () => void;
  let store: SqlitePackageStore;
  let counter: DownloadCounter;

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pallet-fast-path-'));
    const database = openSqliteDatabase(path.join(folder, 'pallet.db'));
    store = new SqlitePackageStore(database, nugetReadDocuments);
    const version = newVersion('Fast.Path', '1.0.0');
    await store.insertVersion(FEED, version, ADMIN_PUSH);
    for (let minor = 0; minor < 130; minor += 1) await store.insertVersion(FEED, newVersion('Fast.Paged', `1.${minor}.0`), ADMIN_PUSH);
    const blobs = new FsBlobStore(path.join(folder, 'blobs'));
    await blobs.putBytes(version.packageBlob, Buffer.alloc(version.packageSize, 7));
    counter = new DownloadCounter(store, silent, 60_000);
    const downloads = new PackageDownloadAnswers({
      packages: store,
      reader: new PackageReader(store, blobs),
      blobFiles: new BlobResponder(blobs, { maxCacheBytes: 1 << 20, maxEntryBytes: 1 << 20 }),
      downloads: counter,
    });
    const fastPath = restoreFastPath({ documents: new DocumentResponder(store, { maxCacheBytes: 1 << 20 }), downloads, urlsFor: () => new FeedUrls('http://feed.test') });
    server = http.createServer((request, response) => {
      void Promise.resolve(fastPath(request, response)).then((answered) => answered || response.writeHead(599).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
    close = () => database.close();
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    close();
    await rm(folder, { recursive: true, force: true });
  });

  const status = (method: string, url: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
        .on('error', reject)
        .end(method === 'PUT' ? 'body' : undefined);
    });

  it('answers version lists and registration indexes that exist, GET and HEAD', async () => {
    assert.equal(await status('GET', '/v3/package/fast.path/index.json'), 200);
    assert.equal(await status('HEAD', '/v3/package/Fast.Path/index.json'), 200);
    assert.equal(await status('GET', '/v3/registration/fast.path/index.json'), 200);
    assert.equal(await status('GET', '/v3/registration-gz-semver2/fast.path/index.json?x=1', { 'accept-encoding': 'gzip' }), 200);
    assert.equal(await status('GET', '/v3/registration-gz-semver2/fast.paged/page/1.128.0/1.129.0.json', { 'accept-encoding': 'gzip' }), 200);
    assert.equal(await status('GET', '/v3/registration/FAST.Paged/page/1.0.0/1.63.0.json'), 200);
  });

  it('answers a GET of a .nupkg kept in memory, and counts each', async () => {
    assert.equal(await status('GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg'), 200); // read, then kept
    assert.equal(await status('GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg'), 200); // from memory
    assert.equal(await status('GET', '/v3/package/FAST.path/1.0/fast.path.1.0.0.nupkg'), 200);
    await counter.flush();
    assert.equal((await store.findVersion(FEED, 'fast.path', '1.0.0'))?.downloads, 3);
  });

  it('leaves everything else to the framework', async () => {
    assert.equal(await status('GET', '/v3/package/missing/index.json'), 599); // the route's 404
    assert.equal(await status('GET', '/v3/package/fast%2Epath/index.json'), 599);
    assert.equal(await status('HEAD', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg'), 599); // a stat, not a read
    assert.equal(await status('GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.0.nupkg', { 'if-none-match': '"x"' }), 599);
    assert.equal(await status('GET', '/v3/package/fast.path/2.0.0/fast.path.2.0.0.nupkg'), 599); // the route's 404
    assert.equal(await status('GET', '/v3/package/fast.path/1.0.0/fast.path.1.0.1.nupkg'), 599);
    assert.equal(await status('GET', '/v3/package/fast.path/1.0.0/fast.path.nuspec'), 599);
    assert.equal(await status('GET', '/v3/registration-gz/fast.path/1.0.0.json'), 599);
    assert.equal(await status('GET', '/v3/other/fast.path/index.json'), 599);
    assert.equal(await status('GET', '/v3/registration/fast.paged/page/1.0.0/1.62.0.json'), 599); // no such page: the route's 404
    assert.equal(await status('GET', '/v3/registration/fast.paged/page/1.0.0/1.63.0'), 599); // no .json: the route's reading
    assert.equal(await status('GET', '/v3/package/fast.path/index.json', { 'content-length': '4' }), 599);
    assert.equal(await status('PUT', '/v3/package/fast.path/index.json'), 599);
  });
});
