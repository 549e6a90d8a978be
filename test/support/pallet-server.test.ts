import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPallet } from './pallet-server.ts';

// Exercises the launcher with stand-in entry scripts, so it does not depend on the real server.
describe('startPallet (with stand-in servers)', () => {
  let dir: string;
  const script = async (name: string, body: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, body);
    return file;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pallet-launcher-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves on the listening line, passes args and env, and stops the process', async () => {
    const bin = await script(
      'listening.mjs',
      `import http from 'node:http';
const server = http.createServer((req, res) => res.end(JSON.stringify({ argv: process.argv.slice(2), key: process.env.PALLET_API_KEY, max: process.env.PALLET_MAX_PACKAGE_SIZE, extra: process.env.EXTRA })));
server.listen(0, '127.0.0.1', () => {
  console.log('not json');
  console.log(JSON.stringify({ level: 30, msg: 'Pallet is listening', serviceIndexUrl: 'http://127.0.0.1:' + server.address().port + '/v3/index.json' }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
    );
    const server = await startPallet({
      bin,
      apiKey: 'secret-key-123',
      maxPackageSize: 1234,
      env: { EXTRA: 'yes' },
      args: ['--public-url', 'http://example.test/'],
    });
    try {
      assert.match(server.serviceIndexUrl, /^http:\/\/127\.0\.0\.1:\d+\/v3\/index\.json$/);
      assert.equal(server.baseUrl, server.serviceIndexUrl.replace('/v3/index.json', ''));
      assert.ok(existsSync(server.dataDir));
      const seen = (await (await fetch(server.baseUrl)).json()) as { argv: string[]; key: string; max: string; extra: string };
      assert.deepEqual(seen.argv, [
        'serve', '--host', '127.0.0.1', '--port', '0', '--data', server.dataDir, '--public-url', 'http://example.test/',
      ]);
      assert.equal(seen.key, 'secret-key-123');
      assert.equal(seen.max, '1234');
      assert.equal(seen.extra, 'yes');
      assert.match(server.logs(), /not json/);
      assert.equal(server.logRecords().length, 1);
      assert.equal(server.exitStatus(), null);
    } finally {
      await server.stop();
    }
    assert.notEqual(server.exitStatus(), null);
    assert.ok(!existsSync(server.dataDir), 'temp data dir removed on stop');
    await server.stop(); // idempotent
  });

  it('rejects with the collected output when the process exits early', async () => {
    const bin = await script('crash.mjs', `console.error('boom: bad configuration'); process.exit(3);\n`);
    await assert.rejects(startPallet({ bin }), /exited early \(code 3[\s\S]*boom: bad configuration/);
  });

  it('rejects after the start timeout and kills a process that never listens', async () => {
    const bin = await script(
      'silent.mjs',
      `console.log('starting but never listening'); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);\n`,
    );
    await assert.rejects(startPallet({ bin, startTimeoutMs: 500 }), /within 500 ms[\s\S]*starting but never listening/);
  });

  it('falls back to SIGKILL when SIGTERM is ignored', async () => {
    const bin = await script(
      'stubborn.mjs',
      `process.on('SIGTERM', () => {});
console.log(JSON.stringify({ msg: 'Pallet is listening', serviceIndexUrl: 'http://127.0.0.1:1/v3/index.json' }));
setInterval(() => {}, 1000);
`,
    );
    const server = await startPallet({ bin });
    const started = Date.now();
    await server.stop();
    assert.equal(server.exitStatus()?.signal, 'SIGKILL');
    assert.ok(Date.now() - started >= 4500);
  });
});
