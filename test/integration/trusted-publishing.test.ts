/**
 * Trusted publishing against a test OIDC issuer on loopback (its discovery document and JWKS served over
 * HTTP, tokens signed with jose, as GitHub Actions signs its own): a token whose claims match a registered
 * publisher is exchanged once for a one-hour key, which pushes the owner's packages and records the token's
 * claims with the version; a replayed, re-signed, expired, wrongly addressed or unmatched token is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, startInProcess, type InProcessPallet } from '../support/in-process.ts';

const AUDIENCE = 'http://pallet.test';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('trusted publishing', () => {
  let issuerServer: Server;
  let issuer: string;
  let signingKey: SigningKey;
  let otherKey: SigningKey;
  let pallet: InProcessPallet;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'ci-1', alg: 'RS256', use: 'sig' };
    issuerServer = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration') response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (request.url === '/jwks') response.end(JSON.stringify({ keys: [jwk] }));
      else response.writeHead(404).end('{}');
    });
    issuerServer.listen(0, '127.0.0.1');
    await once(issuerServer, 'listening');
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;

    pallet = await startInProcess();
    const tools = openDatabaseForTools(dataFolderLayout(pallet.dataDir).database, 'write');
    try {
      await createUser({ accounts: tools.accounts, now: () => new Date() }, COMMAND_LINE, { name: 'contoso', email: 'ci@contoso.test', isAdministrator: false, password: undefined });
    } finally {
      tools.close();
    }
    const registered = await pallet.inject({
      method: 'POST',
      url: '/api/v1/admin/trusted-publishers',
      headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' },
      payload: JSON.stringify({ owner: 'contoso', issuer, claims: { repository: 'contoso/lib', workflow: 'release' } }),
    });
    assert.equal(registered.statusCode, 201);
  });

  after(async () => {
    await pallet.close();
    await new Promise((resolve) => issuerServer.close(resolve));
  });

  const token = (claims: Record<string, unknown> = {}, options: { key?: SigningKey; expiresIn?: string; audience?: string } = {}) =>
    new SignJWT({ repository: 'contoso/lib', workflow: 'release', sha: '0123abc', ref: 'refs/tags/v1.0.0', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'ci-1' })
      .setIssuer(issuer)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('repo:contoso/lib:ref:refs/tags/v1.0.0')
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? signingKey);

  const exchange = (jwt: string) =>
    pallet.inject({ method: 'POST', url: '/api/v1/trusted-publishing/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token: jwt }) });

  it('exchanges a matching token once for a one-hour key that pushes, recording the provenance', async () => {
    const jwt = await token();
    const exchanged = await exchange(jwt);
    assert.equal(exchanged.statusCode, 200, exchanged.body);
    const { apiKey, expiresAt, owner } = exchanged.json() as { apiKey: string; expiresAt: string; owner: string };
    assert.equal(owner, 'contoso');
    const lifetime = new Date(expiresAt).getTime() - Date.now();
    assert.ok(lifetime > 59 * 60_000 && lifetime <= 60 * 60_000, 'one hour');
    assert.equal((await pallet.push(buildNupkg({ id: 'Contoso.Ci', version: '1.0.0' }), { key: apiKey })).statusCode, 201);
    const found = (await pallet.inject({ method: 'GET', url: '/api/v1/packages/Contoso.Ci', headers: { authorization: `Bearer ${apiKey}` } })).json() as {
      owners: string[];
      versions: { provenance: Record<string, string> | null }[];
    };
    assert.deepEqual(found.owners, ['contoso']);
    assert.deepEqual(found.versions[0]?.provenance, { repository: 'contoso/lib', workflow: 'release', ref: 'refs/tags/v1.0.0', sha: '0123abc' });
    const replayed = await exchange(jwt);
    assert.equal(replayed.statusCode, 401);
    assert.match((replayed.json() as { error: { message: string } }).error.message, /exchanged before/);
  });

  it('refuses a re-signed, expired, wrongly addressed or unmatched token', async () => {
    const refusal = async (jwt: string) => {
      const response = await exchange(jwt);
      return [response.statusCode, (response.json() as { error: { message: string } }).error.message] as const;
    };
    const [resigned] = await refusal(await token({}, { key: otherKey }));
    assert.equal(resigned, 401);
    const [expired, expiredWhy] = await refusal(await token({}, { expiresIn: '-10m' }));
    assert.deepEqual([expired, /exp/.test(expiredWhy)], [401, true]);
    const [audience, audienceWhy] = await refusal(await token({}, { audience: 'https://elsewhere.example' }));
    assert.deepEqual([audience, /aud/.test(audienceWhy)], [401, true]);
    assert.deepEqual(await refusal(await token({ repository: 'mallory/lib' })), [403, 'The token’s claims match no trusted publisher registered for its issuer.']);
    assert.equal((await refusal('not.a.jwt'))[0], 401);
  });

  it('lets an owner register a publisher, never with an API key', async () => {
    const page = await pallet.inject({ method: 'GET', url: '/account/sign-in' });
    assert.equal(page.statusCode, 200);
    const viaKey = await pallet.inject({
      method: 'POST',
      url: '/api/v1/me/trusted-publishers',
      headers: { 'x-nuget-apikey': API_KEY, 'content-type': 'application/json' },
      payload: JSON.stringify({ issuer, claims: { repository: 'x/y' } }),
    });
    assert.equal(viaKey.statusCode, 403);
  });

  it('lists and removes publishers; a removed one exchanges no more tokens', async () => {
    const admin = { 'x-nuget-apikey': API_KEY };
    const listed = (await pallet.inject({ method: 'GET', url: '/api/v1/admin/trusted-publishers', headers: admin })).json() as { trustedPublishers: { publisherId: number; owner: string; claims: Record<string, string> }[] };
    assert.deepEqual(listed.trustedPublishers.map((each) => [each.owner, each.claims]), [['contoso', { repository: 'contoso/lib', workflow: 'release' }]]);
    const id = listed.trustedPublishers[0]?.publisherId as number;
    assert.equal((await pallet.inject({ method: 'DELETE', url: `/api/v1/admin/trusted-publishers/0x${id.toString(16)}`, headers: admin })).statusCode, 404, 'ids are digits only');
    assert.equal((await pallet.inject({ method: 'DELETE', url: `/api/v1/admin/trusted-publishers/${id}`, headers: admin })).statusCode, 200);
    assert.equal((await pallet.inject({ method: 'DELETE', url: `/api/v1/admin/trusted-publishers/${id}`, headers: admin })).statusCode, 404);
    assert.equal((await exchange(await token())).statusCode, 401);
  });
});
