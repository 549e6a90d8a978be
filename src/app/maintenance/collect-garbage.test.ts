import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FsBlobStore } from '../../stores/blob/fs-blob-store.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { PackageStore } from '../ports.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

function keyOf(text: string): string {
  return createHash('sha512').update(text).digest('hex');
}

test('removes only unreferenced blobs older than the grace period, and a re-put blob survives', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'pallet-gc-'));
  try {
    const blobs = new FsBlobStore(root);
    const [referenced, orphanOld, orphanNew, reused] = ['referenced', 'orphan-old', 'orphan-new', 'reused'].map(keyOf) as [string, string, string, string];
    for (const [key, text] of [[referenced, 'referenced'], [orphanOld, 'orphan-old'], [orphanNew, 'orphan-new'], [reused, 'reused']] as const) {
      await blobs.putBytes(key, Buffer.from(text));
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const key of [referenced, orphanOld, reused]) {
      await utimes(path.join(root, key.slice(0, 2), key.slice(2, 4), key), twoHoursAgo, twoHoursAgo);
    }
    // A push that stores the same bytes again refreshes the old blob, so the sweep must keep it.
    const temp = path.join(root, 'upload.tmp');
    await writeFile(temp, 'reused');
    await blobs.putFile(reused, temp);

    const packages = { referencedBlobKeys: async () => new Set([referenced]) } as unknown as PackageStore;
    const result = await collectGarbage({ packages, blobs, now: () => new Date(), log: silent });

    assert.deepEqual(result, { deleted: 1, kept: 3 });
    assert.equal(await blobs.stat(orphanOld), undefined);
    assert.ok(await blobs.stat(referenced));
    assert.ok(await blobs.stat(orphanNew));
    assert.ok(await blobs.stat(reused));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
