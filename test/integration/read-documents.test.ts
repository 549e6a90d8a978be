/**
 * The stored read documents behind the flat container's version list and the registration indexes and
 * pages: rewritten on every push, unlist and relist, served with strong ETags and 304s, rendered for the
 * base URL of each request, and projected at start for a database that predates them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';

const READS = [
  { url: '/v3/package/etag.demo/index.json', gzip: false },
  { url: '/v3/registration/etag.demo/index.json', gzip: false },
  { url: '/v3/registration-gz/etag.demo/index.json', gzip: true },
  { url: '/v3/registration-gz-semver2/etag.demo/index.json', gzip: true },
];

async function etagsOf(pallet: InProcessPallet): Promise<string[]> {
  const etags: string[] = [];
  for (const read of READS) {
    const response = await pallet.get(read.url, { 'accept-encoding': 'gzip' });
    assert.equal(response.statusCode, 200, read.url);
    etags.push(String(response.headers.etag));
  }
  return etags;
}

describe('read documents', () => {
  it('answers 304 to a matching If-None-Match, with the ETag and no body, and logs nothing above info', async () => {
    const pallet = await startInProcess({ captureLogs: true });
    try {
      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.0.0' }));
      for (const read of READS) {
        const first = await pallet.get(read.url, { 'accept-encoding': 'gzip' });
        const etag = String(first.headers.etag);
        assert.match(etag, /^"[\w-]+\.[\w-]+(\.gz)?"$/, read.url);
        assert.equal(first.headers['cache-control'], 'no-cache');
        const again = await pallet.get(read.url, { 'accept-encoding': 'gzip', 'if-none-match': `"other", ${etag}` });
        assert.equal(again.statusCode, 304, read.url);
        assert.equal(again.rawPayload.length, 0);
        assert.equal(again.headers.etag, etag);
        assert.equal((await pallet.get(read.url, { 'accept-encoding': 'gzip', 'if-none-match': '"other"' })).statusCode, 200);
      }
      // A route that answered twice (a reply is thenable, so returning it from a helper can do that) shows up as a warning.
      assert.deepEqual(pallet.logRecords().filter((record) => Number(record.level) > 30), []);
    } finally {
      await pallet.close();
    }
  });

  it('gives the gzip and identity bodies of a hive their own ETags, and the same document', async () => {
    const pallet = await startInProcess();
    try {
      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.0.0' }));
      const gzipped = await pallet.get('/v3/registration-gz/etag.demo/index.json', { 'accept-encoding': 'gzip' });
      const plain = await pallet.get('/v3/registration-gz/etag.demo/index.json', { 'accept-encoding': 'identity' });
      assert.equal(gzipped.headers['content-encoding'], 'gzip');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(gzipped.headers.vary, 'Accept-Encoding');
      assert.notEqual(gzipped.headers.etag, plain.headers.etag);
      assert.equal(gunzipSync(gzipped.rawPayload).toString(), plain.body);
      assert.equal((await pallet.get('/v3/registration-gz/etag.demo/index.json', { 'if-none-match': String(gzipped.headers.etag) })).statusCode, 200);
    } finally {
      await pallet.close();
    }
  });

  it('rewrites every document on push, unlist and relist; the ETag follows the content', async () => {
    const pallet = await startInProcess();
    try {
      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.0.0' }));
      const one = await etagsOf(pallet);

      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '2.0.0' }));
      const two = await etagsOf(pallet);
      two.forEach((etag, index) => assert.notEqual(etag, one[index], READS[index]?.url));
      assert.deepEqual((await pallet.json('/v3/package/etag.demo/index.json')).body, { versions: ['1.0.0', '2.0.0'] });
      const stale = await pallet.get(READS[3]!.url, { 'accept-encoding': 'gzip', 'if-none-match': one[3]! });
      assert.equal(stale.statusCode, 200);

      assert.equal((await pallet.setListed('Etag.Demo', '2.0.0', false)).statusCode, 200);
      const unlisted = await etagsOf(pallet);
      assert.equal(unlisted[0], two[0], 'the version list keeps unlisted versions, so it is unchanged');
      for (const index of [1, 2, 3]) assert.notEqual(unlisted[index], two[index], READS[index]?.url);
      const leaves = (await pallet.json('/v3/registration-gz-semver2/etag.demo/index.json')).body.items[0].items;
      assert.deepEqual(leaves.map((leaf: any) => [leaf.catalogEntry.version, leaf.catalogEntry.listed]), [['1.0.0', true], ['2.0.0', false]]);

      assert.equal((await pallet.setListed('Etag.Demo', '2.0.0', true)).statusCode, 200);
      assert.deepEqual(await etagsOf(pallet), two, 'the same versions and flags give the same documents, so the same ETags');
      const relisted = (await pallet.json('/v3/registration-gz-semver2/etag.demo/index.json')).body.items[0].items;
      assert.equal(relisted[1].catalogEntry.listed, true);
    } finally {
      await pallet.close();
    }
  });

  it('writes the base URL of each request into the same stored document, with its own ETag', async () => {
    const pallet = await startInProcess({ flags: { publicUrl: undefined } });
    try {
      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.0.0' }));
      const url = '/v3/registration-gz-semver2/etag.demo/index.json';
      const lan = await pallet.json(url, { headers: { host: 'nuget.lan:5000' } });
      const other = await pallet.json(url, { headers: { host: 'pallet.example:8080' } });
      assert.equal(lan.body['@id'], 'http://nuget.lan:5000/v3/registration-gz-semver2/etag.demo/index.json');
      assert.equal(lan.body.items[0].items[0].packageContent, 'http://nuget.lan:5000/v3/package/etag.demo/1.0.0/etag.demo.1.0.0.nupkg');
      assert.equal(other.body['@id'], 'http://pallet.example:8080/v3/registration-gz-semver2/etag.demo/index.json');
      assert.doesNotMatch(JSON.stringify(lan.body), /pallet-base\.invalid|pallet\.example/);
      assert.notEqual(lan.headers.etag, other.headers.etag);
    } finally {
      await pallet.close();
    }
  });

  it('serves the pages of an id with more than 127 versions from stored documents', async () => {
    const pallet = await startInProcess();
    try {
      for (let minor = 0; minor < 130; minor += 1) await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: `1.${minor}.0` }));
      const index = await pallet.json('/v3/registration-gz-semver2/etag.demo/index.json');
      assert.deepEqual(index.body.items.map((page: any) => [page.lower, page.upper, page.count, page.items]), [
        ['1.0.0', '1.63.0', 64, undefined],
        ['1.64.0', '1.127.0', 64, undefined],
        ['1.128.0', '1.129.0', 2, undefined],
      ]);
      const last = await pallet.json('/v3/registration-gz-semver2/etag.demo/page/1.128.0/1.129.0.json');
      assert.equal(last.status, 200);
      assert.deepEqual(last.body.items.map((leaf: any) => leaf.catalogEntry.version), ['1.128.0', '1.129.0']);
      const etag = String(last.headers.etag);
      assert.equal((await pallet.get('/v3/registration-gz-semver2/etag.demo/page/1.128.0/1.129.0.json', { 'accept-encoding': 'gzip', 'if-none-match': etag })).statusCode, 304);
      await pallet.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.130.0' }));
      assert.equal((await pallet.get('/v3/registration-gz-semver2/etag.demo/page/1.128.0/1.129.0.json')).statusCode, 404);
      assert.deepEqual(
        (await pallet.json('/v3/registration-gz-semver2/etag.demo/page/1.128.0/1.130.0.json')).body.items.map((leaf: any) => leaf.catalogEntry.version),
        ['1.128.0', '1.129.0', '1.130.0'],
      );
    } finally {
      await pallet.close();
    }
  });

  it('projects the documents at start for a database written before they existed', async () => {
    const first = await startInProcess();
    await first.pushOk(buildNupkg({ id: 'Etag.Demo', version: '1.0.0' }));
    await first.pushOk(buildNupkg({ id: 'Other.Demo', version: '3.0.0-beta' }));
    const expected = (await first.json('/v3/registration-gz-semver2/etag.demo/index.json')).body;
    await first.close({ keepData: true });

    // As a database from before read documents existed is after its upgrade: none stored, no record of their format.
    const database = new DatabaseSync(path.join(first.dataDir, 'pallet.db'));
    database.exec('DELETE FROM read_documents; DELETE FROM derived_formats;');
    database.close();

    const reopened = await startInProcess({ dataDir: first.dataDir, captureLogs: true });
    try {
      assert.deepEqual((await reopened.json('/v3/registration-gz-semver2/etag.demo/index.json')).body, expected);
      assert.deepEqual((await reopened.json('/v3/package/other.demo/index.json')).body, { versions: ['3.0.0-beta'] });
      const projected = reopened.logRecords().find((record) => record.msg === 'read documents projected for the stored packages');
      assert.equal(projected?.ids, 2);
    } finally {
      await reopened.close();
    }
  });
});
