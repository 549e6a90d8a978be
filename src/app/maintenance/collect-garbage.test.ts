import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FsBlobStore } from '../../stores/blob/fs-blob-store.ts';
import { collectGarbage } from './collect-garbage.ts';
import { BlobGate } from '../blob-gate.ts';
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

    const packages = {
      async *referencedBlobKeys() {
        yield [referenced];
      },
    } as unknown as PackageStore;
    const result = await collectGarbage({ packages, blobs, blobGate: new BlobGate(), now: () => new Date(), log: silent });

    assert.deepEqual(result, { deleted: 1, kept: 3 });
    assert.equal(await blobs.stat(orphanOld), undefined);
    assert.ok(await blobs.stat(referenced));
    assert.ok(await blobs.stat(orphanNew));
    assert.ok(await blobs.stat(reused));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a push that stores a stale blob and commits while a sweep runs keeps its blob', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'pallet-gc-race-'));
  try {
    const blobs = new FsBlobStore(root);
    const gate = new BlobGate();
    const key = keyOf('left behind by a failed push');
    await blobs.putBytes(key, Buffer.from('left behind by a failed push'));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(path.join(root, key.slice(0, 2), key.slice(2, 4), key), twoHoursAgo, twoHoursAgo);

    const references = new Set<string>();
    let sweepAskedForReferences!: () => void;
    const sweepStarted = new Promise<void>((resolve) => {
      sweepAskedForReferences = resolve;
    });
    const packages = {
      async *referencedBlobKeys() {
        sweepAskedForReferences();
        yield [...references];
      },
    } as unknown as PackageStore;

    // The retry of that push is inside the gate: its blob is stored, its row not yet committed.
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const push = gate.shared(async () => {
      await sweepStarted;
      await committed;
      references.add(key);
    });
    const sweep = collectGarbage({ packages, blobs, blobGate: gate, now: () => new Date(), log: silent });
    await sweepStarted;
    // Without the gate the sweep would re-check and delete during this pause; with it, it waits for the commit.
    setTimeout(commit, 100);
    const [result] = await Promise.all([sweep, push]);

    assert.equal(result.deleted, 0);
    assert.ok(await blobs.stat(key), 'the committed version still has its blob');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
