/**
 * End-to-end: nuget.org's scoped API keys with the real `dotnet` CLI. Users and keys are made with
 * `pallet user create` and `pallet key create` on the data folder of the running server, then every rule
 * is a real `dotnet nuget push` or `dotnet nuget delete` that succeeds or fails as it should, with the
 * reason the user reads in dotnet's output (the HTTP reason phrase is all it prints).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type RunResult, type Sandbox } from '../support/dotnet.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { signInOverHttp } from '../support/web-session.ts';

const ADMIN_KEY = 'e2e-administrator-key-0123456789';
const STEP = { timeout: 5 * 60_000 };
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

describe('scoped API keys with dotnet nuget push and delete', { skip: !dotnetAvailable && 'the .NET SDK is not installed' }, () => {
  let server: PalletServer;
  let sandbox: Sandbox;
  let packages: string;

  const pallet = async (...args: string[]) => {
    const result = await runPalletCli([...args, '--data', server.dataDir]);
    assert.equal(result.code, 0, `pallet ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const createKey = async (...args: string[]) => {
    const stdout = await pallet('key', 'create', ...args);
    // Only the key goes to standard output, so a script can take it as it is.
    assert.match(stdout, /^pallet_[0-9A-Za-z]{49}\n$/);
    return stdout.trim();
  };
  const nupkg = async (id: string, version: string) => {
    const file = join(packages, `${id}.${version}.nupkg`);
    await writeFile(file, buildNupkg({ id, version }));
    return file;
  };
  const push = (file: string, key: string) => sandbox.run(['nuget', 'push', file, '-s', server.serviceIndexUrl, '-k', key], { allowFailure: true });
  const unlist = (id: string, version: string, key: string) =>
    sandbox.run(['nuget', 'delete', id, version, '-s', server.serviceIndexUrl, '-k', key, '--non-interactive'], { allowFailure: true });
  const succeeded = (result: RunResult) => assert.equal(result.code, 0, describeRun(['nuget', '…'], result, sandbox.dir));
  const refused = (result: RunResult, status: number, reason: RegExp) => {
    const output = `${result.stdout}\n${result.stderr}`;
    assert.notEqual(result.code, 0, describeRun(['nuget', '…'], result, sandbox.dir));
    assert.match(output, new RegExp(`${status}`), output);
    assert.match(output, reason, output);
  };

  let ci: string;
  let versionsOnly: string;
  let unlister: string;
  let bobs: string;
  let brief: string;

  before(async () => {
    server = await startPallet({ apiKey: ADMIN_KEY });
    sandbox = await createDotnetSandbox(server.serviceIndexUrl);
    packages = await mkdtemp(join(tmpdir(), 'pallet-keys-packages-'));
    await pallet('user', 'create', 'alice', '--email', 'alice@example.com');
    await pallet('user', 'create', 'bob', '--email', 'bob@example.com');
    ci = await createKey('--user', 'alice', '--name', 'ci', '--scope', 'push', '--glob', 'Contoso.*', '--expires', '30d');
    versionsOnly = await createKey('--user', 'alice', '--name', 'versions-only', '--scope', 'push-version');
    unlister = await createKey('--user', 'alice', '--name', 'unlister', '--scope', 'unlist', '--glob', 'contoso.*');
    bobs = await createKey('--user', 'bob', '--name', 'everything', '--scope', 'push', '--scope', 'unlist');
  }, STEP);

  after(async () => {
    await sandbox?.remove();
    await server?.stop();
    if (packages) await rm(packages, { recursive: true, force: true });
  });

  it('pushes a new id within the key’s glob, and the pusher owns it', STEP, async () => {
    succeeded(await push(await nupkg('Contoso.Widgets', '1.0.0'), ci));
    refused(await push(await nupkg('Contoso.Widgets', '1.1.0'), bobs), 403, /'Contoso\.Widgets' belongs to other owners; ask one of them to add 'bob' as an owner/);
  });

  it('refuses an id outside the glob, naming the glob', STEP, async () => {
    refused(await push(await nupkg('Fabrikam.Tool', '1.0.0'), ci), 403, /The API key 'ci' does not allow pushing 'Fabrikam\.Tool': it is limited to Contoso\.\*/);
  });

  it('a push-version key pushes new versions of an owned id only', STEP, async () => {
    succeeded(await push(await nupkg('Contoso.Widgets', '1.1.0'), versionsOnly));
    refused(
      await push(await nupkg('Contoso.Gadgets', '1.0.0'), versionsOnly),
      403,
      /The API key 'versions-only' may only push new versions of existing packages, and 'Contoso\.Gadgets' is a new package/,
    );
  });

  it('unlists only with the unlist scope', STEP, async () => {
    refused(await unlist('Contoso.Widgets', '1.0.0', ci), 403, /The API key 'ci' does not allow unlisting or relisting packages/);
    succeeded(await unlist('Contoso.Widgets', '1.0.0', unlister));
    refused(await unlist('Contoso.Widgets', '1.1.0', bobs), 403, /'Contoso\.Widgets' belongs to other owners/);
  });

  it('records when a key was last used', STEP, async () => {
    const keys = (await pallet('key', 'list', '--user', 'alice')).trim().split('\n').map((line) => JSON.parse(line) as { name: string; lastUsedAt: string | null });
    assert.deepEqual(keys.map((key) => key.name), ['unlister', 'versions-only', 'ci']);
    for (const key of keys) assert.match(String(key.lastUsedAt), /^\d{4}-\d\d-\d\dT/, key.name);
    assert.doesNotMatch(JSON.stringify(keys), /pallet_/, 'a listing never shows a secret');
  });

  it('refuses an expired key with the day it expired', STEP, async () => {
    brief = await createKey('--user', 'alice', '--name', 'brief', '--expires', '1s');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    refused(await push(await nupkg('Contoso.Widgets', '1.2.0'), brief), 403, /The API key 'brief' expired on \d{4}-\d\d-\d\d/);
  });

  it('regenerates a key: the new secret pushes, the old one is refused', STEP, async () => {
    const regenerated = (await pallet('key', 'regenerate', '--user', 'alice', '--name', 'brief', '--expires', '30d')).trim();
    assert.match(regenerated, /^pallet_[0-9A-Za-z]{49}$/);
    succeeded(await push(await nupkg('Contoso.Widgets', '1.2.0'), regenerated));
    refused(await push(await nupkg('Contoso.Widgets', '1.3.0'), brief), 403, /The specified API key is invalid/);
  });

  it('refuses a revoked key with the day it was revoked', STEP, async () => {
    await pallet('key', 'revoke', '--user', 'alice', '--name', 'ci');
    refused(await push(await nupkg('Contoso.Widgets', '2.0.0'), ci), 403, /The API key 'ci' was revoked on \d{4}-\d\d-\d\d/);
  });

  it('refuses the keys of a disabled user', STEP, async () => {
    succeeded(await push(await nupkg('Bob.Tools', '1.0.0'), bobs));
    await pallet('user', 'disable', 'bob');
    refused(await push(await nupkg('Bob.Tools', '1.1.0'), bobs), 403, /The account 'bob' is disabled/);
  });

  it('leaves packages pushed with the configured key to the administrators', STEP, async () => {
    succeeded(await push(await nupkg('Legacy.Package', '1.0.0'), ADMIN_KEY));
    const anyPackage = await createKey('--user', 'alice', '--name', 'any-package');
    refused(await push(await nupkg('Legacy.Package', '1.1.0'), anyPackage), 403, /'Legacy\.Package' is managed by the administrators/);
    succeeded(await push(await nupkg('Legacy.Package', '1.1.0'), ADMIN_KEY));
  });

  it('keeps new ids under a reserved prefix for its owner, and search shows their packages verified', STEP, async () => {
    await pallet('prefix', 'reserve', 'Reserved.*', '--owner', 'alice');
    await pallet('user', 'create', 'dave', '--email', 'dave@example.com');
    const daves = await createKey('--user', 'dave', '--name', 'dave-push');
    refused(await push(await nupkg('Reserved.Thing', '1.0.0'), daves), 403, /The ID prefix 'Reserved\.\*' is reserved: only its owners may push new packages such as 'Reserved\.Thing'/);
    const alices = await createKey('--user', 'alice', '--name', 'reserved-push', '--glob', 'Reserved.*');
    succeeded(await push(await nupkg('Reserved.Thing', '1.0.0'), alices));
    const found = (await (await fetch(`${server.baseUrl}/v3/search?q=packageid:Reserved.Thing`)).json()) as { data: { id: string; owners: string[]; verified: boolean }[] };
    assert.deepEqual(found.data.map((hit) => [hit.id, hit.owners, hit.verified]), [['Reserved.Thing', ['alice'], true]]);
    const byOwner = (await (await fetch(`${server.baseUrl}/v3/search?q=owner:ALICE`)).json()) as { data: { id: string }[] };
    assert.deepEqual(byOwner.data.map((hit) => hit.id).sort(), ['Contoso.Widgets', 'Reserved.Thing']);
  });

  it("pushes with a key acting for an organization, which owns the new id, until the key's holder leaves it", STEP, async () => {
    const api = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const admin = { 'x-nuget-apikey': ADMIN_KEY };
    await api('POST', '/api/v1/admin/users', admin, { name: 'erin', email: 'erin@example.com', password: 'erins long password' });
    await api('POST', '/api/v1/admin/users', admin, { name: 'frank', email: 'frank@example.com', password: 'franks long password' });
    const erin = await signInOverHttp(server.baseUrl, 'erin', 'erins long password');
    await api('POST', '/api/v1/organizations', erin, { name: 'Northwind' });
    await api('POST', '/api/v1/organizations/Northwind/members', erin, { name: 'frank', role: 'collaborator' });
    const frank = await signInOverHttp(server.baseUrl, 'frank', 'franks long password');
    const created = await api('POST', '/api/v1/me/api-keys', frank, { name: 'northwind-ci', scopes: ['push'], patterns: ['Northwind.*'], owner: 'Northwind' });
    const orgKey = String(created.secret);

    succeeded(await push(await nupkg('Northwind.Orders', '1.0.0'), orgKey));
    assert.deepEqual((await api('GET', '/api/v1/packages/Northwind.Orders', erin)).owners, ['Northwind']);
    await api('DELETE', '/api/v1/organizations/Northwind/members/frank', erin);
    refused(await push(await nupkg('Northwind.Orders', '1.1.0'), orgKey), 403, /The API key 'northwind-ci' acts for 'Northwind', and 'frank' is no longer a member of it/);

    // The command line makes keys acting for an organization too, for its members only.
    const notMember = await runPalletCli(['key', 'create', '--user', 'frank', '--name', 'again', '--owner', 'Northwind', '--data', server.dataDir]);
    assert.equal(notMember.code, 1);
    assert.match(notMember.stderr, /'frank' is not a member of 'Northwind'/);
    const erinsKey = await createKey('--user', 'erin', '--name', 'northwind-cli', '--owner', 'Northwind', '--glob', 'Northwind.*');
    succeeded(await push(await nupkg('Northwind.Orders', '1.1.0'), erinsKey));
  });

  it('prints the audit log as JSON lines, all of it or one user’s', STEP, async () => {
    const events = (await pallet('audit')).trim().split('\n').map((line) => JSON.parse(line) as { kind: string; actorLabel: string; idLower?: string; actorKeyName?: string });
    const pushes = events.filter((event) => event.kind === 'package.pushed');
    assert.deepEqual(pushes[0], { ...pushes[0], idLower: 'contoso.widgets', actorKeyName: 'ci', actorLabel: "alice (API key 'ci')" });
    assert.ok(events.some((event) => event.kind === 'api-key.revoked'));
    assert.ok(events.some((event) => event.kind === 'package.unlisted' && event.actorKeyName === 'unlister'));
    const daves = (await pallet('audit', '--user', 'dave')).trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind);
    assert.deepEqual(daves, ['user.created', 'api-key.created']);
    assert.doesNotMatch(await pallet('audit'), /pallet_[0-9A-Za-z]{20}/, 'no key in the audit log');
  });

  it('refuses a key it does not know, and never logs a secret', STEP, async () => {
    refused(await push(await nupkg('Contoso.Widgets', '3.0.0'), 'pallet_not-a-real-key'), 403, /The specified API key is invalid/);
    const logs = server.logs();
    for (const secret of [ci, versionsOnly, unlister, bobs, ADMIN_KEY]) assert.ok(!logs.includes(secret), 'a key appears in the server log');
    // The one-time link for the first administrator goes to standard error, never into a JSON log line.
    assert.match(logs, /No administrator yet: open http:\/\/[^ ]+\/account\/setup\?token=[A-Za-z0-9_-]{43} to create the first one/);
    assert.ok(!JSON.stringify(server.logRecords()).includes('setup?token='));
  });
});
