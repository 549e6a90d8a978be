/**
 * A private upstream source: a feed reads through another Pallet's private feed with the credentials it was
 * given (a reader's user name and key, kept sealed with secretsKey, never shown); without them the upstream
 * finds nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { freePort } from '../support/smtp-sink.ts';

describe('a private upstream source with credentials', () => {
  let upstream: InProcessPallet;
  let pallet: InProcessPallet;
  let readerKey: string;
  let privateIndex: string;

  before(async () => {
    const port = await freePort();
    upstream = await startInProcess({ flags: { host: '127.0.0.1', port: String(port), publicUrl: `http://127.0.0.1:${port}` } });
    await upstream.app.listen();
    readerKey = (await seedUsers(upstream.dataDir, [{ name: 'mirror-bot', key: { name: 'read', scopes: ['read'] } }]))['mirror-bot'] as string;
    const admin = { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' };
    await upstream.inject({ method: 'POST', url: '/api/v1/feeds', headers: admin, payload: JSON.stringify({ name: 'secret', private: true }) });
    await upstream.inject({ method: 'POST', url: '/api/v1/feeds/secret/members', headers: admin, payload: JSON.stringify({ name: 'mirror-bot', role: 'reader' }) });
    assert.equal((await upstream.push(buildNupkg({ id: 'Priv.Lib', version: '3.0.0' }), { url: '/feeds/secret/api/v2/package/' })).statusCode, 201);
    privateIndex = `http://127.0.0.1:${port}/feeds/secret/v3/index.json`;
    pallet = await startInProcess({ flags: { secretsKey: 'the secrets key of this server' } });
  });

  after(async () => {
    await pallet.close();
    await upstream.close();
  });

  const api = async (url: string, payload: unknown) => {
    const response = await pallet.inject({ method: 'POST', url, headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };

  it('reads through with the sealed credentials, and finds nothing without them', async () => {
    assert.equal((await api('/api/v1/feeds', { name: 'mirror' })).status, 201);
    const set = await api('/api/v1/feeds/mirror', { upstreams: [{ url: privateIndex, username: 'mirror-bot', password: readerKey }] });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body.upstreams, [privateIndex]);
    assert.ok(!JSON.stringify(set.body).includes(readerKey), 'the credentials are never shown');
    const list = await pallet.json<{ versions: string[] }>('/feeds/mirror/v3/package/priv.lib/index.json');
    assert.deepEqual([list.status, list.body.versions], [200, ['3.0.0']]);
    const nupkg = await pallet.get('/feeds/mirror/v3/package/priv.lib/3.0.0/priv.lib.3.0.0.nupkg');
    assert.equal(nupkg.statusCode, 200);
    const database = await readFile(dataFolderLayout(pallet.dataDir).database);
    const wal = await readFile(`${dataFolderLayout(pallet.dataDir).database}-wal`).catch(() => Buffer.alloc(0));
    assert.ok(!database.includes(readerKey) && !wal.includes(readerKey), 'stored sealed');

    assert.equal((await api('/api/v1/feeds', { name: 'no-credentials' })).status, 201);
    assert.equal((await api('/api/v1/feeds/no-credentials', { upstreams: [privateIndex] })).status, 200);
    assert.equal((await pallet.get('/feeds/no-credentials/v3/package/priv.lib/index.json')).statusCode, 404);
  });
});
