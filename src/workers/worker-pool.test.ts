import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerPool, WorkerTaskError } from './worker-pool.ts';

/** A worker script that answers by what it is asked: echo, sleep, throw, crash, or run out of memory. */
const SCRIPT = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', async ({ taskId, request }) => {
  switch (request.kind) {
    case 'echo': parentPort.postMessage({ taskId, ok: true, response: { value: request.value, threadId: (await import('node:worker_threads')).threadId } }); break;
    case 'sleep': await new Promise((resolve) => setTimeout(resolve, request.ms)); parentPort.postMessage({ taskId, ok: true, response: { value: 'slept' } }); break;
    case 'fail': parentPort.postMessage({ taskId, ok: false, failure: { code: 'INVALID_PACKAGE', message: 'refused' } }); break;
    case 'spin': for (;;) {} // never answers; only the time limit ends it
    case 'exit': process.exit(3);
    case 'hog': { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); }
  }
});
`;

describe('WorkerPool', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'pallet-pool-test-'));
  const script = pathToFileURL(path.join(folder, 'worker.mjs'));
  await writeFile(script, SCRIPT);
  after(() => rm(folder, { recursive: true, force: true }));

  type Request = { kind: string; value?: number; ms?: number };
  type Response = { value: number | string; threadId?: number };
  const pool = (size = 2, taskTimeoutMs = 5000) =>
    new WorkerPool<Request, Response>({ script, size, taskTimeoutMs, resourceLimits: { maxOldGenerationSizeMb: 32 } });

  it('runs tasks on up to `size` workers and answers each in turn', async () => {
    const workers = pool(2);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((value) => workers.run({ kind: 'echo', value })));
    assert.deepEqual(answers.map((answer) => answer.value), [1, 2, 3, 4, 5]);
    assert.ok(new Set(answers.map((answer) => answer.threadId)).size <= 2);
    await workers.close();
  });

  it('reports a refusal with its code', async () => {
    const workers = pool(1);
    await assert.rejects(workers.run({ kind: 'fail' }), (error: unknown) => {
      assert.ok(error instanceof WorkerTaskError);
      assert.deepEqual(error.outcome, { kind: 'failed', failure: { code: 'INVALID_PACKAGE', message: 'refused' } });
      return true;
    });
    await workers.close();
  });

  it('stops a task past its time limit and carries on with a fresh worker', async () => {
    const workers = pool(1, 300);
    await assert.rejects(workers.run({ kind: 'spin' }), (error: unknown) => error instanceof WorkerTaskError && error.outcome.kind === 'timed-out');
    assert.equal((await workers.run({ kind: 'echo', value: 7 })).value, 7);
    await workers.close();
  });

  it('survives a worker that exits or runs out of memory', async () => {
    const workers = pool(1);
    await assert.rejects(workers.run({ kind: 'exit' }), (error: unknown) => error instanceof WorkerTaskError && error.outcome.kind === 'crashed');
    await assert.rejects(
      workers.run({ kind: 'hog' }),
      (error: unknown) => error instanceof WorkerTaskError && error.outcome.kind === 'crashed' && error.outcome.outOfMemory,
    );
    assert.equal((await workers.run({ kind: 'echo', value: 8 })).value, 8);
    await workers.close();
  });

  it('rejects queued and running tasks on close, and every task after it', async () => {
    const workers = pool(1);
    const closedOutcome = (error: unknown) => error instanceof WorkerTaskError && error.outcome.kind === 'closed';
    const running = assert.rejects(workers.run({ kind: 'sleep', ms: 10_000 }), closedOutcome);
    const queued = assert.rejects(workers.run({ kind: 'echo', value: 1 }), closedOutcome);
    await workers.close();
    await Promise.all([running, queued, assert.rejects(workers.run({ kind: 'echo', value: 2 }), closedOutcome)]);
  });

  it('stops a worker that stays idle, and starts a new one for the next task', async () => {
    const workers = new WorkerPool<Request, Response>({ script, size: 1, taskTimeoutMs: 5000, idleTimeoutMs: 100 });
    const first = await workers.run({ kind: 'echo', value: 1 });
    const again = await workers.run({ kind: 'echo', value: 2 });
    assert.equal(again.threadId, first.threadId, 'a busy worker is reused');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = await workers.run({ kind: 'echo', value: 3 });
    assert.notEqual(later.threadId, first.threadId, 'the idle worker was stopped');
    await workers.close();
  });

  it('does not keep the process alive when idle', async () => {
    const workers = pool(1);
    await workers.run({ kind: 'echo', value: 1 });
    // An idle, unclosed pool: were its worker referenced, this test file would never exit.
  });
});
