/**
 * Push upstream (MyGet's "push to nuget.org"): a feed's target is a second Pallet on loopback, its API key
 * kept sealed with the configuration's secretsKey (not in the database in clear); a version pushed there
 * arrives with the same bytes, a second push records the upstream's 409, a wrong key its refusal, and an
 * unreachable server is recorded too; the results are shown with the target.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { freePort } from '../support/smtp-sink.ts';

const UPSTREAM_KEY = 'upstream-admin-key-0123456789';

describe('pushing a version upstream', () => {
  let upstream: InProcessPallet;
  let pallet: InProcessPallet;
  let upstreamIndex: string;

  before(async () => {
    const port = await freePort();
    upstream = await startInProcess({ flags: { apiKey: UPSTREAM_KEY, host: '127.0.0.1', port: String(port), publicUrl: `http://127.0.0.1:${port}` } });
    upstreamIndex = (await upstream.app.listen()).serviceIndexUrl;
    pallet = await startInProcess({ flags: { secretsKey: 'a secrets key of some length' } });
  });

  after(async () => {
    await pallet.close();
    await upstream.close();
  });

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await pallet.inject({ method, url, headers: { 'x-nuget-apikey': API_KEY, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { message: string } } };
  };

  it('keeps the target’s key sealed, pushes the same bytes, and records each answer', async () => {
    assert.equal((await api('POST', '/api/v1/feeds', { name: 'builds' })).status, 201);
    const added = await api('POST', '/api/v1/feeds/builds/push-targets', { name: 'release-server', serviceIndex: upstreamIndex, apiKey: UPSTREAM_KEY });
    assert.deepEqual([added.status, added.body.pushUrl], [201, upstreamIndex.replace(/\/v3\/index\.json$/, '/api/v2/package')]);
    const bytes = buildNupkg({ id: 'Upstream.Lib', version: '1.0.0' });
    assert.equal((await pallet.push(bytes, { url: '/feeds/builds/api/v2/package/' })).statusCode, 201);

    const pushed = await api('POST', '/api/v1/packages/Upstream.Lib/1.0.0/push-upstream', { feed: 'builds', target: 'release-server' });
    assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
    assert.equal(pushed.body.status, 201);
    const arrived = await upstream.get('/v3/package/upstream.lib/1.0.0/upstream.lib.1.0.0.nupkg');
    assert.ok(arrived.rawPayload.equals(bytes), 'the same bytes upstream');
    assert.equal((await api('POST', '/api/v1/packages/Upstream.Lib/1.0.0/push-upstream', { feed: 'builds', target: 'release-server' })).body.status, 409);

    assert.equal((await api('POST', '/api/v1/feeds/builds/push-targets', { name: 'wrong-key', serviceIndex: upstreamIndex, apiKey: 'not-the-key-at-all' })).status, 201);
    const refused = await api('POST', '/api/v1/packages/Upstream.Lib/1.0.0/push-upstream', { feed: 'builds', target: 'wrong-key' });
    assert.equal(refused.body.status, 403);

    const targets = (await api('GET', '/api/v1/feeds/builds/push-targets')).body.targets as { name: string; results: { status: number }[] }[];
    assert.deepEqual(targets.map((target) => [target.name, target.results.map((each) => each.status)]), [['release-server', [409, 201]], ['wrong-key', [403]]]);
    assert.ok(!JSON.stringify(targets).includes(UPSTREAM_KEY), 'never the key');
    const database = await readFile(dataFolderLayout(pallet.dataDir).database);
    const wal = await readFile(`${dataFolderLayout(pallet.dataDir).database}-wal`).catch(() => Buffer.alloc(0));
    assert.ok(!database.includes(UPSTREAM_KEY) && !wal.includes(UPSTREAM_KEY), 'the key is stored sealed');
  });

  it('records an unreachable upstream, and refuses targets without a secretsKey', async () => {
    const port = await freePort();
    const down = `http://127.0.0.1:${port}/v3/index.json`;
    assert.equal((await api('POST', '/api/v1/feeds/builds/push-targets', { name: 'down', serviceIndex: down, apiKey: 'k' })).status, 400, 'its service index must answer when added');
    const plain = await startInProcess();
    try {
      const refused = await plain.inject({ method: 'POST', url: '/api/v1/feeds', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x' }) });
      assert.equal(refused.statusCode, 201);
      const target = await plain.inject({ method: 'POST', url: '/api/v1/feeds/x/push-targets', headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 't', serviceIndex: upstreamIndex, apiKey: 'k' }) });
      assert.equal(target.statusCode, 503);
      assert.match((target.json() as { error: { message: string } }).error.message, /no secretsKey configured/);
    } finally {
      await plain.close();
    }
    await upstream.close();
    const unreachable = await api('POST', '/api/v1/packages/Upstream.Lib/1.0.0/push-upstream', { feed: 'builds', target: 'release-server' });
    assert.equal(unreachable.status, 200);
    assert.equal(unreachable.body.status, null);
    assert.match(String(unreachable.body.message), /could not be reached/);
  });
});
