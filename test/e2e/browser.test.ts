/**
 * End-to-end in a real browser: Debian's Chromium driven by playwright-core against a real server. The
 * first administrator is created through the one-time link the server prints, turns on two-factor
 * authentication by reading the key from the page and computing the code, creates an API key on the page,
 * signs out and in again with a code, and the key pushes with the real `dotnet nuget push`; a second user
 * signs in through a real OpenID Connect provider (oidc-provider on loopback). Screenshots of
 * each page go to test-output/screenshots (or $PALLET_TEST_OUTPUT). The pages must load nothing from
 * elsewhere and break no rule of their Content-Security-Policy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type Sandbox } from '../support/dotnet.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { totpCode } from '../../src/security/totp.ts';
import { eventually, freePort } from '../support/smtp-sink.ts';
import { startTestIdentityProvider, type TestIdentityProvider } from '../support/oidc-test-provider.ts';

const CHROMIUM = process.env.PALLET_CHROMIUM ?? '/usr/bin/chromium';
const STEP = { timeout: 5 * 60_000 };
const PASSWORD = 'a long browser password';
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(CHROMIUM) ? `Chromium is not installed at ${CHROMIUM} (.ci/run installs it)` : !dotnetAvailable && 'the .NET SDK is not installed';

describe('the account pages in Chromium', { skip }, () => {
  let server: PalletServer;
  let browser: Browser;
  let page: Page;
  let sandbox: Sandbox;
  let shots: string;
  let idp: TestIdentityProvider;
  const problems: string[] = [];

  const screenshot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  before(async () => {
    shots = join(process.env.PALLET_TEST_OUTPUT ?? join(REPO_ROOT, 'test-output'), 'screenshots');
    await mkdir(shots, { recursive: true });
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startTestIdentityProvider({ redirectUris: [`${publicUrl}/account/external/test-id/callback`] });
    idp.users.set('olivia', { email: 'olivia@example.com', email_verified: true, name: 'Olivia Dunham', preferred_username: 'olivia' });
    const providers = { 'test-id': { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, displayName: 'Test ID' } };
    server = await startPallet({ args: ['--processes', '1', '--port', String(port), '--public-url', publicUrl], env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify(providers) } });
    sandbox = await createDotnetSandbox(server.serviceIndexUrl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // A phone's width: the pages must be usable there.
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const origin = new URL(server.baseUrl).origin;
    page.on('request', (request) => {
      // The identity provider's own pages are where a sign-in through it goes: not a page of Pallet's loading elsewhere.
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:') && !request.url().startsWith(idp.issuer)) problems.push(`a request to ${request.url()}`);
    });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
  }, STEP);

  after(async () => {
    await browser?.close();
    await sandbox?.remove();
    await server?.stop();
    await idp?.close();
  });

  let key = '';
  let secret = '';
  let lastStep = 0;

  it('creates the first administrator through the link the server printed', STEP, async () => {
    await eventually('the setup link was printed', () => /account\/setup\?token=/.test(server.logs()));
    const link = /(http:\/\/\S+\/account\/setup\?token=[A-Za-z0-9_-]+)/.exec(server.logs())?.[1] as string;
    await page.goto(link);
    await screenshot('setup');
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Email').fill('root@example.com');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the administrator' }).click();
    await page.waitForURL('**/account');
    assert.match(await page.locator('main').innerText(), /Two-factor authentication is off/);
    await screenshot('account');
  });

  it('turns on two-factor authentication with the key read from the page', STEP, async () => {
    await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    await page.waitForURL('**/account/two-factor/setup');
    assert.equal(await page.locator('figure.qr svg').count(), 1, 'the QR code is drawn');
    await screenshot('two-factor-setup');
    secret = (await page.locator('#totp-secret').innerText()).trim();
    lastStep = Math.floor(Date.now() / 30_000);
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, lastStep));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await screenshot('recovery-codes');
  });

  it('creates an API key on the page, shown once', STEP, async () => {
    await page.goto(`${server.baseUrl}/account/api-keys`);
    await page.getByLabel('Name', { exact: true }).fill('browser-ci');
    await page.getByLabel('Packages', { exact: true }).fill('Browser.*');
    await page.getByLabel('Expires in (days)').fill('30');
    await page.getByRole('button', { name: 'Create' }).click();
    key = (await page.locator('#new-api-key').innerText()).trim();
    assert.match(key, /^pallet_[0-9A-Za-z]{49}$/);
    assert.equal(await page.getByRole('button', { name: 'Copy the key' }).isVisible(), true, 'the script shows the copy button');
    await screenshot('new-api-key');
  });

  it('signs out, and back in with the password and a new code', STEP, async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/account/sign-in');
    await page.getByLabel('User name').fill('root');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/account/two-factor**');
    await screenshot('second-factor');
    // The enrolment's code is used: wait for the next time step, as a person would.
    const next = lastStep + 1;
    const wait = next * 30_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 100));
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, Math.floor(Date.now() / 30_000)));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/account');
    assert.match(await page.locator('main').innerText(), /Two-factor authentication is on/);
  });

  it('pushes with the key made on the page, using dotnet nuget push', STEP, async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pallet-browser-'));
    try {
      const nupkg = join(folder, 'Browser.Made.1.0.0.nupkg');
      await writeFile(nupkg, buildNupkg({ id: 'Browser.Made', version: '1.0.0' }));
      const args = ['nuget', 'push', nupkg, '-s', server.serviceIndexUrl, '-k', key];
      const result = await sandbox.run(args, { allowFailure: true });
      assert.equal(result.code, 0, describeRun(args, result, sandbox.dir));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    assert.deepEqual(problems, [], 'the pages loaded nothing from elsewhere and broke no CSP rule');
  });

  it('signs a new user in through the OpenID Connect provider, which makes their account', STEP, async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/account/sign-in');
    await screenshot('sign-in-with-provider');
    await page.getByRole('button', { name: 'Sign in with Test ID' }).click();
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.getByLabel('Login').fill('olivia');
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();
    await page.waitForURL('**/account');
    const main = await page.locator('main').innerText();
    assert.match(main, /olivia/);
    assert.match(main, /Olivia Dunham/);
    assert.match(main, /Linked identities/);
    await screenshot('account-from-provider');
    assert.deepEqual(problems, [], 'the pages loaded nothing from elsewhere and broke no CSP rule');
    assert.match(server.logs(), /register this redirect URI at the provider/);
  });
});
