/**
 * End-to-end: the real Paket 12 client (a .NET tool from the NuGet mirror) against a real Pallet server:
 * init, install, push (whose multipart body ends lines with a bare LF on Linux), outdated, update,
 * find-packages, a duplicate push (409) and refused pushes (401, 403).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createPaketSandbox, type PaketResult, type PaketSandbox } from '../support/paket.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { multipartBody, sha512 } from '../support/in-process.ts';

const API_KEY = 'paket-e2e-key-0123456789';
const ID = 'Pallet.Paket.Lib';
const STEP = { timeout: 5 * 60_000 };
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

function assertExit(result: PaketResult, code: number, what: string): void {
  assert.equal(result.code, code, `${what} exited with ${result.code}:\n${result.output}`);
}

describe('Paket against Pallet', { skip: !dotnetAvailable && 'dotnet is not installed', timeout: 30 * 60_000 }, () => {
  let server: PalletServer;
  let sandbox: PaketSandbox;
  const packages = new Map<string, Buffer>();

  const pushOverHttp = async (version: string) => {
    const { payload, contentType } = multipartBody(packages.get(version) as Buffer);
    const response = await fetch(`${server.baseUrl}/api/v2/package/`, {
      method: 'PUT',
      headers: { 'content-type': contentType, 'x-nuget-apikey': API_KEY },
      body: payload,
    });
    assert.equal(response.status, 201, await response.text());
  };
  const lockedVersion = async () => /^\s+Pallet\.Paket\.Lib \(([^)]+)\)/m.exec(await readFile(join(sandbox.projectDir, 'paket.lock'), 'utf8'))?.[1];

  before(async () => {
    server = await startPallet({ apiKey: API_KEY });
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
      packages.set(version, buildNupkg({ id: ID, version, description: 'Paket end-to-end library.', libFramework: 'netstandard2.0' }));
    }
    sandbox = await createPaketSandbox();
    for (const version of ['1.0.0', '1.1.0']) await pushOverHttp(version);
  });
  after(async () => {
    await sandbox?.remove();
    await server?.stop();
  });

  it('init, then install resolves the latest version from the V3 feed', STEP, async () => {
    assertExit(await sandbox.paket(['init']), 0, 'paket init');
    // init writes a nuget.org source; this feed is the only one the test may reach.
    await sandbox.writeDependencies(`source ${server.serviceIndexUrl}\nstorage: none\nframework: netstandard2.0\n\nnuget ${ID}\n`);
    assertExit(await sandbox.paket(['install']), 0, 'paket install');
    assert.equal(await lockedVersion(), '1.1.0');
  });

  it('push publishes a package (its body ends with a bare LF) byte for byte', STEP, async () => {
    const file = join(sandbox.dir, `${ID}.2.0.0.nupkg`);
    await writeFile(file, packages.get('2.0.0') as Buffer);
    const result = await sandbox.paket(['push', file, '--url', server.baseUrl, '--api-key', API_KEY]);
    assertExit(result, 0, 'paket push');
    const download = await fetch(`${server.baseUrl}/v3/package/${ID.toLowerCase()}/2.0.0/${ID.toLowerCase()}.2.0.0.nupkg`);
    assert.equal(download.status, 200);
    assert.equal(sha512(Buffer.from(await download.arrayBuffer())), sha512(packages.get('2.0.0') as Buffer));
  });

  it('a duplicate push is refused with 409, which Paket reports without retrying', STEP, async () => {
    const file = join(sandbox.dir, `${ID}.2.0.0.nupkg`);
    const before = server.logRecords().filter((record) => record.msg === 'request refused').length;
    const result = await sandbox.paket(['push', file, '--url', server.baseUrl, '--api-key', API_KEY]);
    assertExit(result, 1, 'duplicate paket push');
    assert.match(result.output, /already exists/);
    assert.match(result.output, /409/);
    const refusals = server.logRecords().filter((record) => record.msg === 'request refused').slice(before);
    assert.deepEqual(refusals.map((record) => record.status), [409], 'one request, no retries');
    assert.equal(refusals[0]?.id, ID);

    const ignored = await sandbox.paket(['push', file, '--url', server.baseUrl, '--api-key', API_KEY, '--ignoreConflicts']);
    assertExit(ignored, 0, 'paket push --ignoreConflicts');
  });

  it('a push without a valid key is refused, and the reason reaches the user', STEP, async () => {
    const file = join(sandbox.dir, `${ID}.2.0.0.nupkg`);
    const wrongKey = await sandbox.paket(['push', file, '--url', server.baseUrl, '--api-key', 'not-the-key-at-all']);
    assertExit(wrongKey, 1, 'paket push with a wrong key');
    assert.match(wrongKey.output, /403/);
    assert.match(wrongKey.output, /API key is invalid/);
  });

  it('outdated reports the newer version, and update moves the lock file to it', STEP, async () => {
    const outdated = await sandbox.paket(['outdated']);
    assertExit(outdated, 0, 'paket outdated');
    assert.match(outdated.output, /Pallet\.Paket\.Lib 1\.1\.0 -> 2\.0\.0/);
    assertExit(await sandbox.paket(['update']), 0, 'paket update');
    assert.equal(await lockedVersion(), '2.0.0');
    const current = await sandbox.paket(['outdated']);
    assert.match(current.output, /No outdated packages found/);
  });

  it('find-packages searches the feed (autocomplete asked for 10,000 ids)', STEP, async () => {
    const result = await sandbox.paket(['find-packages', 'Paket.Lib', '--source', server.serviceIndexUrl]);
    assertExit(result, 0, 'paket find-packages');
    assert.match(result.output, new RegExp(`^${ID.replace(/\./g, '\\.')}$`, 'm'));
  });
});
