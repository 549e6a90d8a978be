/**
 * Upstream sources with the real `dotnet` CLI: a feed reads through a second Pallet on loopback; restore gets
 * a package the feed never held, which is stored, so a restore with the upstream stopped still works;
 * `dotnet add package` without a version picks the upstream's latest from the merged registration; and an
 * id the feed holds of its own is never taken from upstream (the dependency-confusion guard).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type Sandbox } from '../support/dotnet.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { multipartBody } from '../support/multipart-body.ts';

const STEP = { timeout: 5 * 60_000 };
const KEY = 'upstream-e2e-admin-key';
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

async function pushOver(server: PalletServer, path: string, nupkg: Buffer): Promise<void> {
  const body = multipartBody(nupkg);
  const response = await fetch(`${server.baseUrl}${path}`, { method: 'PUT', headers: { 'x-nuget-apikey': KEY, 'content-type': body.contentType }, body: body.payload });
  assert.equal(response.status, 201, `${path}: ${response.status} ${response.statusText}`);
}

describe('a feed reading through an upstream source', { skip: !dotnetAvailable && 'the .NET SDK is not installed' }, () => {
  let upstream: PalletServer;
  let server: PalletServer;
  let feedUrl: string;
  const sandboxes: Sandbox[] = [];

  const restore = async (references: { id: string; version: string }[]) => {
    const sandbox = await createDotnetSandbox(feedUrl);
    sandboxes.push(sandbox);
    const projectDir = await sandbox.createConsumer('UpstreamConsumer', 'net10.0', references);
    const args = ['restore', '--configfile', sandbox.configPath, '--no-http-cache'];
    return { result: await sandbox.run(args, { cwd: projectDir, allowFailure: true }), args, projectDir };
  };

  before(async () => {
    upstream = await startPallet({ apiKey: KEY });
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) await pushOver(upstream, '/api/v2/package/', buildNupkg({ id: 'Up.Lib', version }));
    await pushOver(upstream, '/api/v2/package/', buildNupkg({ id: 'Guarded.Lib', version: '9.9.9', description: 'an impostor' }));
    await pushOver(upstream, '/api/v2/package/', buildNupkg({ id: 'Blocked.Thing', version: '1.0.0' }));
    // A short cache time, so the last test sees the upstream's absence rather than its remembered list.
    server = await startPallet({ apiKey: KEY, env: { PALLET_UPSTREAM_CACHE_TIME: '1s' } });
    const cli = async (...args: string[]) => {
      const result = await runPalletCli([...args, '--data', server.dataDir]);
      assert.equal(result.code, 0, result.stderr);
    };
    await cli('feed', 'create', 'mirror');
    await cli('feed', 'set', 'mirror', '--upstream', upstream.serviceIndexUrl, '--block-upstream', 'Blocked.*');
    await pushOver(server, '/feeds/mirror/api/v2/package/', buildNupkg({ id: 'Guarded.Lib', version: '1.0.0' }));
    feedUrl = server.serviceIndexUrl.replace(/\/v3\/index\.json$/, '/feeds/mirror/v3/index.json');
  }, STEP);

  after(async () => {
    for (const sandbox of sandboxes) await sandbox.remove();
    await server?.stop();
    await upstream?.stop();
  });

  it('lists the upstream versions of an id the feed does not hold, and restores one, storing it', STEP, async () => {
    const list = await fetch(feedUrl.replace(/\/v3\/index\.json$/, '/v3/package/up.lib/index.json'));
    assert.deepEqual(await list.json(), { versions: ['1.0.0', '1.1.0', '1.2.0'] });
    const { result, args, projectDir } = await restore([{ id: 'Up.Lib', version: '1.1.0' }]);
    assert.equal(result.code, 0, describeRun(args, result, projectDir));
  });

  it("adds the upstream's latest version with `dotnet add package` and no version", STEP, async () => {
    const sandbox = await createDotnetSandbox(feedUrl);
    sandboxes.push(sandbox);
    const projectDir = await sandbox.createConsumer('UpstreamAdder');
    const args = ['add', 'package', 'Up.Lib'];
    const added = await sandbox.run(args, { cwd: projectDir, allowFailure: true });
    assert.equal(added.code, 0, describeRun(args, added, projectDir));
    assert.match(await readFile(join(projectDir, 'UpstreamAdder.csproj'), 'utf8'), /Include="Up\.Lib" Version="1\.2\.0"/, 'a version the feed never stored, found in its registration');
  });

  it('never takes an id the feed holds of its own, or one blocked, from upstream', STEP, async () => {
    const list = await fetch(feedUrl.replace(/\/v3\/index\.json$/, '/v3/package/guarded.lib/index.json'));
    assert.deepEqual(await list.json(), { versions: ['1.0.0'] });
    const { result } = await restore([{ id: 'Guarded.Lib', version: '9.9.9' }]);
    assert.notEqual(result.code, 0, 'the impostor version is not restored');
    const blocked = await fetch(feedUrl.replace(/\/v3\/index\.json$/, '/v3/package/blocked.thing/index.json'));
    assert.equal(blocked.status, 404, 'an id an administrator blocked is never taken from upstream');
  });

  it('keeps restoring what it stored once the upstream is stopped', STEP, async () => {
    await upstream.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { result, args, projectDir } = await restore([{ id: 'Up.Lib', version: '1.1.0' }]);
    assert.equal(result.code, 0, describeRun(args, result, projectDir));
    const list = await fetch(feedUrl.replace(/\/v3\/index\.json$/, '/v3/package/up.lib/index.json'));
    assert.deepEqual(await list.json(), { versions: ['1.1.0', '1.2.0'] }, 'what it stored, while the upstream cannot be asked');
    const registration = await fetch(feedUrl.replace(/\/v3\/index\.json$/, '/v3/registration-gz-semver2/up.lib/index.json'));
    const stored = ((await registration.json()) as { items: { items: { catalogEntry: { version: string } }[] }[] }).items.flatMap((page) => page.items.map((leaf) => leaf.catalogEntry.version));
    assert.deepEqual(stored, ['1.1.0', '1.2.0'], 'and its registration, from the stored documents');
  });
});
