/**
 * MyGet's CI flow with the real `dotnet` CLI: a pre-release pushed to the `ci` feed with `dotnet nuget push`,
 * promoted to `release` with `pallet promote`, then restored from `release` with the same content hash the
 * client records (`.nupkg.sha512`) as the file pushed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type Sandbox } from '../support/dotnet.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';

const STEP = { timeout: 5 * 60_000 };
const ADMIN_KEY = 'promotion-admin-key';
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

describe('a CI pre-release promoted to the release feed and restored from it', { skip: !dotnetAvailable && 'the .NET SDK is not installed' }, () => {
  let server: PalletServer;
  let folder: string;
  const sandboxes: Sandbox[] = [];
  const feedUrl = (name: string) => server.serviceIndexUrl.replace(/\/v3\/index\.json$/, `/feeds/${name}/v3/index.json`);
  const pallet = async (...args: string[]) => {
    const result = await runPalletCli([...args, '--data', server.dataDir]);
    assert.equal(result.code, 0, `pallet ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  before(async () => {
    server = await startPallet({ apiKey: ADMIN_KEY });
    folder = await mkdtemp(join(tmpdir(), 'pallet-promotion-'));
    await pallet('feed', 'create', 'ci', '--accept', 'prerelease');
    await pallet('feed', 'create', 'release');
  }, STEP);

  after(async () => {
    for (const made of sandboxes) await made.remove();
    await server?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('pushes to ci, promotes to release, and restores the same bytes from release', STEP, async () => {
    const file = join(folder, 'Ci.Built.2.0.0-ci.17.nupkg');
    const bytes = buildNupkg({ id: 'Ci.Built', version: '2.0.0-ci.17' });
    await writeFile(file, bytes);
    const publisher = await createDotnetSandbox(feedUrl('ci'));
    sandboxes.push(publisher);
    const push = ['nuget', 'push', file, '-s', feedUrl('ci'), '-k', ADMIN_KEY];
    const pushed = await publisher.run(push, { allowFailure: true });
    assert.equal(pushed.code, 0, describeRun(push, pushed, publisher.dir));

    assert.match(await pallet('promote', 'Ci.Built', '2.0.0-ci.17', '--from', 'ci', '--to', 'release'), /Ci\.Built 2\.0\.0-ci\.17 is in 'release'/);

    const consumer = await createDotnetSandbox(feedUrl('release'));
    sandboxes.push(consumer);
    const projectDir = await consumer.createConsumer('ReleaseConsumer', 'net10.0', [{ id: 'Ci.Built', version: '2.0.0-ci.17' }]);
    const restore = ['restore', '--configfile', consumer.configPath, '--no-http-cache'];
    const restored = await consumer.run(restore, { cwd: projectDir, allowFailure: true });
    assert.equal(restored.code, 0, describeRun(restore, restored, projectDir));
    const recorded = (await readFile(join(consumer.env.NUGET_PACKAGES as string, 'ci.built', '2.0.0-ci.17', 'ci.built.2.0.0-ci.17.nupkg.sha512'), 'utf8')).trim();
    assert.equal(recorded, createHash('sha512').update(bytes).digest('base64'), 'the same content hash as the file pushed to ci');
  });
});
