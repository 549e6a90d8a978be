import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DownloadCounter } from './download-counter.ts';
import type { DownloadCount, PackageStore } from '../ports.ts';
import { DEFAULT_FEED_ID as FEED } from '../../domain/feed.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** A store whose addDownloads fails while `failing` is set, and otherwise sums what it is given. */
function flakyStore() {
  const saved = new Map<string, number>();
  const state = { failing: true, calls: 0 };
  const store = {
    async addDownloads(counts: readonly DownloadCount[]) {
      state.calls += 1;
      if (state.failing) throw new Error('database is locked');
      for (const { idLower, versionLower, count } of counts) saved.set(`${idLower}/${versionLower}`, (saved.get(`${idLower}/${versionLower}`) ?? 0) + count);
    },
  } as unknown as PackageStore;
  return { store, saved, state };
}

describe('DownloadCounter', () => {
  it('keeps a batch that failed to save and saves it with the next flush', async () => {
    const { store, saved, state } = flakyStore();
    const counter = new DownloadCounter(store, silent, 60_000);
    counter.record(FEED, 'demo', '1.0.0');
    counter.record(FEED, 'demo', '1.0.0');
    counter.record(FEED, 'other', '2.0.0');
    await counter.flush();
    assert.equal(state.calls, 1);
    assert.equal(saved.size, 0);

    counter.record(FEED, 'demo', '1.0.0');
    state.failing = false;
    await counter.close();
    assert.deepEqual(Object.fromEntries(saved), { 'demo/1.0.0': 3, 'other/2.0.0': 1 });
  });

  it('writes nothing when nothing was downloaded', async () => {
    const { store, state } = flakyStore();
    state.failing = false;
    const counter = new DownloadCounter(store, silent, 60_000);
    await counter.close();
    assert.equal(state.calls, 0);
  });
});
