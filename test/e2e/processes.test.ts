/**
 * Several server processes on one port (`--processes`): reads are served by every process, writes reach
 * the primary whichever process took the connection, a secondary that dies is replaced, and the
 * secondaries never outlive the primary.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PALLET_BIN, startPallet, type PalletServer } from '../support/pallet-server.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { multipartBody } from '../support/multipart-body.ts';

const API_KEY = 'processes-key-123';

/** One request on a connection of its own, so the kernel picks a process for each. */
function request(baseUrl: string, method: string, path: string, options: { body?: Buffer; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; statusMessage: string; body: string }>((resolve, reject) => {
    const outgoing = http.request(`${baseUrl}${path}`, { method, agent: false, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, statusMessage: response.statusMessage ?? '', body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function push(baseUrl: string, nupkg: Buffer, key = API_KEY) {
  const { contentType, payload } = multipartBody(nupkg);
  return request(baseUrl, 'PUT', '/api/v2/package/', { body: payload, headers: { 'content-type': contentType, 'x-nuget-apikey': key } });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids that logged a completed request (debug level), that is the processes that served. */
function servingPids(server: PalletServer): Set<number> {
  return new Set(server.logRecords().filter((record) => record.msg === 'request completed').map((record) => Number(record.pid)));
}

/** A port nothing listens on now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

describe('several server processes on one port', () => {
  let server: PalletServer;
  before(async () => {
    server = await startPallet({ apiKey: API_KEY, args: ['--processes', '2', '--log-level', 'debug'] });
  });
  after(() => server.stop());

  it('takes pushes through either process, and serves them from both', async () => {
    for (let index = 0; index < 24; index += 1) {
      const pushed = await push(server.baseUrl, buildNupkg({ id: 'Processes.Demo', version: `1.0.${index}` }));
      assert.equal(pushed.status, 201, pushed.body);
    }
    for (let index = 0; index < 24; index += 1) {
      const read = await request(server.baseUrl, 'GET', '/v3/package/processes.demo/index.json');
      assert.equal(read.status, 200);
      assert.equal((JSON.parse(read.body) as { versions: string[] }).versions.length, 24);
    }
    const duplicate = await push(server.baseUrl, buildNupkg({ id: 'Processes.Demo', version: '1.0.0' }));
    assert.equal(duplicate.status, 409);
    const pids = servingPids(server);
    assert.ok(pids.has(server.pid), 'the primary served requests');
    assert.equal(pids.size, 2, `two processes served requests: ${[...pids].join(', ')}`);
  });

  it('applies an unlist made through any process at once in every process', async () => {
    const unlisted = await request(server.baseUrl, 'DELETE', '/api/v2/package/Processes.Demo/1.0.3', { headers: { 'x-nuget-apikey': API_KEY } });
    assert.equal(unlisted.status, 200);
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const index = JSON.parse((await request(server.baseUrl, 'GET', '/v3/registration-gz-semver2/processes.demo/index.json')).body) as {
        items: { items: { catalogEntry: { version: string; listed: boolean } }[] }[];
      };
      const leaf = index.items[0]?.items.find((item) => item.catalogEntry.version === '1.0.3');
      assert.equal(leaf?.catalogEntry.listed, false);
    }
  });

  it('answers a refused forwarded push with its reason, and logs the client address', async () => {
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const refused = await push(server.baseUrl, buildNupkg({ id: 'Processes.Refused', version: '1.0.0' }), 'wrong-key-123');
      assert.equal(refused.status, 403);
      assert.match(refused.statusMessage, /API key/i);
    }
    await until(() => server.logRecords().filter((record) => record.msg === 'request refused' && record.status === 403).length >= 6, 'six refusals are logged');
    for (const record of server.logRecords().filter((each) => each.msg === 'request refused' && each.status === 403)) {
      assert.equal(record.clientAddress, '127.0.0.1');
    }
  });

  it('starts another secondary when one dies, and keeps answering', async () => {
    const secondary = [...servingPids(server)].find((pid) => pid !== server.pid);
    assert.ok(secondary !== undefined);
    process.kill(secondary, 'SIGKILL');
    await until(() => server.logRecords().some((record) => record.msg === 'a secondary server process stopped; starting another'), 'the primary notices');
    for (let attempt = 0; attempt < 30; attempt += 1) {
      assert.equal((await request(server.baseUrl, 'GET', '/v3/package/processes.demo/index.json')).status, 200);
    }
    const deadline = Date.now() + 20_000;
    while (![...servingPids(server)].some((pid) => pid !== server.pid && pid !== secondary)) {
      assert.ok(Date.now() < deadline, 'a new secondary serves within 20 s');
      assert.equal((await request(server.baseUrl, 'GET', '/health')).status, 200);
      await delay(20);
    }
  });
});

describe('several server processes: lifetime', () => {
  it('stops every process on SIGTERM, and the secondaries on their own when the primary is killed', async () => {
    const first = await startPallet({ apiKey: API_KEY, args: ['--processes', '3', '--log-level', 'debug'] });
    for (let attempt = 0; attempt < 20; attempt += 1) await request(first.baseUrl, 'GET', '/health');
    const secondaries = [...servingPids(first)].filter((pid) => pid !== first.pid);
    await first.stop();
    assert.deepEqual(first.exitStatus(), { code: 0, signal: null });
    for (const pid of secondaries) assert.equal(alive(pid), false, `secondary ${pid} stopped with the primary`);

    const second = await startPallet({ apiKey: API_KEY, args: ['--processes', '2', '--log-level', 'debug'] });
    try {
      for (let attempt = 0; attempt < 20; attempt += 1) await request(second.baseUrl, 'GET', '/health');
      const orphans = [...servingPids(second)].filter((pid) => pid !== second.pid);
      assert.ok(orphans.length > 0);
      process.kill(second.pid, 'SIGKILL');
      await until(() => orphans.every((pid) => !alive(pid)), 'the secondaries exit after the primary is killed', 10_000);
    } finally {
      await second.stop();
    }
  });

  it('stops cleanly when stopped while its secondaries are still starting', async () => {
    // The primary answers before its secondaries are serving (they are still building their apps); a stop
    // then (Ctrl-C, a service manager) must not leave one to crash on a closed channel when it is ready.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-processes-'));
    const port = await freePort();
    const child = spawn(process.execPath, [PALLET_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--processes', '3', '--data', dataDir], {
      env: { ...process.env, PALLET_API_KEY: API_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
    try {
      for (;;) {
        const answered = await request(`http://127.0.0.1:${port}`, 'GET', '/health').then((response) => response.status === 200, () => false);
        if (answered) break;
        await delay(5);
      }
      child.kill('SIGTERM');
      // A clean stop, and a quick one: a secondary that missed the shutdown would hold it for shutdownTimeout + 5 s.
      const stopped = await Promise.race([exited, delay(15_000).then(() => 'still running after 15 s')]);
      assert.equal(stopped, '0');
      assert.match(output, /"msg":"shutting down"/);
      await delay(2000); // a secondary that finished starting after the primary left would report then
      assert.doesNotMatch(output, /ERR_IPC_CHANNEL_CLOSED|Unhandled 'error'/);
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a port another program listens on, instead of sharing it', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
    const port = (other.address() as { port: number }).port;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-processes-'));
    try {
      const result = await runPalletCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--processes', '2', '--data', dataDir], { PALLET_API_KEY: API_KEY });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use by another program\\.`));
    } finally {
      other.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
