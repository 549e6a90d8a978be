/**
 * The registration of an id a feed resolves through an upstream source: the feed's stored versions with the
 * upstream's, every URL the feed's own, paged like any registration, the SemVer 1 hives without SemVer 2.0.0
 * versions, never for an id the feed holds of its own, and the stored documents once the upstream is gone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { DEFAULT_FEED_ID } from '../../src/domain/feed.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, PUBLIC_URL, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { freePort } from '../support/smtp-sink.ts';

interface Leaf {
  '@id': string;
  packageContent: string;
  registration: string;
  catalogEntry: { id: string; version: string; listed: boolean; description: string; iconUrl?: string; projectUrl?: string; dependencyGroups: { dependencies: { id: string; range: string; registration: string }[] }[] };
}
interface Page {
  '@id': string;
  count: number;
  lower: string;
  upper: string;
  items?: Leaf[];
}
interface Index {
  count: number;
  items: Page[];
}

const MIRROR = `${PUBLIC_URL}/feeds/mirror`;

describe('the registration of an id read through an upstream source', () => {
  let upstream: InProcessPallet;
  let pallet: InProcessPallet;
  let upstreamIndex = '';

  before(async () => {
    const port = await freePort();
    upstream = await startInProcess({ flags: { host: '127.0.0.1', port: String(port), publicUrl: `http://127.0.0.1:${port}` } });
    await upstream.app.listen();
    upstreamIndex = `http://127.0.0.1:${port}/v3/index.json`;
    await upstream.pushOk(buildNupkg({ id: 'Up.Lib', version: '1.0.0', description: 'The first.', dependencyGroups: [{ dependencies: [{ id: 'Dep.Lib', range: '1.0.0' }] }] }));
    // An embedded icon: the upstream links it on its own host, which the feed does not pass on.
    const icon = { path: 'icon.png', bytes: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex') };
    for (const version of ['1.1.0', '2.0.0-beta.1']) await upstream.pushOk(buildNupkg({ id: 'Up.Lib', version, icon, projectUrl: 'https://example.org/up' }));
    assert.equal((await upstream.setListed('Up.Lib', '1.0.0', false)).statusCode, 200);
    await upstream.pushOk(buildNupkg({ id: 'Guarded.Lib', version: '9.9.9' }));
    for (let patch = 0; patch < 130; patch += 1) await upstream.pushOk(buildNupkg({ id: 'Many.Lib', version: `1.0.${patch}` }));

    pallet = await startInProcess({ flags: { upstreamCacheTime: '300ms' } });
    const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
    assert.equal((await pallet.inject({ method: 'POST', url: '/api/v1/feeds', headers: admin, payload: JSON.stringify({ name: 'mirror' }) })).statusCode, 201);
    const set = await pallet.inject({ method: 'POST', url: '/api/v1/feeds/mirror', headers: admin, payload: JSON.stringify({ upstreams: [upstreamIndex] }) });
    assert.equal(set.statusCode, 200, set.body);
  });

  after(async () => {
    await pallet?.close();
    await upstream?.close();
  });

  const index = (hive: string, idLower: string) => pallet.json<Index>(`/feeds/mirror/v3/${hive}/${idLower}/index.json`);
  const versionsOf = (body: Index) => body.items.flatMap((page) => page.items ?? []).map((leaf) => leaf.catalogEntry.version);

  it("shows the upstream's versions with the upstream's metadata, on the feed's own URLs", async () => {
    const { status, body } = await index('registration-gz-semver2', 'up.lib');
    assert.equal(status, 200);
    assert.deepEqual(versionsOf(body), ['1.0.0', '1.1.0', '2.0.0-beta.1']);
    const [first] = body.items[0]?.items ?? [];
    assert.ok(first);
    assert.equal(first.packageContent, `${MIRROR}/v3/package/up.lib/1.0.0/up.lib.1.0.0.nupkg`);
    assert.equal(first.registration, `${MIRROR}/v3/registration-gz-semver2/up.lib/index.json`);
    assert.equal(first['@id'], `${MIRROR}/v3/registration-gz-semver2/up.lib/1.0.0.json`);
    assert.equal(first.catalogEntry.listed, false, 'unlisted upstream, unlisted here');
    assert.equal(first.catalogEntry.description, 'The first.');
    assert.deepEqual(first.catalogEntry.dependencyGroups[0]?.dependencies, [{ '@type': 'PackageDependency', id: 'Dep.Lib', range: '[1.0.0, )', registration: `${MIRROR}/v3/registration-gz-semver2/dep.lib/index.json` }]);
    assert.ok(!JSON.stringify(body).includes(upstreamIndex.replace('/v3/index.json', '')), 'no URL of the upstream');
    const beta = body.items[0]?.items?.[2]?.catalogEntry;
    assert.deepEqual([beta?.iconUrl, beta?.projectUrl], [undefined, 'https://example.org/up'], 'links elsewhere are kept');

    assert.deepEqual(versionsOf((await index('registration', 'up.lib')).body), ['1.0.0', '1.1.0'], 'a SemVer 1 hive leaves out SemVer 2.0.0 versions');
    const leaf = await pallet.json<Leaf>('/feeds/mirror/v3/registration-gz-semver2/up.lib/2.0.0-beta.1.json');
    assert.equal(leaf.status, 200);
    assert.equal(leaf.body.packageContent, `${MIRROR}/v3/package/up.lib/2.0.0-beta.1/up.lib.2.0.0-beta.1.nupkg`);
    assert.equal((await pallet.get('/feeds/mirror/v3/registration/up.lib/2.0.0-beta.1.json')).statusCode, 404);
  });

  it('shows a version it stored as stored, once, among the upstream ones', async () => {
    // Readers at once share one download (the upstream's count says so once it is closed, below).
    const downloads = await Promise.all(Array.from({ length: 4 }, () => pallet.get('/feeds/mirror/v3/package/up.lib/1.1.0/up.lib.1.1.0.nupkg')));
    assert.deepEqual(downloads.map((response) => response.statusCode), [200, 200, 200, 200]);
    const { body } = await index('registration-gz-semver2', 'up.lib');
    assert.deepEqual(versionsOf(body), ['1.0.0', '1.1.0', '2.0.0-beta.1']);
    const stored = body.items[0]?.items?.find((leaf) => leaf.catalogEntry.version === '1.1.0');
    assert.equal(stored?.catalogEntry.iconUrl, `${MIRROR}/v3/package/up.lib/1.1.0/icon`, 'the stored version, with its own icon');
  });

  it('pages an id with more versions than an index inlines, and serves the pages', async () => {
    const { status, body } = await index('registration-gz-semver2', 'many.lib');
    assert.equal(status, 200);
    assert.deepEqual(body.items.map((page) => [page.count, page.lower, page.upper, page.items === undefined]), [
      [64, '1.0.0', '1.0.63', true],
      [64, '1.0.64', '1.0.127', true],
      [2, '1.0.128', '1.0.129', true],
    ]);
    const pageUrl = body.items[1]?.['@id'] ?? '';
    assert.ok(pageUrl.startsWith(`${MIRROR}/v3/registration-gz-semver2/many.lib/page/`), pageUrl);
    const page = await pallet.json<Page>(pageUrl.slice(PUBLIC_URL.length));
    assert.equal(page.status, 200);
    assert.equal(page.body.items?.length, 64);
    assert.equal(page.body.items?.[0]?.packageContent, `${MIRROR}/v3/package/many.lib/1.0.64/many.lib.1.0.64.nupkg`);
    assert.equal((await pallet.get('/feeds/mirror/v3/registration-gz-semver2/many.lib/page/1.0.1/1.0.2.json')).statusCode, 404);
  });

  it('never merges an id the feed holds of its own', async () => {
    assert.equal((await pallet.push(buildNupkg({ id: 'Guarded.Lib', version: '1.0.0' }), { url: '/feeds/mirror/api/v2/package/' })).statusCode, 201);
    assert.deepEqual(versionsOf((await index('registration-gz-semver2', 'guarded.lib')).body), ['1.0.0']);
  });

  it('asks the sources a feed is given at once, not what the ones before it answered', async () => {
    const setUpstreams = async (upstreams: string[]) => {
      const response = await pallet.inject({ method: 'POST', url: '/api/v1/feeds/mirror', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ upstreams }) });
      assert.equal(response.statusCode, 200, response.body);
    };
    assert.deepEqual(versionsOf((await index('registration-gz-semver2', 'up.lib')).body), ['1.0.0', '1.1.0', '2.0.0-beta.1']);
    await setUpstreams(['http://127.0.0.1:9/v3/index.json']);
    assert.deepEqual(versionsOf((await index('registration-gz-semver2', 'up.lib')).body), ['1.1.0'], 'a source nothing listens on: what the feed stores');
    await setUpstreams([upstreamIndex]);
  });

  it('keeps the gallery to what is published here', async () => {
    const response = await pallet.inject({ method: 'POST', url: '/api/v1/feeds/default', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ upstreams: [upstreamIndex] }) });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /give upstream sources to a feed of your own/);
  });

  it('answers what it stored once the upstream cannot be asked', async () => {
    await upstream.close({ keepData: true });
    const tools = openDatabaseForTools(dataFolderLayout(upstream.dataDir).database, 'read');
    try {
      const stored = (await tools.packages.listVersions(DEFAULT_FEED_ID, 'up.lib')).find((version) => version.versionLower === '1.1.0');
      assert.equal(stored?.downloads, 1, 'one download from the upstream for four readers');
    } finally {
      tools.close();
      await rm(upstream.dataDir, { recursive: true, force: true });
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(versionsOf((await index('registration-gz-semver2', 'up.lib')).body), ['1.1.0']);
    assert.equal((await index('registration-gz-semver2', 'many.lib')).status, 404);
  });
});
