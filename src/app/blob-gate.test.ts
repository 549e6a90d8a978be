import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobGate } from './blob-gate.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

test('exclusive work waits for shared holders, and shared work waits for an exclusive turn', async () => {
  const gate = new BlobGate();
  const events: string[] = [];
  const releaseShared = deferred();
  const shared = gate.shared(async () => {
    events.push('shared start');
    await releaseShared.promise;
    events.push('shared end');
  });
  const exclusive = gate.exclusive(async () => {
    events.push('exclusive');
  });
  await Promise.resolve();
  const lateShared = gate.shared(async () => {
    events.push('late shared');
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['shared start'], 'the exclusive turn waits; a shared arrival queues behind it');
  releaseShared.resolve();
  await Promise.all([shared, exclusive, lateShared]);
  assert.deepEqual(events, ['shared start', 'shared end', 'exclusive', 'late shared']);
});
