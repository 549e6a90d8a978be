/**
 * The administrators' pages (users, ID prefix reservations) and the invitations page, with real sessions:
 * an administrator creates and disables a user and reserves and releases a prefix; anyone else is refused;
 * an admin of an organization accepts, on the page, an invitation for the organization to co-own a package.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { signInHeaders } from '../support/web-session.ts';
import { Browser, csrfOf } from '../support/web-browser.ts';

const PASSWORD = 'a long enough password';

describe('administration and invitation pages', () => {
  let pallet: InProcessPallet;
  let aliceKey: string;

  before(async () => {
    pallet = await startInProcess();
    const keys = await seedUsers(pallet.dataDir, [
      { name: 'root', password: PASSWORD, administrator: true },
      { name: 'alice', password: PASSWORD, key: { name: 'ci', scopes: ['push'] } },
      { name: 'bob', password: PASSWORD },
    ]);
    aliceKey = keys.alice ?? '';
  });

  after(async () => {
    await pallet.close();
  });

  const signedIn = async (name: string) => {
    const browser = new Browser(pallet);
    assert.equal((await browser.submit('/account/sign-in', '/account/sign-in', { name, password: PASSWORD })).statusCode, 303);
    return browser;
  };

  it('lets an administrator create and disable users on the page, and nobody else', async () => {
    const root = await signedIn('root');
    assert.match((await root.get('/account')).body, /href="\/account\/admin\/users"/);
    const created = await root.submit('/account/admin/users', '/account/admin/users', { name: 'carol', email: 'carol@example.com', password: 'carols long password' });
    assert.equal(created.statusCode, 303);
    const users = await root.get('/account/admin/users');
    assert.match(users.body, /<td>carol<\/td><td>carol@example\.com<\/td><td><\/td><td>off<\/td>/);
    const taken = await root.post('/account/admin/users', { _csrf: csrfOf(users.body), name: 'Carol' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /taken by another account/);
    assert.equal((await root.post('/account/admin/users/disable', { _csrf: csrfOf(users.body), name: 'carol' })).statusCode, 303);
    assert.match((await root.get('/account/admin/users')).body, /<td>carol<\/td>[\s\S]*?disabled \d{4}-\d\d-\d\d/);
    const carol = new Browser(pallet);
    assert.equal((await carol.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: 'carols long password' })).statusCode, 401, 'a disabled user cannot sign in');

    const alice = await signedIn('alice');
    assert.equal((await alice.get('/account/admin/users')).statusCode, 403);
    assert.doesNotMatch((await alice.get('/account')).body, /account\/admin/);
  });

  it('reserves and releases an ID prefix on the page', async () => {
    const root = await signedIn('root');
    assert.equal((await root.submit('/account/admin/prefixes', '/account/admin/prefixes', { prefix: 'Alice.*', owner: 'alice' })).statusCode, 303);
    const page = await root.get('/account/admin/prefixes');
    assert.match(page.body, /<td><code>Alice\.\*<\/code><\/td><td>alice<\/td>/);
    const bad = await root.post('/account/admin/prefixes', { _csrf: csrfOf(page.body), prefix: 'not a prefix!', owner: 'alice' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await root.post('/account/admin/prefixes/release', { _csrf: csrfOf(page.body), prefix: 'Alice.*', owner: 'alice' })).statusCode, 303);
    assert.match((await root.get('/account/admin/prefixes')).body, /No ID prefix is reserved/);
  });

  it("shows an organization's admin the invitation for it, and accepts it with a button", async () => {
    const bobHeaders = await signInHeaders(pallet, 'bob', PASSWORD);
    const json = { 'content-type': 'application/json' };
    assert.equal((await pallet.inject({ method: 'POST', url: '/api/v1/organizations', headers: { ...bobHeaders, ...json }, payload: JSON.stringify({ name: 'BobCo' }) })).statusCode, 201);
    assert.equal((await pallet.push(buildNupkg({ id: 'Alice.Shared', version: '1.0.0' }), { key: aliceKey })).statusCode, 201);
    const aliceHeaders = await signInHeaders(pallet, 'alice', PASSWORD);
    const invited = await pallet.inject({ method: 'POST', url: '/api/v1/packages/Alice.Shared/owners', headers: { ...aliceHeaders, ...json }, payload: JSON.stringify({ name: 'BobCo' }) });
    assert.equal(invited.statusCode, 201);

    const bob = await signedIn('bob');
    const page = await bob.get('/account/invitations');
    assert.match(page.body, /<td>Alice\.Shared<\/td><td>BobCo<\/td><td>alice<\/td>/);
    const invitation = /name="invitation" value="(\d+)"/.exec(page.body)?.[1] ?? assert.fail('an accept button');
    const accepted = await bob.post('/account/invitations/accept', { _csrf: csrfOf(page.body), invitation });
    assert.equal(accepted.statusCode, 303);
    assert.match((await bob.get(String(accepted.headers.location))).body, /You now co-own Alice\.Shared/);
    const owners = (await pallet.inject({ method: 'GET', url: '/api/v1/packages/Alice.Shared', headers: { cookie: aliceHeaders.cookie } })).json() as { owners: string[] };
    assert.deepEqual(owners.owners.sort(), ['BobCo', 'alice']);

    // The administrator sees every organization's two-factor policy, and sets it on its page.
    const root = await signedIn('root');
    assert.match((await root.get('/account/admin/users')).body, /<a href="\/account\/organizations\/BobCo">BobCo<\/a><\/td><td>1<\/td><td>not required<\/td>/);
    const orgPage = await root.get('/account/organizations/BobCo');
    assert.equal((await root.post('/account/organizations/BobCo/two-factor', { _csrf: csrfOf(orgPage.body), required: 'on' })).statusCode, 303);
    assert.match((await root.get('/account/admin/users')).body, /BobCo<\/a><\/td><td>1<\/td><td>required<\/td>/);
  });
});
