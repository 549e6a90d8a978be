/**
 * A private feed with the real `dotnet` CLI: the feed made with `pallet feed create --private`, a package
 * pushed to it with `dotnet nuget push -k`, then restored, searched and added with the key as the password of
 * NuGet.config's packageSourceCredentials (the client asks for it after the feed's 401 with its Basic
 * challenge); without credentials restore fails with NU1301, and a non-member's credentials find nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type Sandbox } from '../support/dotnet.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';

const STEP = { timeout: 5 * 60_000 };
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

describe('a private feed with dotnet restore, search, add package and push', { skip: !dotnetAvailable && 'the .NET SDK is not installed' }, () => {
  let server: PalletServer;
  let feedUrl: string;
  let aliceKey: string;
  let malloryKey: string;
  const sandboxes: Sandbox[] = [];
  let packages: string;

  const pallet = async (...args: string[]) => {
    const result = await runPalletCli([...args, '--data', server.dataDir]);
    assert.equal(result.code, 0, `pallet ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const sandbox = async (credentials?: { username: string; password: string }) => {
    const made = await createDotnetSandbox(feedUrl, credentials);
    sandboxes.push(made);
    return made;
  };

  before(async () => {
    server = await startPallet({ apiKey: 'private-feed-admin-key' });
    feedUrl = server.serviceIndexUrl.replace(/\/v3\/index\.json$/, '/feeds/secret/v3/index.json');
    packages = await mkdtemp(join(tmpdir(), 'pallet-private-feed-'));
    await pallet('user', 'create', 'alice', '--email', 'alice@example.com');
    await pallet('user', 'create', 'mallory', '--email', 'mallory@example.com');
    aliceKey = (await pallet('key', 'create', '--user', 'alice', '--name', 'ci', '--scope', 'push')).trim();
    malloryKey = (await pallet('key', 'create', '--user', 'mallory', '--name', 'mine', '--scope', 'push')).trim();
    assert.match(await pallet('feed', 'create', 'secret', '--private', '--owner', 'alice'), /created 'secret'/);
  }, STEP);

  after(async () => {
    for (const made of sandboxes) await made.remove();
    await server?.stop();
    if (packages) await rm(packages, { recursive: true, force: true });
  });

  it('pushes to the private feed with -k and the credentials', STEP, async () => {
    const publisher = await sandbox({ username: 'alice', password: aliceKey });
    const file = join(packages, 'Secret.Widgets.1.0.0.nupkg');
    await writeFile(file, buildNupkg({ id: 'Secret.Widgets', version: '1.0.0', description: 'Only for the feed' }));
    const args = ['nuget', 'push', file, '-s', feedUrl, '-k', aliceKey];
    const result = await publisher.run(args, { allowFailure: true });
    assert.equal(result.code, 0, describeRun(args, result, publisher.dir));
  });

  it('pushes with the credentials alone, the key as the password of packageSourceCredentials', STEP, async () => {
    const publisher = await sandbox({ username: 'alice', password: aliceKey });
    const file = join(packages, 'Secret.Gadgets.1.0.0.nupkg');
    await writeFile(file, buildNupkg({ id: 'Secret.Gadgets', version: '1.0.0' }));
    const args = ['nuget', 'push', file, '-s', feedUrl];
    const result = await publisher.run(args, { allowFailure: true });
    assert.equal(result.code, 0, describeRun(args, result, publisher.dir));
  });

  it('restores, searches and adds the package with the key in packageSourceCredentials', STEP, async () => {
    const reader = await sandbox({ username: 'alice', password: aliceKey });
    const projectDir = await reader.createConsumer('PrivateConsumer', 'net10.0', [{ id: 'Secret.Widgets', version: '1.0.0' }]);
    const restore = ['restore', '--configfile', reader.configPath, '--no-http-cache'];
    const restored = await reader.run(restore, { cwd: projectDir, allowFailure: true });
    assert.equal(restored.code, 0, describeRun(restore, restored, projectDir));
    const assets = JSON.parse(await readFile(join(projectDir, 'obj', 'project.assets.json'), 'utf8')) as { libraries: Record<string, unknown> };
    assert.ok(Object.keys(assets.libraries).includes('Secret.Widgets/1.0.0'));

    const search = ['package', 'search', 'Secret', '--source', feedUrl, '--configfile', reader.configPath, '--format', 'json'];
    const found = await reader.run(search, { allowFailure: true });
    assert.equal(found.code, 0, describeRun(search, found, reader.dir));
    assert.match(found.stdout, /"id": "Secret.Widgets"/);

    const adder = await reader.createConsumer('AddConsumer');
    const add = ['add', 'package', 'Secret.Widgets'];
    const added = await reader.run(add, { cwd: adder, allowFailure: true });
    assert.equal(added.code, 0, describeRun(add, added, adder));
    assert.match(await readFile(join(adder, 'AddConsumer.csproj'), 'utf8'), /Include="Secret\.Widgets" Version="1\.0\.0"/);
  });

  it('fails restore with NU1301 without credentials, and finds nothing with a non-member’s', STEP, async () => {
    for (const credentials of [undefined, { username: 'mallory', password: malloryKey }]) {
      const outsider = await sandbox(credentials);
      const projectDir = await outsider.createConsumer('OutsiderConsumer', 'net10.0', [{ id: 'Secret.Widgets', version: '1.0.0' }]);
      const restore = ['restore', '--configfile', outsider.configPath, '--no-http-cache'];
      const result = await outsider.run(restore, { cwd: projectDir, allowFailure: true });
      assert.notEqual(result.code, 0, describeRun(restore, result, projectDir));
      const output = `${result.stdout}\n${result.stderr}`;
      if (credentials === undefined) assert.match(output, /NU1301|401/, output);
      else assert.match(output, /NU1301|NU1101|404/, output);
      assert.doesNotMatch(output, /Secret\.Widgets 1\.0\.0 was restored/);
    }
  });
});
