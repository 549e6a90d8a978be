/**
 * The server process's life: one server per data folder, and a shutdown that ends within its deadline
 * even with an upload stalled mid-body, leaving no spool file behind.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startPallet } from '../support/pallet-server.ts';
import { runPalletCli } from '../support/pallet-cli.ts';

const API_KEY = 'lifecycle-key-0123456789';

describe('server lifecycle', () => {
  const folders: string[] = [];
  after(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('refuses a second server on the same data folder with a clear message', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-lock-'));
    folders.push(dataDir);
    const first = await startPallet({ dataDir });
    try {
      const second = await runPalletCli(['serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir], {}, 20_000);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`^The data folder ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by another Pallet process \\(pid ${first.pid}, since `));
      assert.equal(first.exitStatus(), null, 'the first server is untouched');
    } finally {
      await first.stop();
    }
    // The lock goes with the process: a new server starts at once.
    const again = await startPallet({ dataDir });
    await again.stop();
  });

  it('stops within shutdownTimeout with an upload stalled mid-body, and removes its spool file', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-shutdown-'));
    folders.push(dataDir);
    const server = await startPallet({ dataDir, apiKey: API_KEY, env: { PALLET_SHUTDOWN_TIMEOUT: '1s', PALLET_BODY_TIMEOUT: '60s' } });
    const { port } = new URL(server.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NuGet-ApiKey: ${API_KEY}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`,
    );
    socket.write(Buffer.alloc(64 * 1024, 1));
    const tempDir = path.join(dataDir, 'tmp');
    for (let attempt = 0; attempt < 50 && (await readdir(tempDir)).length === 0; attempt++) await delay(50);
    assert.equal((await readdir(tempDir)).length, 1, 'the upload is being spooled');

    const started = Date.now();
    process.kill(server.pid, 'SIGTERM');
    for (let attempt = 0; attempt < 100 && server.exitStatus() === null; attempt++) await delay(50);
    const elapsed = Date.now() - started;
    assert.deepEqual(server.exitStatus(), { code: 0, signal: null }, server.logs());
    assert.ok(elapsed < 4000, `stopped after ${elapsed} ms`);
    const messages = server.logRecords().map((record) => record.msg);
    assert.ok(messages.includes('requests still in flight at the shutdown deadline are cut off'), messages.join('\n'));
    assert.ok(messages.includes('stopped'));
    assert.deepEqual(await readdir(tempDir), []);
    socket.destroy();
    await server.stop();
  });
});
