/**
 * The management API (`/api/v1`): its OpenAPI document comes from the schemas that validate requests;
 * API keys (Bearer or X-NuGet-ApiKey) and the configured key authenticate; administrators alone reach the
 * admin routes; a session's write needs the page's CSRF token; every answer, refusal included, is JSON.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { createApiKey } from '../../src/app/accounts/create-api-key.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { signInHeaders } from '../support/web-session.ts';

describe('management API', () => {
  let pallet: InProcessPallet;
  let key: string;
  let spare: string;

  before(async () => {
    pallet = await startInProcess();
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    try {
      const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: 30 * 86_400_000 };
      await createUser(deps, COMMAND_LINE, { name: 'alice', email: 'alice@example.com', isAdministrator: false, password: 'a long enough password' });
      key = (await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'ci', scopes: ['push'], patterns: [], lifetimeMs: undefined })).secret;
      spare = (await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'spare', scopes: ['push'], patterns: [], lifetimeMs: undefined })).secret;
    } finally {
      tools.close();
    }
  });

  after(async () => {
    await pallet.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    pallet.inject({ method, url, headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await call('GET', '/api/v1/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, any>> };
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/api/v1/me/api-keys/{name}']?.delete, 'path parameters in OpenAPI form');
    const reserve = document.paths['/api/v1/admin/prefixes']?.post;
    assert.deepEqual(reserve?.requestBody.content['application/json'].schema.required, ['prefix', 'owner']);
    assert.equal(reserve?.requestBody.content['application/json'].schema.additionalProperties, false);
    assert.ok(reserve?.responses['201'], 'the declared status');
  });

  it('answers an anonymous call 401 in JSON with a Bearer challenge', async () => {
    const response = await call('GET', '/api/v1/me');
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="Pallet"');
    assert.equal((response.json() as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
  });

  it("shows the key holder's account, keys, packages with their push records, and audit log", async () => {
    assert.deepEqual((await call('GET', '/api/v1/me', bearer(key))).json(), { name: 'alice', displayName: 'alice', email: 'alice@example.com', isAdministrator: false });
    const keys = (await call('GET', '/api/v1/me/api-keys', { 'x-nuget-apikey': key })).json() as { apiKeys: { name: string }[] };
    assert.deepEqual(keys.apiKeys.map((each) => each.name), ['spare', 'ci']);
    assert.ok(!JSON.stringify(keys).includes('pallet_'), 'no secret');
    assert.equal((await pallet.push(buildNupkg({ id: 'Api.Package', version: '1.0.0' }), { key })).statusCode, 201);
    const found = (await call('GET', '/api/v1/packages/api.package', bearer(key))).json() as { id: string; owners: string[]; versions: { version: string; publishedAt: string; pushedBy: string; pushedWithKey: string }[] };
    assert.deepEqual(found, {
      id: 'Api.Package',
      owners: ['alice'],
      versions: [{ version: '1.0.0', listed: true, publishedAt: found.versions[0]?.publishedAt, pushedBy: "alice (API key 'ci')", pushedWithKey: 'ci', provenance: null }],
    });
    assert.equal((await call('GET', '/api/v1/packages/no.such.package', bearer(key))).statusCode, 404);
    const mine = (await call('GET', '/api/v1/me/events', bearer(key))).json() as { events: { kind: string; package: string | null }[]; next: number | null };
    assert.deepEqual(mine.events.map((each) => each.kind), ['user.created', 'api-key.created', 'api-key.created', 'package.pushed']);
    assert.equal(mine.next, null);
  });

  it('revokes a key, after which it is refused', async () => {
    const revoked = await call('DELETE', '/api/v1/me/api-keys/spare', bearer(key));
    assert.deepEqual([revoked.statusCode, revoked.json()], [200, { revoked: 'spare' }]);
    assert.equal((await call('GET', '/api/v1/me', bearer(spare))).statusCode, 403);
    assert.equal((await call('DELETE', '/api/v1/me/api-keys/missing', bearer(key))).statusCode, 404);
  });

  it('keeps the admin routes for administrators, and validates their bodies', async () => {
    assert.equal((await call('GET', '/api/v1/admin/events', bearer(key))).statusCode, 403);
    const admin = { 'x-nuget-apikey': API_KEY };
    assert.equal((await call('GET', '/api/v1/admin/events', admin)).statusCode, 200);
    const invalid = await call('POST', '/api/v1/admin/prefixes', admin, { prefix: 'Contoso.*', owner: 'alice', extra: true });
    assert.equal(invalid.statusCode, 400);
    assert.match((invalid.json() as { error: { message: string } }).error.message, /The body is not valid/);
    const notJson = await pallet.inject({ method: 'POST', url: '/api/v1/admin/prefixes', headers: { ...admin, 'content-type': 'application/json' }, payload: '{' });
    assert.equal(notJson.statusCode, 400);
    const reserved = await call('POST', '/api/v1/admin/prefixes', admin, { prefix: 'Contoso.*', owner: 'alice' });
    assert.deepEqual([reserved.statusCode, reserved.json()], [201, { prefix: 'Contoso.*', owner: 'alice', created: true }]);
    assert.deepEqual((await call('GET', '/api/v1/admin/prefixes', admin)).json(), {
      prefixes: [{ prefix: 'Contoso.*', owner: 'alice', createdAt: ((await call('GET', '/api/v1/admin/prefixes', admin)).json() as { prefixes: { createdAt: string }[] }).prefixes[0]?.createdAt }],
    });
  });

  it("refuses a session's write without the page's CSRF token", async () => {
    const { cookie: session, 'x-pallet-csrf': token } = await signInHeaders(pallet, 'alice', 'a long enough password');
    assert.equal((await call('GET', '/api/v1/me', { cookie: session })).statusCode, 200, 'a session reads');
    const forged = await call('DELETE', '/api/v1/me/api-keys/ci', { cookie: session });
    assert.equal(forged.statusCode, 403);
    assert.equal((await call('GET', '/api/v1/me', bearer(key))).statusCode, 200, 'the key was not revoked');
    assert.equal((await call('DELETE', '/api/v1/me/api-keys/ci', { cookie: session, 'x-pallet-csrf': token })).statusCode, 200);
  });

  it('administers users, webhooks and prefix releases', async () => {
    const admin = { 'x-nuget-apikey': API_KEY };
    assert.equal((await call('POST', '/api/v1/admin/users', bearer(key), { name: 'mallory' })).statusCode, 403);
    const created = await call('POST', '/api/v1/admin/users', admin, { name: 'bob', email: 'bob@example.com', password: 'another long password' });
    assert.deepEqual([created.statusCode, created.json()], [201, { name: 'bob' }]);
    assert.equal((await call('POST', '/api/v1/admin/users', admin, { name: 'BOB' })).statusCode, 409);
    const users = (await call('GET', '/api/v1/admin/users', admin)).json() as { users: { name: string; twoFactor: boolean; disabledAt: string | null }[] };
    assert.deepEqual(users.users.map((each) => [each.name, each.twoFactor, each.disabledAt]), [['alice', false, null], ['bob', false, null]]);
    assert.equal((await call('POST', '/api/v1/admin/users/bob/password', admin, { password: 'short' })).statusCode, 400);
    assert.equal((await call('POST', '/api/v1/admin/users/bob/password', admin, { password: 'a brand new long password' })).statusCode, 200);
    assert.equal((await call('POST', '/api/v1/admin/users/bob/disable', admin)).statusCode, 200);
    assert.notEqual(((await call('GET', '/api/v1/admin/users', admin)).json() as { users: { name: string; disabledAt: string | null }[] }).users[1]?.disabledAt, null);

    const hook = await call('POST', '/api/v1/admin/webhooks', admin, { url: 'https://hooks.example.com/pallet', events: ['package.pushed'] });
    assert.equal(hook.statusCode, 201);
    const { webhookId, secret } = hook.json() as { webhookId: number; secret: string };
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const listed = (await call('GET', '/api/v1/admin/webhooks', admin)).json() as { webhooks: { webhookId: number; url: string }[] };
    assert.deepEqual(listed.webhooks.map((each) => [each.webhookId, each.url]), [[webhookId, 'https://hooks.example.com/pallet']]);
    assert.ok(!JSON.stringify(listed).includes(secret), 'never the secret again');
    assert.equal((await call('POST', '/api/v1/admin/webhooks', admin, { url: 'https://u:p@hooks.example.com/' })).statusCode, 400);
    assert.equal((await call('DELETE', `/api/v1/admin/webhooks/${webhookId}`, admin)).statusCode, 200);
    assert.equal((await call('DELETE', `/api/v1/admin/webhooks/${webhookId}`, admin)).statusCode, 404);

    await call('POST', '/api/v1/admin/prefixes', admin, { prefix: 'Release.*', owner: 'alice' });
    assert.equal((await call('DELETE', '/api/v1/admin/prefixes/alice/Release.*', admin)).statusCode, 200);
    assert.equal((await call('DELETE', '/api/v1/admin/prefixes/alice/Release.*', admin)).statusCode, 404);
  });

  it('lists the identities linked to the user', async () => {
    const { cookie } = await signInHeaders(pallet, 'alice', 'a long enough password');
    const listed = await call('GET', '/api/v1/me/identities', { cookie });
    assert.deepEqual([listed.statusCode, listed.json()], [200, { identities: [] }]);
  });
});
