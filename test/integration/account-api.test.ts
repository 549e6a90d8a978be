/**
 * The management API's own-account actions with a real session: two-factor authentication set up and turned
 * off by API (the code computed from the secret it answers), the password (other sessions end), the publish
 * email choice, an email change (202, pending until its link is opened), signing out everywhere, and none of
 * it with an API key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { totpCode } from '../../src/security/totp.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { signInHeaders } from '../support/web-session.ts';

const PASSWORD = 'a long enough password';

describe('own-account actions through the management API', () => {
  let pallet: InProcessPallet;
  let key: string;

  before(async () => {
    pallet = await startInProcess();
    key = (await seedUsers(pallet.dataDir, [{ name: 'alice', password: PASSWORD, key: { name: 'ci', scopes: ['push'] } }])).alice ?? '';
  });

  after(async () => {
    await pallet.close();
  });

  const call = async (url: string, headers: Record<string, string>, payload?: unknown) => {
    const response = await pallet.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(payload ?? {}) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { message: string } } };
  };

  it('refuses every one of them with an API key', async () => {
    for (const url of ['/api/v1/me/two-factor', '/api/v1/me/sign-out-everywhere', '/api/v1/me/notifications']) {
      const refused = await call(url, { authorization: `Bearer ${key}` }, url.endsWith('notifications') ? { publishEmails: false } : {});
      assert.equal(refused.status, 403, url);
    }
  });

  it('sets two-factor authentication up and turns it off, with codes computed from the secret it answers', async () => {
    const session = await signInHeaders(pallet, 'alice', PASSWORD);
    const begun = await call('/api/v1/me/two-factor', session);
    assert.equal(begun.status, 200);
    const secret = String(begun.body.secret);
    assert.match(String(begun.body.uri), new RegExp(`^otpauth://totp/.*secret=${secret}`));
    assert.equal((await call('/api/v1/me/two-factor/confirm', session, { code: '000000' })).status, 400);
    const step = Math.floor(Date.now() / 30_000);
    const confirmed = await call('/api/v1/me/two-factor/confirm', session, { code: totpCode(secret, step) });
    assert.equal(confirmed.status, 200);
    assert.equal((confirmed.body.recoveryCodes as string[]).length, 10);
    const off = await call('/api/v1/me/two-factor/disable', session, {});
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.deepEqual(off.body, { twoFactor: false });
  });

  it('changes the password, ending the other sessions, and sets the publish email choice', async () => {
    const first = await signInHeaders(pallet, 'alice', PASSWORD);
    const second = await signInHeaders(pallet, 'alice', PASSWORD);
    assert.equal((await call('/api/v1/me/password', first, { current: 'wrong', next: 'a brand new password' })).status, 401);
    assert.equal((await call('/api/v1/me/password', first, { current: PASSWORD, next: 'a brand new password' })).status, 200);
    assert.equal((await pallet.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: second.cookie } })).statusCode, 401, 'the other session ended');
    assert.deepEqual((await call('/api/v1/me/notifications', first, { publishEmails: false })).body, { publishEmails: false });
    assert.deepEqual((await call('/api/v1/me/profile', first, { displayName: '  Alice Liddell ' })).body, { displayName: 'Alice Liddell' });
    assert.equal(((await pallet.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: first.cookie } })).json() as { displayName: string }).displayName, 'Alice Liddell');
    assert.equal((await call('/api/v1/me/profile', first, { displayName: 'bad\u0007name' })).status, 400);
    await call('/api/v1/me/password', first, { current: 'a brand new password', next: PASSWORD });
  });

  it('asks for an email change, pending until its link is opened, and signs out everywhere', async () => {
    const session = await signInHeaders(pallet, 'alice', PASSWORD);
    const pending = await call('/api/v1/me/email', session, { email: 'alice@elsewhere.example.com' });
    assert.deepEqual([pending.status, pending.body], [202, { pending: 'alice@elsewhere.example.com' }]);
    const me = (await pallet.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session.cookie } })).json() as { email: string };
    assert.equal(me.email, 'alice@example.com');
    assert.equal((await call('/api/v1/me/sign-out-everywhere', session)).status, 200);
    assert.equal((await pallet.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session.cookie } })).statusCode, 401);
  });
});
