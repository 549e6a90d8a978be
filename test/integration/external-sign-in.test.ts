/**
 * Sign-in through a real OpenID Connect provider (`oidc-provider` on loopback): the authorization-code flow
 * with PKCE, an account made at the first sign-in (or refused, per provider), linking an identity to a
 * signed-in account, the provider's MFA standing in for the second factor when configured, and every
 * answer that proves nothing refused: a tampered or replayed state, a callback in another browser, an ID
 * token re-signed with another key, expired, for another nonce or another audience.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { totpCode } from '../../src/security/totp.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { PUBLIC_URL, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { startTestIdentityProvider, type TestIdentityProvider, type TokenTampering } from '../support/oidc-test-provider.ts';
import { Browser, csrfOf } from '../support/web-browser.ts';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';

const PASSWORD = 'correct horse battery staple';

/** Plays the user at the provider: follows its redirects, signs in on its page, and returns Pallet's callback path. */
async function atProvider(authorizationUrl: string, login: string, options: { mfa?: boolean } = {}): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      cookies.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    return response;
  };
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.startsWith(PUBLIC_URL)) return url.slice(PUBLIC_URL.length);
    const response = await send(url);
    const location = response.headers.get('location');
    if (location !== null) {
      url = new URL(location, url).href;
      continue;
    }
    const body = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    assert.ok(action, `the provider's page at ${url} has its login form (${response.status}: ${body.slice(0, 200)})`);
    const fields = new URLSearchParams({ login, ...(options.mfa ? { mfa: 'on' } : {}) });
    const submitted = await send(new URL(action, url).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
    url = new URL(submitted.headers.get('location') ?? assert.fail(`the login answered ${submitted.status}`), url).href;
  }
  throw new Error('the provider never sent the browser back to Pallet');
}

/** Starts a sign-in through `provider` from the sign-in page; returns the provider's authorization URL. */
async function startSignIn(browser: Browser, provider: string): Promise<string> {
  const started = await browser.submit('/account/sign-in', `/account/external/${provider}`, { next: '/account' });
  assert.equal(started.statusCode, 303, started.body);
  return String(started.headers.location);
}

