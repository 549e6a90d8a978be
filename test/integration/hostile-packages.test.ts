/**
 * The hostile corpus (test/support/hostile-packages.ts) pushed over a real socket: every package is
 * refused with 400 and a reason naming its problem, nothing of it is stored, each refusal is logged with
 * the client's address (and the package, once known), and restore-path reads keep answering meanwhile.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { hostilePackages, type HostilePackage } from '../support/hostile-packages.ts';
import { API_KEY, multipartBody, startInProcess, type InProcessPallet } from '../support/in-process.ts';

async function listBlobs(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(folder, entry.name));
      else found.push(entry.name);
    }
  };
  await walk(path.join(dataDir, 'blobs'));
  return found.sort();
}

describe('hostile packages', () => {
  let pallet: InProcessPallet;
  let baseUrl: string;
  let corpus: HostilePackage[];
  let blobsBefore: string[];

  before(async () => {
    pallet = await startInProcess({ flags: { host: '127.0.0.1', port: '0' }, captureLogs: true });
    const { port } = await pallet.app.listen();
    baseUrl = `http://127.0.0.1:${port}`;
    await pallet.pushOk(buildNupkg({ id: 'Hostile.Neighbour', version: '1.0.0' }));
    blobsBefore = await listBlobs(pallet.dataDir);
    corpus = hostilePackages();
  });
  after(() => pallet.close());

  const push = async (bytes: Buffer) => {
    const { payload, contentType } = multipartBody(bytes);
    const response = await fetch(`${baseUrl}/api/v2/package/`, { method: 'PUT', headers: { 'content-type': contentType, 'x-nuget-apikey': API_KEY }, body: payload });
    await response.arrayBuffer();
    return { status: response.status, reason: response.statusText };
  };

  it('refuses every package with 400 and a reason that names the problem, while reads answer within a second', async () => {
    let pushing = true;
    const latencies: number[] = [];
    // A restore-path read loop running through the whole corpus.
    const reads = (async () => {
      while (pushing) {
        const start = performance.now();
        const response = await fetch(`${baseUrl}/v3/package/hostile.neighbour/index.json`);
        await response.arrayBuffer();
        assert.equal(response.status, 200);
        latencies.push(performance.now() - start);
      }
    })();
    try {
      // Two at a time, as two clients would send them.
      for (let index = 0; index < corpus.length; index += 2) {
        await Promise.all(
          corpus.slice(index, index + 2).map(async (hostile) => {
            const answer = await push(hostile.bytes);
            assert.equal(answer.status, 400, `${hostile.name}: ${answer.status} ${answer.reason}`);
            assert.match(answer.reason, /^The package is invalid: /, hostile.name);
            assert.match(answer.reason, hostile.refusal, hostile.name);
          }),
        );
      }
    } finally {
      pushing = false;
      await reads;
    }
    assert.ok(latencies.length > corpus.length, `only ${latencies.length} reads were made`);
    const slowest = Math.max(...latencies);
    assert.ok(slowest < 1000, `a read took ${slowest.toFixed(0)} ms while hostile packages were checked`);
  });

  it('stored nothing of them: no version, no blob, no spool file', async () => {
    assert.deepEqual(await listBlobs(pallet.dataDir), blobsBefore);
    assert.deepEqual(await readdir(path.join(pallet.dataDir, 'tmp')), []);
    const { body } = await pallet.json('/v3/search?q=&take=100&prerelease=true&semVerLevel=2.0.0');
    assert.deepEqual(body.data.map((hit: { id: string }) => hit.id), ['Hostile.Neighbour']);
  });

  it('logged each refusal with its reason and the client address, the package when its manifest was read, and never the key', async () => {
    const refusals = pallet.logRecords().filter((record) => record.msg === 'request refused' && record.status === 400);
    assert.equal(refusals.length, corpus.length);
    for (const record of refusals) {
      assert.equal(record.clientAddress, '127.0.0.1');
      assert.match(String(record.reason), /^The package is invalid: /);
    }
    const late = refusals.find((record) => String(record.reason).includes('CRC-32 does not match'));
    assert.equal(late?.id, 'Hostile.LateCrc');
    assert.equal(late?.version, '1.0.0');
    assert.ok(!JSON.stringify(pallet.logRecords()).includes(API_KEY));
  });
});
