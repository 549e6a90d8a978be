/**
 * Crash consistency: a push storm, the server SIGKILLed at a random moment, several rounds on one data
 * folder; then `pallet verify` passes and every push the server acknowledged is served byte for byte.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startPallet } from '../support/pallet-server.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { startPushStorm, type AcknowledgedPush } from '../support/push-storm.ts';
import { sha512 } from '../support/in-process.ts';

const API_KEY = 'crash-test-key-0123456789';
const ROUNDS = 4;

describe('crash consistency', { timeout: 10 * 60_000 }, () => {
  let dataDir: string;
  after(() => rm(dataDir, { recursive: true, force: true }));

  it(`keeps every acknowledged push through ${ROUNDS} SIGKILLs during a push storm`, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-crash-'));
    const acknowledged: AcknowledgedPush[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startPallet({ dataDir, apiKey: API_KEY });
      const storm = startPushStorm({ baseUrl: server.baseUrl, apiKey: API_KEY, idPrefix: `Crash.R${round}`, clients: 6 });
      // Killed at a random moment once the storm is under way (some pushes acknowledged, others in flight).
      for (let waited = 0; storm.acknowledged.length < 5 && waited < 30_000; waited += 20) await delay(20);
      await delay(Math.random() * 1000);
      process.kill(server.pid, 'SIGKILL');
      while (server.exitStatus() === null) await delay(20);
      assert.equal(server.exitStatus()?.signal, 'SIGKILL');
      await storm.stop();
      assert.ok(storm.acknowledged.length > 0, `round ${round}: some pushes were acknowledged before the kill`);
      acknowledged.push(...storm.acknowledged);
      await server.stop();
    }

    const verify = await runPalletCli(['verify', '--data', dataDir]);
    assert.equal(verify.code, 0, `${verify.stdout}\n${verify.stderr}`);
    assert.match(verify.stdout, /; 0 problem\(s\);/);

    const server = await startPallet({ dataDir, apiKey: API_KEY });
    try {
      for (const push of acknowledged) {
        const idLower = push.id.toLowerCase();
        const response = await fetch(`${server.baseUrl}/v3/package/${idLower}/${push.version}/${idLower}.${push.version}.nupkg`);
        assert.equal(response.status, 200, `${push.id} ${push.version} was acknowledged, then lost`);
        assert.equal(sha512(Buffer.from(await response.arrayBuffer())), push.sha512, `${push.id} ${push.version} changed`);
      }
      // A version the crash left half-written is not visible: every listed version downloads.
      const index = (await (await fetch(`${server.baseUrl}/v3/search?q=crash&take=1000&prerelease=true`)).json()) as { data: { id: string; versions: { version: string }[] }[] };
      for (const hit of index.data) {
        for (const { version } of hit.versions) {
          const idLower = hit.id.toLowerCase();
          const response = await fetch(`${server.baseUrl}/v3/package/${idLower}/${version}/${idLower}.${version}.nupkg`, { method: 'HEAD' });
          assert.equal(response.status, 200, `${hit.id} ${version}`);
        }
      }
    } finally {
      await server.stop();
    }
  });
});