describe('sign-in through an OpenID Connect provider', () => {
  let pallet: InProcessPallet;
  let idp: TestIdentityProvider;

  before(async () => {
    idp = await startTestIdentityProvider({
      redirectUris: [`${PUBLIC_URL}/account/external/test/callback`, `${PUBLIC_URL}/account/external/strict/callback`],
    });
    idp.users.set('dana', { email: 'dana@example.com', email_verified: true, name: 'Dana Scully', preferred_username: 'dana' });
    idp.users.set('erin', { email: 'erin@example.com', email_verified: true, name: 'Erin', preferred_username: 'erin' });
    const common = { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret };
    pallet = await startInProcess({
      captureLogs: true,
      flags: {
        identityProviders: JSON.stringify({
          test: { ...common, displayName: 'Test ID', mfaCountsAsSecondFactor: true },
          strict: { ...common, displayName: 'Strict ID', createAccounts: false },
        }),
      },
    });
    await seedUsers(pallet.dataDir, [{ name: 'alice', password: PASSWORD }]);
  });

  after(async () => {
    await pallet.close();
    await idp.close();
  });

  it('offers a button per provider, and starts the code flow with PKCE (S256), a state and a nonce, bound to the browser', async () => {
    const browser = new Browser(pallet);
    const page = await browser.get('/account/sign-in');
    assert.match(page.body, /<form method="post" action="\/account\/external\/test"[^>]*>[\s\S]*?Sign in with Test ID/);
    assert.match(page.body, /Sign in with Strict ID/);
    const authorization = new URL(await startSignIn(browser, 'test'));
    assert.equal(authorization.origin, idp.issuer);
    assert.equal(authorization.searchParams.get('response_type'), 'code');
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorization.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorization.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{20,}$/);
    assert.match(authorization.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{20,}$/);
    assert.equal(authorization.searchParams.get('redirect_uri'), `${PUBLIC_URL}/account/external/test/callback`);
    assert.equal(authorization.searchParams.get('scope'), 'openid email profile');
    assert.match(browser.cookie('pallet_provider_flow') ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  it('creates an account at the first sign-in of an unknown identity, and signs the same account in the next time', async () => {
    const browser = new Browser(pallet);
    const callback = await atProvider(await startSignIn(browser, 'test'), 'dana');
    const signedIn = await browser.get(callback);
    assert.equal(signedIn.statusCode, 303, signedIn.body);
    assert.equal(signedIn.headers.location, '/account');
    assert.match(browser.cookie('pallet_session') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(browser.cookie('pallet_provider_flow'), undefined, 'the flow cookie is cleared');
    const account = await browser.get('/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, /<dd>dana<\/dd>/);
    assert.match(account.body, /<dd>Dana Scully<\/dd>/);
    assert.match(account.body, /<dd>dana@example\.com<\/dd>/);
    assert.match(account.body, /<h2>Linked identities<\/h2>[\s\S]*<td>Test ID<\/td><td>dana@example\.com<\/td>/);

    const again = new Browser(pallet);
    assert.equal((await again.get(await atProvider(await startSignIn(again, 'test'), 'dana'))).statusCode, 303);
    assert.match((await again.get('/account')).body, /<dd>dana<\/dd>/);
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'read');
    try {
      assert.equal((await tools.accounts.findAccountByName('dana-2')), undefined, 'no second account');
      const created = (await tools.events.listEvents({ limit: 1000 })).filter((event) => event.kind === 'user.created' && event.data.via === 'test');
      assert.equal(created.length, 1);
    } finally {
      tools.close();
    }
  });

  it('refuses an unknown identity where the provider may not create accounts, and signs nobody in', async () => {
    const browser = new Browser(pallet);
    const refused = await browser.get(await atProvider(await startSignIn(browser, 'strict'), 'stranger'));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /No account here is linked to this Strict ID identity/);
    assert.equal(browser.cookie('pallet_session'), undefined);
  });

  it('refuses a tampered state, a replayed callback and a callback in another browser', async () => {
    const browser = new Browser(pallet);
    const callback = await atProvider(await startSignIn(browser, 'test'), 'dana');
    const tampered = callback.replace(/state=([^&]+)/, (_match, state: string) => `state=${state.slice(0, -2)}xx`);
    const flowCookie = browser.cookie('pallet_provider_flow') as string;
    const refused = await browser.get(tampered);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /not known here, or was finished already/);
    assert.equal(browser.cookie('pallet_session'), undefined);

    const elsewhere = new Browser(pallet);
    const otherCallback = await atProvider(await startSignIn(browser, 'test'), 'dana');
    const inOther = await elsewhere.get(otherCallback);
    assert.equal(inOther.statusCode, 403);
    assert.match(inOther.body, /started in another browser/);
    // The state is spent by that attempt: the right browser cannot use it afterwards either.
    browser.setCookie('pallet_provider_flow', flowCookie);
    assert.equal((await browser.get(otherCallback)).statusCode, 403);

    const good = await atProvider(await startSignIn(browser, 'test'), 'dana');
    assert.equal((await browser.get(good)).statusCode, 303);
    assert.equal((await browser.get(good)).statusCode, 403, 'a callback works once');
  });

  for (const [tampering, words] of [
    ['foreign-key', /signature/i],
    ['expired', /exp|expired|timestamp/i],
    ['wrong-nonce', /nonce/i],
    ['wrong-audience', /aud/i],
  ] as const satisfies readonly (readonly [TokenTampering, RegExp])[]) {
    it(`refuses an ID token that is ${tampering.replace('-', ' ')}`, async () => {
      const browser = new Browser(pallet);
      const callback = await atProvider(await startSignIn(browser, 'test'), 'erin');
      idp.tamperNextToken(tampering);
      const before = idp.tokenRequests();
      const refused = await browser.get(callback);
      assert.equal(idp.tokenRequests(), before + 1, 'the code was exchanged');
      assert.equal(refused.statusCode, 403, refused.body);
      assert.match(refused.body, /The answer from Test ID did not verify/);
      assert.match(refused.body, words);
      assert.equal(browser.cookie('pallet_session'), undefined);
    });
  }

  it('links an identity to the signed-in account (both proven), and refuses one linked to another account', async () => {
    const browser = new Browser(pallet);
    assert.equal((await browser.submit('/account/sign-in', '/account/sign-in', { name: 'alice', password: PASSWORD })).statusCode, 303);
    const account = await browser.get('/account');
    assert.match(account.body, /Link a Strict ID identity/);
    const started = await browser.post('/account/identities/link', { _csrf: csrfOf(account.body), provider: 'strict' });
    assert.equal(started.statusCode, 303);
    const linked = await browser.get(await atProvider(String(started.headers.location), 'alice-at-work'));
    assert.equal(linked.statusCode, 303);
    assert.equal(linked.headers.location, '/account?linked=strict');
    assert.match((await browser.get('/account?linked=strict')).body, /Your Strict ID identity is linked/);

    // That identity now signs alice in, though the provider creates no accounts.
    const fresh = new Browser(pallet);
    assert.equal((await fresh.get(await atProvider(await startSignIn(fresh, 'strict'), 'alice-at-work'))).statusCode, 303);
    assert.match((await fresh.get('/account')).body, /<dd>alice<\/dd>/);

    // dana's identity at Test ID belongs to dana: alice cannot take it.
    const again = await browser.post('/account/identities/link', { _csrf: csrfOf((await browser.get('/account')).body), provider: 'test' });
    const taken = await browser.get(await atProvider(String(again.headers.location), 'dana'));
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /linked to another account/);
  });

  it('asks a user with TOTP for the code after the provider, unless the provider says it checked MFA and is trusted for it', async () => {
    const browser = new Browser(pallet);
    assert.equal((await browser.get(await atProvider(await startSignIn(browser, 'test'), 'erin'))).statusCode, 303);
    const setup = await browser.get('/account/two-factor/setup');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(setup.body)?.[1] ?? assert.fail('the setup key is on the page');
    assert.equal((await browser.post('/account/two-factor/setup', { _csrf: csrfOf(setup.body), code: totpCode(secret, Math.floor(Date.now() / 30_000)) })).statusCode, 200);

    const withoutMfa = new Browser(pallet);
    const owed = await withoutMfa.get(await atProvider(await startSignIn(withoutMfa, 'test'), 'erin'));
    assert.equal(owed.statusCode, 303);
    assert.match(String(owed.headers.location), /^\/account\/two-factor\?next=/);
    assert.equal((await withoutMfa.get('/account')).statusCode, 303, 'nothing but the code is accepted');

    const withMfa = new Browser(pallet);
    const straight = await withMfa.get(await atProvider(await startSignIn(withMfa, 'test'), 'erin', { mfa: true }));
    assert.equal(straight.headers.location, '/account');
    assert.equal((await withMfa.get('/account')).statusCode, 200);
  });

  it('never unlinks the only way an account has to sign in, and unlinks once there is another', async () => {
    const browser = new Browser(pallet);
    await browser.get(await atProvider(await startSignIn(browser, 'test'), 'dana'));
    const account = await browser.get('/account');
    const subject = /name="subject" value="([^"]+)"/.exec(account.body)?.[1] ?? assert.fail('the identity has an unlink form');
    const refused = await browser.post('/account/identities/unlink', { _csrf: csrfOf(account.body), provider: 'test', subject });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /only way you have to sign in/);

    const link = await browser.post('/account/identities/link', { _csrf: csrfOf(account.body), provider: 'strict' });
    assert.equal((await browser.get(await atProvider(String(link.headers.location), 'dana-at-work'))).statusCode, 303);
    const unlinked = await browser.post('/account/identities/unlink', { _csrf: csrfOf((await browser.get('/account')).body), provider: 'test', subject });
    assert.equal(unlinked.statusCode, 303);
    assert.doesNotMatch((await browser.get('/account')).body, /<td>Test ID<\/td>/);
  });

  it('writes no client secret, code, state or session token into the log', () => {
    const log = JSON.stringify(pallet.logRecords());
    assert.ok(!log.includes(idp.clientSecret), 'the client secret');
    assert.doesNotMatch(log, /[?&](code|state)=[A-Za-z0-9_-]{20,}/);
    assert.match(log, /sign-in through a provider refused/);
  });
});

