/**
 * The authentication step over HTTP: a user's key is accepted in the X-NuGet-ApiKey header, as a Basic
 * password and as a Bearer token; a wrong one is refused by where it came (403, or 401 with a Basic
 * challenge so the client tries its next credential); each push records who made it, with which key and
 * from where, in its event. No secret reaches the log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { createApiKey } from '../../src/app/accounts/create-api-key.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { DEFAULT_FEED_ID } from '../../src/domain/feed.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { multipartBody, startInProcess, type InProcessPallet } from '../support/in-process.ts';

describe('authentication of API keys', () => {
  let pallet: InProcessPallet;
  let secret: string;

  before(async () => {
    pallet = await startInProcess({ captureLogs: true });
    // As `pallet user create` and `pallet key create` do, on the running server's data folder.
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    try {
      const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: 30 * 86_400_000 };
      await createUser(deps, COMMAND_LINE, { name: 'alice', email: 'alice@example.com', isAdministrator: false, password: undefined });
      secret = (await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'ci', scopes: ['push'], patterns: [], lifetimeMs: undefined })).secret;
    } finally {
      tools.close();
    }
  });

  after(async () => {
    await pallet.close();
  });

  const pushWith = (id: string, headers: Record<string, string>) => {
    const body = multipartBody(buildNupkg({ id, version: '1.0.0' }));
    return pallet.inject({ method: 'PUT', url: '/api/v2/package/', headers: { 'content-type': body.contentType, ...headers }, payload: body.payload });
  };
  const basic = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;

  it('accepts the key in X-NuGet-ApiKey, as a Basic password and as a Bearer token', async () => {
    assert.equal((await pushWith('Via.Header', { 'x-nuget-apikey': secret })).statusCode, 201);
    assert.equal((await pushWith('Via.Basic', { authorization: basic(secret) })).statusCode, 201);
    assert.equal((await pushWith('Via.Bearer', { authorization: `Bearer ${secret}` })).statusCode, 201);
  });

  it('answers a wrong Basic password 401 with a Basic challenge, and a wrong header or token 403', async () => {
    const wrongBasic = await pushWith('Wrong.Basic', { authorization: basic('not-the-key') });
    assert.equal(wrongBasic.statusCode, 401);
    assert.equal(wrongBasic.headers['www-authenticate'], 'Basic realm="Pallet"');
    // One character changed (never to itself): the checksum no longer matches, so it is not even looked up.
    const tampered = `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
    const wrongHeader = await pushWith('Wrong.Header', { 'x-nuget-apikey': tampered });
    assert.equal(wrongHeader.statusCode, 403);
    assert.match(wrongHeader.statusMessage, /^The specified API key is invalid/);
    assert.equal(wrongHeader.headers['www-authenticate'], undefined);
    assert.equal((await pushWith('Wrong.Bearer', { authorization: 'Bearer pallet_nothing' })).statusCode, 403);
    const none = await pushWith('No.Key', {});
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'ApiKey realm="Pallet"');
  });

  it('records the pusher, the key and the client address with the version and its event', async () => {
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'read');
    try {
      const version = await tools.packages.findVersion(DEFAULT_FEED_ID, 'via.header', '1.0.0');
      assert.deepEqual(version?.pushedBy, { label: "alice (API key 'ci')", keyName: 'ci' });
      const pushed = (await tools.events.listEvents({ limit: 100 })).filter((event) => event.kind === 'package.pushed');
      assert.deepEqual(
        pushed.map((event) => [event.idLower, event.actorKeyName, event.actorLabel, event.clientAddress]),
        ['via.header', 'via.basic', 'via.bearer'].map((idLower) => [idLower, 'ci', "alice (API key 'ci')", '127.0.0.1']),
      );
      assert.deepEqual(await tools.packages.ownership('via.basic'), { exists: true, ownerIds: [pushed[0]?.actorUserId], reservations: [] });
    } finally {
      tools.close();
    }
  });

  it('warns in X-NuGet-Warning when the key expires within ten days, as nuget.org does', async () => {
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    let brief: string;
    try {
      const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: 86_400_000 * 30 };
      brief = (await createApiKey(deps, COMMAND_LINE, { userName: 'alice', name: 'brief', scopes: ['push'], patterns: [], lifetimeMs: 5 * 86_400_000 })).secret;
    } finally {
      tools.close();
    }
    // The key was written by another connection: the server's read snapshot of this turn predates it, as a
    // request arriving over a socket (a later turn) never would.
    await new Promise((resolve) => setImmediate(resolve));
    const warned = await pushWith('Warned.Push', { 'x-nuget-apikey': brief });
    assert.equal(warned.statusCode, 201, warned.body);
    assert.match(String(warned.headers['x-nuget-warning']), /^The API key 'brief' expires on \d{4}-\d\d-\d\d; create a new one before then\.$/);
    assert.equal((await pushWith('Unwarned.Push', { 'x-nuget-apikey': secret })).headers['x-nuget-warning'], undefined);
  });

  it('never writes a secret to the log', () => {
    const logged = JSON.stringify(pallet.logRecords());
    assert.ok(logged.includes('request refused'), 'the refusals were logged');
    assert.ok(!logged.includes(secret), 'the key appears in the log');
    assert.ok(!logged.includes(Buffer.from(`alice:${secret}`).toString('base64')), 'the Basic credential appears in the log');
  });
});
