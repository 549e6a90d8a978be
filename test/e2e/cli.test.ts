/** The `pallet` command as a user runs it: help, and a refused start that lists every configuration problem. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/pallet.js', import.meta.url));

function runPallet(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('pallet command', () => {
  it('prints usage with --help', async () => {
    const result = await runPallet(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: pallet serve \[options\]/);
    assert.match(result.stdout, /PALLET_API_KEY/);
  });

  it('refuses to start with one message that lists every configuration problem', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-cli-'));
    try {
      const configFile = path.join(folder, 'pallet.yaml');
      await writeFile(configFile, 'logLevel: loud\nunknownSetting: 1\n');
      const result = await runPallet(['serve', '--config', configFile, '--port', 'abc', '--public-url', 'not a url'], {
        PALLET_MAX_PACKAGE_SIZE: 'lots',
        PALLET_API_KEY: 'short',
      });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^Pallet cannot start, the configuration has 6 problem\(s\):/);
      for (const expected of [/port: 'abc' is not a port number/, /publicUrl: 'not a url' is not an absolute URL/, /maxPackageSize: 'lots' is not a size/, /logLevel:/, /apiKey: must be 8 to 256 printable ASCII characters/, /unknownSetting/]) {
        assert.match(result.stderr, expected);
      }
      assert.ok(!result.stderr.includes('at '), 'no stack trace');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rejects an unknown command', async () => {
    const result = await runPallet(['publish']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown command 'publish'/);
  });
});
