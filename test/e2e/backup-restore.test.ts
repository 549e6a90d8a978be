/**
 * `pallet backup` while a push storm runs, `pallet restore` into an empty folder, then a real
 * `dotnet restore` from the restored server gets the very bytes that were pushed.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { startPushStorm } from '../support/push-storm.ts';
import { createDotnetSandbox, type Sandbox } from '../support/dotnet.ts';

const API_KEY = 'backup-test-key-0123456789';
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

describe('backup during a push storm, then restore', { skip: !dotnetAvailable && 'dotnet is not installed', timeout: 15 * 60_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('restores a consistent copy that dotnet restores from with identical hashes', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'pallet-backup-e2e-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const original = await startPallet({ dataDir: path.join(scratch, 'data'), apiKey: API_KEY });
    cleanups.push(() => original.stop());

    const storm = startPushStorm({ baseUrl: original.baseUrl, apiKey: API_KEY, idPrefix: 'Backup.Storm', clients: 4, padding: 50_000 });
    // Enough data that the backup takes a while, so the storm goes on during it.
    for (let waited = 0; storm.acknowledged.length < 150 && waited < 60_000; waited += 50) await delay(50);
    const beforeBackup = [...storm.acknowledged];
    assert.ok(beforeBackup.length > 0, 'pushes were acknowledged before the backup started');
    const backup = await runPalletCli(['backup', path.join(scratch, 'backup'), '--data', original.dataDir]);
    const duringBackup = storm.acknowledged.length - beforeBackup.length;
    await storm.stop();
    assert.equal(backup.code, 0, backup.stderr);
    assert.ok(duringBackup > 0, 'pushes went on while the backup ran');

    const restore = await runPalletCli(['restore', path.join(scratch, 'backup'), '--data', path.join(scratch, 'restored')]);
    assert.equal(restore.code, 0, restore.stderr);
    const verify = await runPalletCli(['verify', '--data', path.join(scratch, 'restored')]);
    assert.equal(verify.code, 0, verify.stdout);

    const restored: PalletServer = await startPallet({ dataDir: path.join(scratch, 'restored'), apiKey: API_KEY });
    cleanups.push(() => restored.stop());
    const sandbox: Sandbox = await createDotnetSandbox(restored.serviceIndexUrl);
    cleanups.push(() => sandbox.remove());
    // The last version each client had pushed before the backup began (a project references one version per id).
    const references = [...new Map(beforeBackup.map((push) => [push.id, push])).values()];
    const projectDir = await sandbox.createConsumer('RestoredConsumer', 'net10.0', references.map((push) => ({ id: push.id, version: push.version })));
    await sandbox.run(['restore', projectDir, '--configfile', sandbox.configPath, '--no-http-cache']);

    for (const push of references) {
      const folder = path.join(sandbox.env.NUGET_PACKAGES as string, push.id.toLowerCase(), push.version);
      const hashFile = await readFile(path.join(folder, `${push.id.toLowerCase()}.${push.version}.nupkg.sha512`), 'utf8');
      assert.equal(Buffer.from(hashFile.trim(), 'base64').toString('hex'), push.sha512, `${push.id} ${push.version}`);
    }
    // Every version acknowledged before the backup started is in the copy, byte for byte.
    for (const push of beforeBackup) {
      const idLower = push.id.toLowerCase();
      const response = await fetch(`${restored.baseUrl}/v3/package/${idLower}/${push.version}/${idLower}.${push.version}.nupkg`);
      assert.equal(response.status, 200, `${push.id} ${push.version}`);
      assert.equal(Buffer.from(await response.arrayBuffer()).equals(push.bytes), true);
    }
  });
});