describe('sign-in through GitHub (a GitHub Enterprise Server stand-in)', () => {
  let pallet: InProcessPallet;
  let github: FakeGitHub;

  before(async () => {
    github = await startFakeGitHub();
    pallet = await startInProcess({
      flags: { identityProviders: JSON.stringify({ ghe: { kind: 'github', url: github.url, clientId: github.clientId, clientSecret: github.clientSecret, displayName: 'GitHub' } }) },
    });
  });

  after(async () => {
    await pallet.close();
    await github.close();
  });

  /** Follows GitHub's redirect back to Pallet's callback. */
  async function throughGitHub(browser: Browser): Promise<string> {
    const authorization = new URL(await startSignIn(browser, 'ghe'));
    assert.equal(authorization.origin, github.url);
    assert.equal(authorization.pathname, '/login/oauth/authorize');
    assert.equal(authorization.searchParams.get('scope'), 'read:user user:email');
    const back = await fetch(authorization, { redirect: 'manual' });
    return String(back.headers.get('location')).slice(PUBLIC_URL.length);
  }

  it("creates the account from GitHub's user, named by the login, with the verified primary email", async () => {
    github.signInNext({ id: 4242, login: 'octo-cat', name: 'Octo Cat', emails: [{ email: 'old@example.com', primary: false, verified: true }, { email: 'octo@example.com', primary: true, verified: true }] });
    const browser = new Browser(pallet);
    const signedIn = await browser.get(await throughGitHub(browser));
    assert.equal(signedIn.statusCode, 303, signedIn.body);
    const account = await browser.get('/account');
    assert.match(account.body, /<dd>octo-cat<\/dd>/);
    assert.match(account.body, /<dd>octo@example\.com<\/dd>/);

    // The id is the subject: a renamed login still signs the same account in.
    github.signInNext({ id: 4242, login: 'octo-renamed', name: 'Octo Cat', emails: [] });
    const again = new Browser(pallet);
    assert.equal((await again.get(await throughGitHub(again))).statusCode, 303);
    assert.match((await again.get('/account')).body, /<dd>octo-cat<\/dd>/);
  });

  it('takes no unverified email, and refuses a code exchanged with the wrong PKCE verifier', async () => {
    github.signInNext({ id: 7, login: 'unverified', name: null, emails: [{ email: 'maybe@example.com', primary: true, verified: false }] });
    const browser = new Browser(pallet);
    assert.equal((await browser.get(await throughGitHub(browser))).statusCode, 303);
    assert.match((await browser.get('/account')).body, /<dt>Email<\/dt><dd>none<\/dd>/);

    // Two flows in one browser: the second's state with the first's code carries the wrong verifier.
    github.signInNext({ id: 8, login: 'mixed', name: null, emails: [] });
    const mixed = new Browser(pallet);
    const first = new URL(await throughGitHub(mixed), PUBLIC_URL);
    const second = new URL(await throughGitHub(mixed), PUBLIC_URL);
    second.searchParams.set('code', first.searchParams.get('code') ?? '');
    const refused = await mixed.get(`${second.pathname}${second.search}`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /The answer from GitHub did not verify/);
  });
});
