import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WalGroupSync } from './wal-group-sync.ts';

/** A file sync the test finishes by hand, counting how many were started. */
function controlledSync() {
  const pending: (() => void)[] = [];
  let started = 0;
  return {
    started: () => started,
    finishNext: async () => {
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
    syncFile: () => {
      started += 1;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    pending,
  };
}

describe('WalGroupSync', () => {
  it('syncs at once when no sync runs', async () => {
    const sync = controlledSync();
    const group = new WalGroupSync('/db-wal', sync.syncFile);
    let done = false;
    void group.afterCommit().then(() => (done = true));
    assert.equal(sync.started(), 1);
    await sync.finishNext();
    assert.equal(done, true);
  });

  it('makes commits that land during a sync wait for one sync after it, which they share', async () => {
    const sync = controlledSync();
    const group = new WalGroupSync('/db-wal', sync.syncFile);
    const finished: string[] = [];
    void group.afterCommit().then(() => finished.push('first'));
    // These commits were written after the running sync began: it may not cover them.
    void group.afterCommit().then(() => finished.push('second'));
    void group.afterCommit().then(() => finished.push('third'));
    assert.equal(sync.started(), 1);
    await sync.finishNext();
    assert.deepEqual(finished, ['first']);
    assert.equal(sync.started(), 2, 'one more sync for the two that waited');
    await sync.finishNext();
    assert.deepEqual(finished, ['first', 'second', 'third']);
    assert.equal(sync.started(), 2);
  });

  it('fails the commits a failed sync covered, and syncs again for the next', async () => {
    let calls = 0;
    const group = new WalGroupSync('/db-wal', async () => {
      calls += 1;
      if (calls === 1) throw new Error('EIO');
    });
    await assert.rejects(group.afterCommit(), /EIO/);
    await group.afterCommit();
    assert.equal(calls, 2);
  });

  it('syncs the real log file', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-wal-sync-'));
    try {
      const file = path.join(folder, 'pallet.db-wal');
      await writeFile(file, 'frames');
      await new WalGroupSync(file).afterCommit();
      await assert.rejects(new WalGroupSync(path.join(folder, 'missing-wal')).afterCommit(), /ENOENT/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
