/**
 * Co-owners through the management API, with real sessions: an owner invites, the invitee accepts and can
 * then push the id with their own key; an API key never changes owners; a non-owner cannot invite; the last
 * owner is never removed; each change is in the audit log.
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

const PASSWORD = 'a long enough password';

describe('package co-owners', () => {
  let pallet: InProcessPallet;
  const keys: Record<string, string> = {};

  before(async () => {
    pallet = await startInProcess();
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    try {
      const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: 30 * 86_400_000 };
      for (const name of ['alice', 'bob', 'eve']) {
        await createUser(deps, COMMAND_LINE, { name, email: `${name}@example.com`, isAdministrator: false, password: PASSWORD });
        keys[name] = (await createApiKey(deps, COMMAND_LINE, { userName: name, name: 'ci', scopes: ['push'], patterns: [], lifetimeMs: undefined })).secret;
      }
    } finally {
      tools.close();
    }
    assert.equal((await pallet.push(buildNupkg({ id: 'Shared.Lib', version: '1.0.0' }), { key: keys.alice })).statusCode, 201);
  });

  after(async () => {
    await pallet.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    pallet.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

  it('lets an owner invite, and the invitee own the id once they accept', async () => {
    const alice = await signInHeaders(pallet, 'alice', PASSWORD);
    assert.equal((await call('POST', '/api/v1/packages/Shared.Lib/owners', { authorization: `Bearer ${keys.alice}` }, { name: 'bob' })).statusCode, 401, 'never with an API key');
    const eve = await signInHeaders(pallet, 'eve', PASSWORD);
    assert.equal((await call('POST', '/api/v1/packages/Shared.Lib/owners', eve, { name: 'eve' })).statusCode, 403, 'not an owner');
    assert.equal((await call('POST', '/api/v1/packages/Shared.Lib/owners', alice, { name: 'bob' })).statusCode, 201);
    assert.equal((await call('POST', '/api/v1/packages/Shared.Lib/owners', alice, { name: 'bob' })).statusCode, 409, 'already invited');
    assert.equal((await pallet.push(buildNupkg({ id: 'Shared.Lib', version: '1.1.0' }), { key: keys.bob })).statusCode, 403, 'not before accepting');

    const bob = await signInHeaders(pallet, 'bob', PASSWORD);
    const invitations = (await call('GET', '/api/v1/me/invitations', bob)).json() as { invitations: { invitationId: number; package: string; invitedBy: string }[] };
    assert.deepEqual(invitations.invitations.map((each) => [each.package, each.invitedBy]), [['Shared.Lib', 'alice']]);
    const invitationId = invitations.invitations[0]?.invitationId as number;
    assert.equal((await call('POST', `/api/v1/me/invitations/${invitationId}/accept`, eve)).statusCode, 404, "another user's invitation");
    assert.equal((await call('POST', `/api/v1/me/invitations/${invitationId}/accept`, bob)).statusCode, 200);
    assert.equal((await call('POST', `/api/v1/me/invitations/${invitationId}/accept`, bob)).statusCode, 404, 'accepted once');
    assert.equal((await pallet.push(buildNupkg({ id: 'Shared.Lib', version: '1.1.0' }), { key: keys.bob })).statusCode, 201);
    const found = (await call('GET', '/api/v1/packages/Shared.Lib', { authorization: `Bearer ${keys.bob}` })).json() as { owners: string[] };
    assert.deepEqual(found.owners, ['alice', 'bob']);
  });

  it('removes an owner, never the last one', async () => {
    const bob = await signInHeaders(pallet, 'bob', PASSWORD);
    assert.equal((await call('DELETE', '/api/v1/packages/Shared.Lib/owners/alice', bob)).statusCode, 200);
    const last = await call('DELETE', '/api/v1/packages/Shared.Lib/owners/bob', bob);
    assert.equal(last.statusCode, 409);
    assert.match((last.json() as { error: { message: string } }).error.message, /'bob' is the last owner of 'Shared.Lib'/);
    assert.equal((await pallet.push(buildNupkg({ id: 'Shared.Lib', version: '1.2.0' }), { key: keys.alice })).statusCode, 403, 'alice no longer owns it');
    const log = (await call('GET', '/api/v1/admin/events', { 'x-nuget-apikey': API_KEY })).json() as { events: { kind: string; package: string | null }[] };
    assert.deepEqual(
      log.events.filter((event) => event.kind.startsWith('ownership.')).map((event) => [event.kind, event.package]),
      [['ownership.invited', 'shared.lib'], ['ownership.added', 'shared.lib'], ['ownership.removed', 'shared.lib']],
    );
  });
});
