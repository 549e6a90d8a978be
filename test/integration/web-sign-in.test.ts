/**
 * The account pages over HTTP: password sign-in with CSRF-checked forms and a fresh server-side session,
 * TOTP enrolment read from the page, the second factor at the next sign-in (a code good once, recovery
 * codes good once), lockout, an API key created on the page and pushed with, sign-out that revokes the
 * session on the server, and no secret in any log line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { totpCode } from '../../src/security/totp.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { Browser, csrfOf } from '../support/web-browser.ts';

const PASSWORD = 'correct horse battery staple';

describe('web sign-in, two-factor authentication and API keys', () => {
  let pallet: InProcessPallet;
  let totpSecret: string;
  let recoveryCodes: string[];
  let usedStep: number;

  before(async () => {
    pallet = await startInProcess({ captureLogs: true });
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    try {
      await createUser({ accounts: tools.accounts, now: () => new Date() }, COMMAND_LINE, { name: 'alice', email: 'alice@example.com', isAdministrator: false, password: PASSWORD });
      await createUser({ accounts: tools.accounts, now: () => new Date() }, COMMAND_LINE, { name: 'mallory', email: 'm@example.com', isAdministrator: false, password: PASSWORD });
    } finally {
      tools.close();
    }
  });

  after(async () => {
    await pallet.close();
  });

  it('serves the sign-in page with a strict Content-Security-Policy and labelled fields', async () => {
    const page = await new Browser(pallet).get('/account/sign-in');
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.match(page.body, /<label for="name">/);
    assert.match(page.body, /<label for="password">/);
    assert.doesNotMatch(page.body, /https?:\/\/(?!pallet\.test)/, 'no request to another site');
  });

  it('refuses a form without its CSRF token, and a wrong password with the same words as an unknown name', async () => {
    const browser = new Browser(pallet);
    await browser.get('/account/sign-in');
    assert.equal((await browser.post('/account/sign-in', { name: 'alice', password: PASSWORD })).statusCode, 403);
    assert.equal((await browser.post('/account/sign-in', { name: 'alice', password: PASSWORD, _csrf: 'forged' })).statusCode, 403);
    const wrong = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: 'not the password' });
    const unknown = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'nobody', password: 'not the password' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.match(wrong.body, /The name or the password is wrong/);
    assert.match(unknown.body, /The name or the password is wrong/);
  });

  it('signs in with a fresh server-side session whatever cookie the browser had, and enrols TOTP from the page', async () => {
    const browser = new Browser(pallet);
    browser.setCookie('pallet_session', 'planted-by-an-attacker');
    const signedIn = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, '/account');
    assert.match(String(signedIn.headers['set-cookie']), /pallet_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    assert.notEqual(browser.cookie('pallet_session'), 'planted-by-an-attacker');
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, /Two-factor authentication is <strong>off<\/strong>/);

    const setup = await browser.get('/account/two-factor/setup');
    assert.match(setup.body, /<svg/);
    totpSecret = /id="totp-secret">([A-Z2-7]+)</.exec(setup.body)?.[1] ?? assert.fail('the page shows the setup key');
    assert.match(setup.body, new RegExp(`otpauth://totp/[^"]*secret=${totpSecret}`));
    assert.equal((await browser.post('/account/two-factor/setup', { _csrf: csrfOf(setup.body), code: '000000' })).statusCode, 400);
    usedStep = Math.floor(Date.now() / 30_000);
    const confirmed = await browser.post('/account/two-factor/setup', { _csrf: csrfOf(setup.body), code: totpCode(totpSecret, usedStep) });
    assert.equal(confirmed.statusCode, 200);
    recoveryCodes = [...confirmed.body.matchAll(/<li>([0-9a-z]{5}-[0-9a-z]{5})<\/li>/g)].map((match) => match[1] as string);
    assert.equal(recoveryCodes.length, 10);
    assert.match((await browser.get('/account')).body, /Two-factor authentication is <strong>on<\/strong>/);

    // Sign-out revokes the session on the server: the old cookie opens nothing any more.
    const token = browser.cookie('pallet_session') as string;
    assert.equal((await browser.submit('/account', '/account/sign-out', {})).statusCode, 303);
    const stale = await pallet.inject({ method: 'GET', url: '/account', headers: { cookie: `pallet_session=${token}` } });
    assert.equal(stale.statusCode, 303);
    assert.match(String(stale.headers.location), /^\/account\/sign-in/);
  });

  it('asks for the second factor at the next sign-in, takes a code once and a recovery code once', async () => {
    const browser = new Browser(pallet);
    const signedIn = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD });
    assert.match(String(signedIn.headers.location), /^\/account\/two-factor/);
    const blocked = await browser.get('/account');
    assert.match(String(blocked.headers.location), /^\/account\/two-factor/, 'nothing else until the code');
    const replayed = await browser.submit('/account/two-factor', '/account/two-factor', { code: totpCode(totpSecret, usedStep) });
    assert.equal(replayed.statusCode, 401, 'the code used at enrolment is not accepted again');
    const step = Math.max(usedStep + 1, Math.floor(Date.now() / 30_000) + 1);
    assert.equal((await browser.submit('/account/two-factor', '/account/two-factor', { code: totpCode(totpSecret, step) })).statusCode, 303);
    assert.equal((await browser.get('/account')).statusCode, 200);

    const other = new Browser(pallet);
    await other.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD });
    assert.equal((await other.submit('/account/two-factor', '/account/two-factor', { code: totpCode(totpSecret, step) })).statusCode, 401, 'a replayed code');
    const recovered = await other.submit('/account/two-factor', '/account/two-factor', { code: (recoveryCodes[0] as string).toUpperCase() });
    assert.equal(recovered.headers.location, '/account?recovery-codes-left=9');
    const third = new Browser(pallet);
    await third.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD });
    assert.equal((await third.submit('/account/two-factor', '/account/two-factor', { code: recoveryCodes[0] as string })).statusCode, 401, 'a recovery code is good once');
    assert.equal((await third.submit('/account/two-factor', '/account/two-factor', { code: recoveryCodes[1] as string })).statusCode, 303);

    // A key made on the page, with the second factor fresh, pushes like any other.
    const created = await third.submit('/account/api-keys', '/account/api-keys', { name: 'from-the-page', scope: ['push'], globs: 'Web.*', days: '30' });
    assert.equal(created.statusCode, 200);
    const secret = /id="new-api-key">(pallet_[0-9A-Za-z]+)</.exec(created.body)?.[1] ?? assert.fail('the key is shown once');
    assert.equal((await pallet.push(buildNupkg({ id: 'Web.Made', version: '1.0.0' }), { key: secret })).statusCode, 201);
    assert.equal((await pallet.push(buildNupkg({ id: 'Other.Made', version: '1.0.0' }), { key: secret })).statusCode, 403);
    const listed = await third.get('/account/api-keys');
    assert.match(listed.body, /from-the-page/);
    assert.ok(!listed.body.includes(secret), 'the list never shows a secret');
    // The session cookie is never a credential for the NuGet protocol's writes.
    const viaCookie = await pallet.inject({ method: 'DELETE', url: '/api/v2/package/Web.Made/1.0.0', headers: { cookie: `pallet_session=${third.cookie('pallet_session')}` } });
    assert.equal(viaCookie.statusCode, 403);
    assert.match(viaCookie.statusMessage, /A signed-in session cannot unlist packages/);

    const logs = JSON.stringify(pallet.logRecords());
    for (const value of [PASSWORD, totpSecret, secret, third.cookie('pallet_session') as string, ...recoveryCodes]) assert.ok(!logs.includes(value), 'a secret reached the log');
  });

  it('locks an account after five wrong passwords in a row, with the time to wait', async () => {
    const browser = new Browser(pallet);
    for (let attempt = 0; attempt < 4; attempt++) {
      assert.equal((await browser.submit('/account/sign-in', '/account/sign-in', { name: 'mallory', password: `wrong ${attempt}` })).statusCode, 401);
    }
    const locked = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'mallory', password: 'wrong 5' });
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /locked after repeated failed sign-ins; try again in 15 minutes/);
    const evenRight = await browser.submit('/account/sign-in', '/account/sign-in', { name: 'mallory', password: PASSWORD });
    assert.equal(evenRight.statusCode, 429, 'the right password waits too');
  });
});

describe('the first administrator', () => {
  it('is created once through the one-time link a new server offers', async () => {
    const pallet = await startInProcess();
    try {
      const token = pallet.app.setupToken;
      assert.match(String(token), /^[A-Za-z0-9_-]{43}$/);
      const browser = new Browser(pallet);
      assert.equal((await browser.get('/account/setup?token=not-the-token')).statusCode, 404);
      const url = `/account/setup?token=${token}`;
      const tooShort = await browser.submit(url, '/account/setup', { token: token as string, name: 'root', email: 'root@example.com', password: 'short' });
      assert.equal(tooShort.statusCode, 400, 'a refused form does not spend the link');
      const created = await browser.submit(url, '/account/setup', { token: token as string, name: 'root', email: 'root@example.com', password: PASSWORD });
      assert.equal(created.statusCode, 303);
      const account = await browser.get('/account');
      assert.equal(account.statusCode, 200);
      assert.match(account.body, /<dd>root<\/dd>/);
      assert.equal((await new Browser(pallet).get(url)).statusCode, 404, 'the link works once');
      await pallet.close({ keepData: true });
      const restarted = await startInProcess({ dataDir: pallet.dataDir });
      try {
        assert.equal(restarted.app.setupToken, undefined, 'no link once there is an administrator');
      } finally {
        await restarted.close();
      }
    } catch (error) {
      await pallet.close().catch(() => undefined);
      throw error;
    }
  });
});

describe('account settings', () => {
  it('changes the password (the current one proving it, other sessions ended) and the publish email choice', async () => {
    const pallet = await startInProcess();
    try {
      const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
      try {
        await createUser({ accounts: tools.accounts, now: () => new Date() }, COMMAND_LINE, { name: 'carol', email: 'carol@example.com', isAdministrator: false, password: PASSWORD });
      } finally {
        tools.close();
      }
      const browser = new Browser(pallet);
      const other = new Browser(pallet);
      await browser.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: PASSWORD });
      await other.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: PASSWORD });
      assert.equal((await browser.submit('/account', '/account/password', { current: 'not it at all', next: 'a brand new password' })).statusCode, 401);
      assert.equal((await browser.submit('/account', '/account/password', { current: PASSWORD, next: 'short' })).statusCode, 400);
      const changed = await browser.submit('/account', '/account/password', { current: PASSWORD, next: 'a brand new password' });
      assert.equal(changed.headers.location, '/account?changed=password');
      assert.match((await browser.get('/account?changed=password')).body, /Your password is changed/);
      assert.equal((await other.get('/account')).statusCode, 303, 'the other session ended');
      const fresh = new Browser(pallet);
      assert.equal((await fresh.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: PASSWORD })).statusCode, 401);
      assert.equal((await fresh.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: 'a brand new password' })).statusCode, 303);

      assert.match((await browser.get('/account')).body, /name="publish" value="on" checked/);
      assert.equal((await browser.submit('/account', '/account/notifications', {})).statusCode, 303);
      assert.doesNotMatch((await browser.get('/account')).body, /name="publish" value="on" checked/);
      const check = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'read');
      try {
        assert.equal((await check.accounts.findAccountByName('carol'))?.publishEmails, false);
      } finally {
        check.close();
      }
    } finally {
      await pallet.close();
    }
  });
});

