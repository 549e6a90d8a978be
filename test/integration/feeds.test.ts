/**
 * Feeds beside the gallery, through the real routes: each a NuGet source of its own under /feeds/{name}
 * with its own URLs and packages; pushes from contributors only, of the versions it accepts; a private
 * feed asks anonymous callers for credentials with a Basic challenge (as the NuGet client needs), shows
 * nothing to non-members (the same answer for an id that exists and one that does not, and for a feed that
 * does not exist), and is read by its readers; the feed list shows each caller what they may read.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { API_KEY, PUBLIC_URL, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { signInHeaders } from '../support/web-session.ts';

const PASSWORD = 'a long enough password';

describe('feeds', () => {
  let pallet: InProcessPallet;
  const keys: Record<string, string> = {};

  before(async () => {
    pallet = await startInProcess();
    Object.assign(keys, await seedUsers(pallet.dataDir, ['alice', 'bob', 'carol'].map((name) => ({ name, password: PASSWORD, key: { name: 'ci', scopes: ['push', 'unlist'] } }))));
  });

  after(async () => {
    await pallet.close();
  });

  const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) => {
    const response = await pallet.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { message: string } } };
  };
  const basic = (name: string) => ({ authorization: `Basic ${Buffer.from(`${name}:${keys[name]}`).toString('base64')}` });
  const pushTo = (feed: string, id: string, version: string, key: string | null) => pallet.push(buildNupkg({ id, version }), { key, url: `/feeds/${feed}/api/v2/package/` });

  it('creates a feed whose service index and documents live under /feeds/{name}', async () => {
    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    const created = await api('POST', '/api/v1/feeds', alice, { name: 'ci', accepts: 'prerelease' });
    assert.deepEqual([created.status, created.body], [
      201,
      { name: 'ci', private: false, accepts: 'prerelease', keepNewest: null, keepDays: null, retentionIncludesStable: false, hardDelete: false, upstreams: [], upstreamBlocked: [], openPush: false, serviceIndex: '/feeds/ci/v3/index.json' },
    ]);
    assert.equal((await api('POST', '/api/v1/feeds', alice, { name: 'ci' })).status, 409);
    assert.equal((await api('POST', '/api/v1/feeds', alice, { name: 'Not A Name' })).status, 400);
    const index = await pallet.json<{ resources: { '@id': string; '@type': string }[] }>('/feeds/ci/v3/index.json');
    assert.equal(index.status, 200);
    const publish = index.body.resources.find((resource) => resource['@type'] === 'PackagePublish/2.0.0');
    assert.equal(publish?.['@id'], `${PUBLIC_URL}/feeds/ci/api/v2/package`);
    assert.ok(index.body.resources.every((resource) => resource['@id'].startsWith(`${PUBLIC_URL}/feeds/ci/`)), 'every URL is the feed’s');
  });

  it('takes pushes from its contributors only, of the versions it accepts, and keeps its packages to itself', async () => {
    assert.equal((await pushTo('ci', 'Alice.Lib', '1.0.0-ci1', keys.alice ?? '')).statusCode, 201);
    const stable = await pushTo('ci', 'Alice.Lib', '1.0.0', keys.alice ?? '');
    assert.equal(stable.statusCode, 403);
    assert.match(stable.body, /The feed 'ci' accepts only pre-release versions\. 'Alice\.Lib' 1\.0\.0 is stable\./);
    const stranger = await pushTo('ci', 'Bob.Lib', '1.0.0-ci1', keys.bob ?? '');
    assert.equal(stranger.statusCode, 403);
    assert.match(stranger.body, /Only contributors of the feed 'ci' push to it/);
    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    assert.equal((await api('POST', '/api/v1/feeds/ci/members', alice, { name: 'bob', role: 'contributor' })).status, 200);
    assert.equal((await pushTo('ci', 'Bob.Lib', '1.0.0-ci1', keys.bob ?? '')).statusCode, 201);
    assert.equal((await pushTo('ci', 'Alice.Lib', '1.0.0-ci2', keys.bob ?? '')).statusCode, 403, "ownership of an id holds in every feed: Alice.Lib is alice's");

    const inFeed = await pallet.json<{ versions: string[] }>('/feeds/ci/v3/package/alice.lib/index.json');
    assert.deepEqual([inFeed.status, inFeed.body.versions], [200, ['1.0.0-ci1']]);
    assert.equal((await pallet.get('/v3/package/alice.lib/index.json')).statusCode, 404, 'not in the gallery');
    assert.equal((await pallet.get('/feeds/ci/v3/package/alice.lib/1.0.0-ci1/alice.lib.1.0.0-ci1.nupkg')).statusCode, 200);
    const search = await pallet.json<{ totalHits: number; data: { id: string; registration: string }[] }>('/feeds/ci/v3/search?q=&prerelease=true');
    assert.deepEqual(search.body.data.map((hit) => hit.id).sort(), ['Alice.Lib', 'Bob.Lib']);
    assert.ok(search.body.data.every((hit) => hit.registration.startsWith(`${PUBLIC_URL}/feeds/ci/`)));
    const registration = await pallet.json<{ items: { items: { catalogEntry: { packageContent?: string }; packageContent: string }[] }[] }>('/feeds/ci/v3/registration/alice.lib/index.json');
    assert.equal(registration.status, 200);
    assert.equal(registration.body.items[0]?.items[0]?.packageContent, `${PUBLIC_URL}/feeds/ci/v3/package/alice.lib/1.0.0-ci1/alice.lib.1.0.0-ci1.nupkg`);
    const unlisted = await pallet.setListed('Bob.Lib', '1.0.0-ci1', false, keys.bob ?? '');
    assert.equal(unlisted.statusCode, 404, 'the gallery has no such version: the unlist route is per feed');
    const byContributor = await pallet.inject({ method: 'DELETE', url: '/feeds/ci/api/v2/package/Bob.Lib/1.0.0-ci1', headers: { 'x-nuget-apikey': keys.bob ?? '' } });
    assert.equal(byContributor.statusCode, 200);
  });

  it('asks anonymous readers of a private feed for credentials, and shows non-members nothing, as for a feed that does not exist', async () => {
    assert.equal((await pallet.inject({ method: 'POST', url: '/api/v1/feeds', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'secret', private: true, owner: 'alice' }) })).statusCode, 201);
    assert.equal((await pushTo('secret', 'Secret.Lib', '1.0.0', keys.alice ?? '')).statusCode, 201);

    const urls = ['/v3/index.json', '/v3/package/secret.lib/index.json', '/v3/package/nothing.here/index.json', '/v3/registration/secret.lib/index.json', '/v3/search?q=secret', '/v3/package/secret.lib/1.0.0/secret.lib.1.0.0.nupkg'];
    for (const url of urls) {
      const anonymous = await pallet.get(`/feeds/secret${url}`);
      assert.equal(anonymous.statusCode, 401, url);
      assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="Pallet"', url);
      const missingFeed = await pallet.get(`/feeds/no-such-feed${url}`);
      assert.deepEqual([missingFeed.statusCode, missingFeed.headers['www-authenticate'], missingFeed.body], [anonymous.statusCode, anonymous.headers['www-authenticate'], anonymous.body], `an unknown feed answers alike: ${url}`);

      const nonMember = await pallet.get(`/feeds/secret${url}`, basic('carol'));
      const nonMemberMissing = await pallet.get(`/feeds/no-such-feed${url}`, basic('carol'));
      assert.equal(nonMember.statusCode, 404, url);
      assert.deepEqual([nonMember.statusCode, nonMember.body], [nonMemberMissing.statusCode, nonMemberMissing.body], `nothing tells them apart: ${url}`);
    }
    const existing = await pallet.get('/feeds/secret/v3/package/secret.lib/index.json', basic('carol'));
    const missing = await pallet.get('/feeds/secret/v3/package/nothing.here/index.json', basic('carol'));
    assert.deepEqual([existing.statusCode, existing.body], [missing.statusCode, missing.body]);
    assert.equal((await pushTo('secret', 'Carol.Lib', '1.0.0', keys.carol ?? '')).statusCode, 404, 'a non-member cannot even push');

    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    assert.equal((await api('POST', '/api/v1/feeds/secret/members', alice, { name: 'carol', role: 'reader' })).status, 200);
    const read = await pallet.get('/feeds/secret/v3/package/secret.lib/index.json', basic('carol'));
    assert.deepEqual([read.statusCode, JSON.parse(read.body)], [200, { versions: ['1.0.0'] }]);
    const readerPush = await pushTo('secret', 'Carol.Lib', '1.0.0', keys.carol ?? '');
    assert.equal(readerPush.statusCode, 403);
    assert.match(readerPush.body, /Only contributors of the feed 'secret' push to it/);
  });

  it('lists to each caller the feeds they may read', async () => {
    const anonymous = (await api('GET', '/api/v1/feeds', {})).body.feeds as { name: string }[];
    assert.deepEqual(anonymous.map((feed) => feed.name), ['default', 'ci']);
    const carol = (await api('GET', '/api/v1/feeds', { authorization: `Bearer ${keys.carol}` })).body.feeds as { name: string; role: string | null }[];
    assert.deepEqual(carol.map((feed) => [feed.name, feed.role]), [['default', null], ['ci', null], ['secret', 'reader']]);
    assert.equal((await api('GET', '/api/v1/feeds/secret/members', { authorization: `Bearer ${keys.carol}` })).status, 403, 'a reader does not manage it');
  });

  it('keeps the gallery open to every account, as before feeds', async () => {
    assert.equal((await pallet.push(buildNupkg({ id: 'Carol.Gallery', version: '1.0.0' }), { key: keys.carol ?? '' })).statusCode, 201);
    assert.equal((await pallet.get('/v3/package/carol.gallery/index.json')).statusCode, 200);
  });

  it('limits a key to chosen feeds, and gives a read-only key for private feeds', async () => {
    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    const onlyCi = await api('POST', '/api/v1/me/api-keys', alice, { name: 'only-ci', scopes: ['push'], feeds: ['ci'] });
    assert.equal(onlyCi.status, 201);
    const onlyCiKey = String(onlyCi.body.secret);
    assert.equal((await pushTo('ci', 'Alice.Lib', '2.0.0-ci1', onlyCiKey)).statusCode, 201);
    const elsewhere = await pushTo('secret', 'Secret.Lib', '2.0.0', onlyCiKey);
    assert.equal(elsewhere.statusCode, 404, 'in a private feed, a key for other feeds is a stranger');
    const gallery = await pallet.push(buildNupkg({ id: 'Alice.Lib', version: '9.0.0' }), { key: onlyCiKey });
    assert.equal(gallery.statusCode, 403);
    assert.match(gallery.body, /The API key 'only-ci' may not be used in the feed 'default'/);
    assert.equal((await api('POST', '/api/v1/me/api-keys', alice, { name: 'nowhere', scopes: ['push'], feeds: ['no-such-feed'] })).status, 404);

    const readOnly = String((await api('POST', '/api/v1/me/api-keys', alice, { name: 'reader', scopes: ['read'] })).body.secret);
    const read = await pallet.get('/feeds/secret/v3/package/secret.lib/index.json', { authorization: `Basic ${Buffer.from(`alice:${readOnly}`).toString('base64')}` });
    assert.equal(read.statusCode, 200);
    const push = await pushTo('secret', 'Secret.Lib', '3.0.0', readOnly);
    assert.equal(push.statusCode, 403);
    assert.match(push.body, /The API key 'reader' does not allow pushing packages/);
  });

  it('promotes a version to another feed, the same bytes, with its dependencies from the source feed, once', async () => {
    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    assert.equal((await api('POST', '/api/v1/feeds', alice, { name: 'staging' })).status, 201);
    assert.equal((await api('POST', '/api/v1/feeds', alice, { name: 'release', accepts: 'stable' })).status, 201);
    const push = (id: string, version: string, dependencyGroups?: { dependencies: { id: string; range: string }[] }[]) =>
      pallet.push(buildNupkg({ id, version, ...(dependencyGroups === undefined ? {} : { dependencyGroups }) }), { key: keys.alice ?? '', url: '/feeds/staging/api/v2/package/' });
    for (const version of ['1.0.0', '1.1.0']) assert.equal((await push('Alice.Core', version)).statusCode, 201);
    assert.equal((await push('Alice.App', '1.0.0', [{ dependencies: [{ id: 'Alice.Core', range: '[1.0.0, )' }, { id: 'Elsewhere.Lib', range: '1.0.0' }] }])).statusCode, 201);

    const promote = (id: string, version: string, body: Record<string, unknown>, headers: Record<string, string> = alice) => api('POST', `/api/v1/packages/${id}/${version}/promote`, headers, body);
    const promoted = await promote('Alice.App', '1.0.0', { from: 'staging', to: 'release', withDependencies: true });
    assert.deepEqual([promoted.status, promoted.body], [200, { promoted: [{ id: 'Alice.App', version: '1.0.0' }, { id: 'Alice.Core', version: '1.0.0' }] }], 'the lowest version the range allows, as restore picks');
    const fromStaging = await pallet.get('/feeds/staging/v3/package/alice.app/1.0.0/alice.app.1.0.0.nupkg');
    const fromRelease = await pallet.get('/feeds/release/v3/package/alice.app/1.0.0/alice.app.1.0.0.nupkg');
    assert.equal(fromRelease.statusCode, 200);
    assert.ok(fromRelease.rawPayload.equals(fromStaging.rawPayload), 'the same bytes');
    assert.deepEqual((await pallet.json<{ versions: string[] }>('/feeds/release/v3/package/alice.core/index.json')).body.versions, ['1.0.0']);

    const again = await promote('Alice.App', '1.0.0', { from: 'staging', to: 'release' });
    assert.equal(again.status, 409);
    assert.match(again.body.error?.message ?? '', /already has 'Alice\.App' 1\.0\.0; versions are never replaced/);
    const preRelease = await promote('Alice.Lib', '1.0.0-ci1', { from: 'ci', to: 'release' });
    assert.equal(preRelease.status, 403);
    assert.match(preRelease.body.error?.message ?? '', /The feed 'release' accepts only stable versions/);
    const notOwner = await promote('Alice.Core', '1.1.0', { from: 'staging', to: 'release' }, { authorization: `Bearer ${keys.bob}` });
    assert.equal(notOwner.status, 403);
    const missing = await promote('Alice.Core', '9.9.9', { from: 'staging', to: 'release' });
    assert.equal(missing.status, 404);
    const audit = await api('GET', '/api/v1/me/events', alice);
    assert.ok((audit.body.events as { kind: string }[]).some((event) => event.kind === 'package.promoted'));
  });
});

describe('a private feed shows nothing to those who may not read it (the leak matrix)', () => {
  let pallet: InProcessPallet;
  const keys: Record<string, string> = {};

  before(async () => {
    pallet = await startInProcess();
    Object.assign(keys, await seedUsers(pallet.dataDir, ['owner', 'outsider', 'reader', 'contributor'].map((name) => ({ name, password: PASSWORD, key: { name: 'key', scopes: ['push'] } }))));
    const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
    await pallet.inject({ method: 'POST', url: '/api/v1/feeds', headers: admin, payload: JSON.stringify({ name: 'vault', private: true, owner: 'owner' }) });
    for (const [name, role] of [['reader', 'reader'], ['contributor', 'contributor']]) {
      await pallet.inject({ method: 'POST', url: '/api/v1/feeds/vault/members', headers: admin, payload: JSON.stringify({ name, role }) });
    }
    const pushed = await pallet.push(buildNupkg({ id: 'Vault.Lib', version: '1.0.0', readme: { path: 'README.md', content: 'Secret readme' } }), { key: keys.owner ?? '', url: '/feeds/vault/api/v2/package/' });
    assert.equal(pushed.statusCode, 201);
  });

  after(async () => {
    await pallet.close();
  });

  const reads = (id: string) => [
    '/v3/index.json',
    `/v3/package/${id}/index.json`,
    `/v3/package/${id}/1.0.0/${id}.1.0.0.nupkg`,
    `/v3/package/${id}/1.0.0/${id}.nuspec`,
    `/v3/package/${id}/1.0.0/readme`,
    `/v3/registration/${id}/index.json`,
    `/v3/registration/${id}/1.0.0.json`,
    `/v3/registration-gz-semver2/${id}/index.json`,
    `/v3/search?q=${id}`,
    `/v3/autocomplete?q=${id}`,
    `/packages/${id}`,
  ];
  const as = (who: string | undefined): Record<string, string> => (who === undefined ? {} : { authorization: `Basic ${Buffer.from(`${who}:${keys[who]}`).toString('base64')}` });

  for (const who of [undefined, 'outsider']) {
    it(`answers ${who ?? 'anonymous callers'} alike for an id that exists, one that does not, and a feed that does not`, async () => {
      for (const [existing, missing] of reads('vault.lib').map((url, index) => [url, reads('missing.lib')[index] as string])) {
        const answers = await Promise.all([`/feeds/vault${existing}`, `/feeds/vault${missing}`, `/feeds/nowhere${existing}`].map((url) => pallet.get(url, as(who))));
        const shape = answers.map((answer) => [answer.statusCode, answer.headers['www-authenticate'] ?? null, answer.headers['content-type'] ?? null, answer.body]);
        assert.equal(shape[0]?.[0], who === undefined ? 401 : 404, existing);
        assert.deepEqual(shape[1], shape[0], `${existing} vs ${missing}`);
        assert.deepEqual(shape[2], shape[0], `${existing} in a feed that does not exist`);
        assert.ok(!answers.some((answer) => answer.body.includes('Vault') || answer.body.includes('Secret readme')), existing);
      }
    });
  }

  for (const who of ['reader', 'contributor', 'owner']) {
    it(`lets a ${who} read the package`, async () => {
      for (const url of reads('vault.lib').slice(1, 5)) assert.equal((await pallet.get(`/feeds/vault${url}`, as(who))).statusCode, 200, url);
    });
  }

  it('keeps the feed out of the feed list, and its package out of the gallery and of other feeds', async () => {
    const listed = ((await pallet.inject({ method: 'GET', url: '/api/v1/feeds', headers: { authorization: `Bearer ${keys.outsider}` } })).json() as { feeds: { name: string }[] }).feeds;
    assert.ok(!listed.some((feed) => feed.name === 'vault'));
    assert.equal((await pallet.get('/v3/package/vault.lib/index.json')).statusCode, 404);
    assert.equal(((await pallet.json<{ totalHits: number }>('/v3/search?q=vault')).body).totalHits, 0);
  });
});

describe('feeds declared in the configuration', () => {
  it('creates them at start, brings them back to the declared settings at the next, and adds the declared members', async () => {
    const declared = { 'from-config': { private: true, accepts: 'stable', owner: 'ops', members: { dev: 'contributor' } } };
    let pallet = await startInProcess({ flags: { feeds: JSON.stringify(declared) } });
    const dataDir = pallet.dataDir;
    const tools = openDatabaseForTools(dataFolderLayout(dataDir).database, 'write');
    try {
      const deps = { accounts: tools.accounts, now: () => new Date() };
      for (const name of ['ops', 'dev']) await createUser(deps, COMMAND_LINE, { name, email: `${name}@example.com`, isAdministrator: false, password: PASSWORD });
    } finally {
      tools.close();
    }
    const feeds = async () => ((await pallet.inject({ method: 'GET', url: '/api/v1/feeds', headers: { 'x-nuget-apikey': API_KEY } })).json() as { feeds: { name: string; private: boolean; accepts: string }[] }).feeds;
    assert.deepEqual((await feeds()).find((feed) => feed.name === 'from-config'), {
      name: 'from-config',
      private: true,
      accepts: 'stable',
      keepNewest: null,
      keepDays: null,
      retentionIncludesStable: false,
      hardDelete: false,
      upstreams: [],
      upstreamBlocked: [],
      openPush: false,
      serviceIndex: '/feeds/from-config/v3/index.json',
      role: null,
    });
    // Changed by hand, then the next start brings it back; the accounts now exist, so the members are added.
    await pallet.inject({ method: 'POST', url: '/api/v1/feeds/from-config', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ private: false }) });
    await pallet.close({ keepData: true });
    pallet = await startInProcess({ dataDir, flags: { feeds: JSON.stringify(declared) } });
    try {
      assert.equal((await feeds()).find((feed) => feed.name === 'from-config')?.private, true);
      const members = (await pallet.inject({ method: 'GET', url: '/api/v1/feeds/from-config/members', headers: { 'x-nuget-apikey': API_KEY } })).json() as { members: { name: string; role: string }[] };
      assert.deepEqual(members.members.map((member) => [member.name, member.role]), [['dev', 'contributor'], ['ops', 'owner']]);
    } finally {
      await pallet.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('retention on a CI feed', () => {
  it('lists in a dry run, then unlists, what the rules let go, keeping pins and what kept versions depend on', async () => {
    const pallet = await startInProcess();
    try {
      const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
      const call = async (method: 'POST' | 'DELETE', url: string, payload?: unknown) => {
        const response = await pallet.inject({ method, url, headers: admin, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
        return { status: response.statusCode, body: response.json() as Record<string, unknown> };
      };
      assert.equal((await call('POST', '/api/v1/feeds', { name: 'nightly', accepts: 'prerelease' })).status, 201);
      const push = async (id: string, version: string, dependencyGroups?: { dependencies: { id: string; range: string }[] }[]) => {
        const pushed = await pallet.push(buildNupkg({ id, version, ...(dependencyGroups === undefined ? {} : { dependencyGroups }) }), { url: '/feeds/nightly/api/v2/package/' });
        assert.equal(pushed.statusCode, 201, `${id} ${version}`);
      };
      for (const build of [1, 2, 3, 4]) await push('Nightly.Core', `1.0.0-build${build}`);
      // The newest app needs the first core build exactly; the others need nothing.
      await push('Nightly.App', '1.0.0-build1');
      await push('Nightly.App', '1.0.0-build2');
      await push('Nightly.App', '1.0.0-build3', [{ dependencies: [{ id: 'Nightly.Core', range: '[1.0.0-build1]' }] }]);
      for (const build of [1, 2, 3]) await push('Nightly.Tool', `2.0.0-build${build}`);
      assert.equal((await call('POST', '/api/v1/feeds/nightly/pins', { id: 'Nightly.Tool', version: '2.0.0-build1' })).status, 200);
      assert.equal((await call('POST', '/api/v1/feeds/nightly/retention', { dryRun: true })).status, 400, 'no rules yet');
      const set = await call('POST', '/api/v1/feeds/nightly', { keepNewest: 1 });
      assert.equal(set.body.keepNewest, 1);

      const expected = [
        { id: 'Nightly.App', version: '1.0.0-build1' },
        { id: 'Nightly.App', version: '1.0.0-build2' },
        { id: 'Nightly.Core', version: '1.0.0-build2' },
        { id: 'Nightly.Core', version: '1.0.0-build3' },
        { id: 'Nightly.Tool', version: '2.0.0-build2' },
      ];
      const dryRun = await call('POST', '/api/v1/feeds/nightly/retention', { dryRun: true });
      assert.deepEqual(dryRun.body, { dryRun: true, versions: expected });
      assert.deepEqual((await pallet.json<{ versions: string[] }>('/feeds/nightly/v3/package/nightly.core/index.json')).body.versions.length, 4, 'a dry run changes nothing');
      const run = await call('POST', '/api/v1/feeds/nightly/retention', { dryRun: false });
      assert.deepEqual(run.body, { dryRun: false, versions: expected });

      const listed = async (id: string) => {
        const search = await pallet.json<{ data: { id: string; versions: { version: string }[] }[] }>(`/feeds/nightly/v3/search?q=packageid:${id}&prerelease=true`);
        return search.body.data[0]?.versions.map((each) => each.version) ?? [];
      };
      assert.deepEqual(await listed('Nightly.Core'), ['1.0.0-build1', '1.0.0-build4'], 'the build the newest app needs stays');
      assert.deepEqual(await listed('Nightly.Tool'), ['2.0.0-build1', '2.0.0-build3'], 'the pinned build stays');
      assert.deepEqual(await listed('Nightly.App'), ['1.0.0-build3']);
      assert.equal((await pallet.get('/feeds/nightly/v3/package/nightly.core/1.0.0-build2/nightly.core.1.0.0-build2.nupkg')).statusCode, 200, 'unlisted, it still restores');
      assert.deepEqual((await call('POST', '/api/v1/feeds/nightly/retention', { dryRun: false })).body, { dryRun: false, versions: [] }, 'a second run has nothing left to do');
    } finally {
      await pallet.close();
    }
  });
});

describe('hard delete in a scratch feed', () => {
  it("deletes a version when the feed's owner chose it, and never in the gallery", async () => {
    const pallet = await startInProcess();
    try {
      const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
      const call = async (url: string, payload: unknown) => {
        const response = await pallet.inject({ method: 'POST', url, headers: admin, payload: JSON.stringify(payload) });
        return { status: response.statusCode, body: response.json() as Record<string, unknown> };
      };
      assert.equal((await call('/api/v1/feeds', { name: 'scratch' })).status, 201);
      assert.equal((await call('/api/v1/feeds/scratch', { hardDelete: true })).body.hardDelete, true);
      const gallery = await call('/api/v1/feeds/default', { hardDelete: true });
      assert.equal(gallery.status, 400);
      assert.equal((await call('/api/v1/feeds/default', { private: true })).status, 400, 'the gallery stays public');
      for (const version of ['1.0.0', '1.1.0']) {
        assert.equal((await pallet.push(buildNupkg({ id: 'Scratch.Lib', version }), { url: '/feeds/scratch/api/v2/package/' })).statusCode, 201);
      }
      const deleted = await pallet.inject({ method: 'DELETE', url: '/feeds/scratch/api/v2/package/Scratch.Lib/1.0.0', headers: { 'x-nuget-apikey': API_KEY } });
      assert.equal(deleted.statusCode, 200);
      assert.equal((await pallet.get('/feeds/scratch/v3/package/scratch.lib/1.0.0/scratch.lib.1.0.0.nupkg')).statusCode, 404, 'gone, not unlisted');
      assert.deepEqual((await pallet.json<{ versions: string[] }>('/feeds/scratch/v3/package/scratch.lib/index.json')).body.versions, ['1.1.0']);
      assert.equal((await pallet.push(buildNupkg({ id: 'Scratch.Lib', version: '1.0.0' }), { url: '/feeds/scratch/api/v2/package/' })).statusCode, 201, 'a scratch feed takes it again');
      for (const version of ['1.0.0', '1.1.0']) {
        assert.equal((await pallet.inject({ method: 'DELETE', url: `/feeds/scratch/api/v2/package/Scratch.Lib/${version}`, headers: { 'x-nuget-apikey': API_KEY } })).statusCode, 200);
      }
      assert.equal((await pallet.get('/feeds/scratch/v3/package/scratch.lib/index.json')).statusCode, 404, 'the id has nothing left in the feed');
      assert.equal(((await pallet.json<{ totalHits: number }>('/feeds/scratch/v3/search?q=scratch')).body).totalHits, 0);
      const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'read');
      try {
        assert.deepEqual(await tools.packages.derivedDataProblems(), [], 'no document or search row is left behind');
      } finally {
        tools.close();
      }
    } finally {
      await pallet.close();
    }
  });
});

