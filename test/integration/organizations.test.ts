/**
 * Organizations with members, through the management API and the pages with real sessions: a user creates
 * one and is its admin; a collaborator's key acting for it pushes a new id, which the organization owns;
 * its admins manage the owners of its packages and its members, never leaving it without an admin; a key
 * stops working when its holder leaves; a package is handed to an organization; and an administrator's
 * two-factor policy walks its members to enrolment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { seedUsers } from '../support/seed-accounts.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { signInHeaders } from '../support/web-session.ts';
import { Browser, csrfOf } from '../support/web-browser.ts';

const PASSWORD = 'a long enough password';

describe('organizations and their members', () => {
  let pallet: InProcessPallet;
  let headers: Record<string, { cookie: string; 'x-pallet-csrf': string }>;
  let aliceKey: string;

  before(async () => {
    pallet = await startInProcess();
    const keys = await seedUsers(pallet.dataDir, [
      { name: 'alice', password: PASSWORD, key: { name: 'own', scopes: ['push'] } },
      ...['bob', 'carol', 'root'].map((name) => ({ name, password: PASSWORD, administrator: name === 'root' })),
    ]);
    aliceKey = keys.alice ?? '';
    headers = {};
    for (const name of ['alice', 'bob', 'carol', 'root']) headers[name] = await signInHeaders(pallet, name, PASSWORD);
  });

  after(async () => {
    await pallet.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, who: string, payload?: unknown) => {
    const response = await pallet.inject({
      method,
      url,
      headers: { ...headers[who], ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { message: string } } };
  };

  let bobKey = '';

  it('creates an organization whose creator is its admin, and adds a collaborator', async () => {
    assert.equal((await call('POST', '/api/v1/organizations', 'alice', { name: 'Contoso' })).status, 201);
    assert.equal((await call('POST', '/api/v1/organizations', 'bob', { name: 'contoso' })).status, 409, 'one namespace, any casing');
    assert.deepEqual((await call('GET', '/api/v1/me/organizations', 'alice')).body.organizations, [{ name: 'Contoso', displayName: 'Contoso', role: 'admin', membersNeedTwoFactor: false }]);
    assert.equal((await call('POST', '/api/v1/organizations/Contoso/members', 'bob', { name: 'bob', role: 'admin' })).status, 403, 'only an admin adds members');
    assert.deepEqual((await call('POST', '/api/v1/organizations/Contoso/members', 'alice', { name: 'bob', role: 'collaborator' })).body, { member: 'bob', role: 'collaborator', outcome: 'added' });
    const members = (await call('GET', '/api/v1/organizations/Contoso/members', 'bob')).body.members as { name: string; role: string }[];
    assert.deepEqual(members.map((member) => [member.name, member.role]), [['alice', 'admin'], ['bob', 'collaborator']]);
    assert.equal((await call('GET', '/api/v1/organizations/Contoso/members', 'carol')).status, 404, 'not shown to others');
  });

  it("lets a member's key act for the organization, which then owns the new id; nobody else's key may", async () => {
    const created = await call('POST', '/api/v1/me/api-keys', 'bob', { name: 'contoso-ci', scopes: ['push', 'unlist'], patterns: ['Contoso.*'], owner: 'Contoso' });
    assert.equal(created.status, 201);
    assert.equal((created.body.apiKey as { owner: string }).owner, 'Contoso');
    bobKey = String(created.body.secret);
    const refused = await call('POST', '/api/v1/me/api-keys', 'carol', { name: 'sneaky', scopes: ['push'], owner: 'Contoso' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.message, "'carol' is not a member of 'Contoso', so no key of theirs may act for it.");

    assert.equal((await pallet.push(buildNupkg({ id: 'Contoso.Lib', version: '1.0.0' }), { key: bobKey })).statusCode, 201);
    const owners = (await call('GET', '/api/v1/packages/Contoso.Lib', 'alice')).body.owners;
    assert.deepEqual(owners, ['Contoso']);
  });

  it("lets the organization's admins, not its collaborators, manage the owners of its packages", async () => {
    assert.equal((await call('POST', '/api/v1/packages/Contoso.Lib/owners', 'bob', { name: 'carol' })).status, 403);
    assert.equal((await call('POST', '/api/v1/packages/Contoso.Lib/owners', 'alice', { name: 'carol' })).status, 201);
  });

  it('never leaves an organization without an admin', async () => {
    const leave = await call('DELETE', '/api/v1/organizations/Contoso/members/alice', 'alice');
    assert.equal(leave.status, 409);
    assert.match(leave.body.error?.message ?? '', /last admin of 'Contoso'/);
    assert.equal((await call('POST', '/api/v1/organizations/Contoso/members', 'alice', { name: 'alice', role: 'collaborator' })).status, 409);
  });

  it('hands a package to an organization its owner is an admin of', async () => {
    assert.equal((await pallet.push(buildNupkg({ id: 'Alice.Tool', version: '1.0.0' }), { key: aliceKey })).statusCode, 201);
    assert.equal((await call('POST', '/api/v1/packages/Alice.Tool/transfer', 'bob', { organization: 'Contoso' })).status, 403, 'not an owner');
    const moved = await call('POST', '/api/v1/packages/Alice.Tool/transfer', 'alice', { organization: 'Contoso' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual((await call('GET', '/api/v1/packages/Alice.Tool', 'alice')).body.owners, ['Contoso']);
    assert.equal((await pallet.push(buildNupkg({ id: 'Alice.Tool', version: '1.1.0' }), { key: aliceKey })).statusCode, 403, "alice's own key no longer owns it");
  });

  it('stops a key acting for the organization once its holder is no longer a member, saying why', async () => {
    assert.equal((await call('DELETE', '/api/v1/organizations/Contoso/members/bob', 'bob')).status, 200, 'a member leaves');
    const refused = await pallet.push(buildNupkg({ id: 'Contoso.Lib', version: '1.1.0' }), { key: bobKey });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /The API key 'contoso-ci' acts for 'Contoso', and 'bob' is no longer a member of it\./);
  });

  it("walks the members of an organization to enrolment once an administrator requires two-factor authentication", async () => {
    assert.equal((await call('POST', '/api/v1/organizations/Contoso/members', 'alice', { name: 'bob', role: 'collaborator' })).status, 200);
    assert.equal((await call('POST', '/api/v1/admin/organizations/Contoso/two-factor', 'alice', { required: true })).status, 403, 'an administrator of the server');
    assert.equal((await call('POST', '/api/v1/admin/organizations/Contoso/two-factor', 'root', { required: true })).status, 200);
    const refused = await call('POST', '/api/v1/me/api-keys', 'bob', { name: 'after-policy', scopes: ['push'] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.message, 'An organization you belong to requires two-factor authentication: set it up first.');
    const page = await pallet.inject({ method: 'GET', url: '/account', headers: { cookie: headers.bob?.cookie ?? '' } });
    assert.equal(page.statusCode, 303, 'every page but enrolment walks the member there');
    assert.equal(page.headers.location, '/account/two-factor/setup');
    assert.equal((await call('POST', '/api/v1/me/api-keys', 'carol', { name: 'unaffected', scopes: ['push'] })).status, 201, 'a non-member is not affected');
    assert.equal((await call('POST', '/api/v1/admin/organizations/Contoso/two-factor', 'root', { required: false })).status, 200);
  });

  it('creates an organization and adds a member on the pages, and offers it as what a new key acts for', async () => {
    const browser = new Browser(pallet);
    assert.equal((await browser.submit('/account/sign-in', '/account/sign-in', { name: 'carol', password: PASSWORD })).statusCode, 303);
    const created = await browser.submit('/account/organizations', '/account/organizations', { name: 'Fabrikam' });
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, '/account/organizations/Fabrikam');
    const added = await browser.submit('/account/organizations/Fabrikam', '/account/organizations/Fabrikam/members', { name: 'alice', role: 'collaborator' });
    assert.equal(added.statusCode, 303);
    const page = await browser.get('/account/organizations/Fabrikam');
    assert.match(page.body, /<td>alice<\/td><td>collaborator<\/td>/);
    assert.match(page.body, /<td>carol<\/td><td>admin<\/td>/);
    const unknown = await browser.post('/account/organizations/Fabrikam/members', { _csrf: csrfOf(page.body), name: 'nobody', role: 'admin' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /There is no user &#39;nobody&#39;|There is no user 'nobody'/);
    const keys = await browser.get('/account/api-keys');
    assert.match(keys.body, /<select id="owner" name="owner"><option value="carol">carol<\/option><option value="Fabrikam">Fabrikam<\/option><\/select>/);
  });
});
