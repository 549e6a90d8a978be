/**
 * PackageInspector over a pool of worker threads: inflating, hashing and parsing a hostile upload happens
 * off the event loop, so restores keep being answered while a zip bomb is refused. A check that runs past
 * its time limit or its memory limit is a refusal of the package, not a server fault.
 */
import { availableParallelism } from 'node:os';
import { AppError, type ErrorCode } from '../errors.ts';
import type { InspectedUpload, PackageInspector } from '../app/ports.ts';
import { WorkerPool, WorkerTaskError } from './worker-pool.ts';
import type { InspectionRequest } from './inspection-worker.ts';

/** Checking the largest legitimate package (250 MiB, 4 GiB inflated) takes well under this on two cores. */
const INSPECTION_TIME_LIMIT_MS = 5 * 60 * 1000;
/** Entries, the manifest tree and a few capped files: far below this even for 65,533 entries. */
const INSPECTION_HEAP_LIMIT_MB = 256;
/**
 * V8 sizes a worker's young generation from the machine's memory (up to 64 MiB per semispace), far more
 * than a check's short-lived buffers need; capped, each worker costs tens of MiB instead of a hundred.
 */
const INSPECTION_YOUNG_GENERATION_MB = 16;
/** An idle worker gives its memory back after this; the next push starts a new one (tens of ms). */
const INSPECTION_IDLE_MS = 30_000;

export class WorkerPackageInspector implements PackageInspector {
  private readonly pool: WorkerPool<InspectionRequest, InspectedUpload>;

  constructor(options: { workers?: number; timeLimitMs?: number } = {}) {
    this.pool = new WorkerPool({
      script: new URL('./inspection-worker.ts', import.meta.url),
      size: options.workers ?? Math.max(1, Math.min(4, availableParallelism())),
      taskTimeoutMs: options.timeLimitMs ?? INSPECTION_TIME_LIMIT_MS,
      resourceLimits: { maxOldGenerationSizeMb: INSPECTION_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: INSPECTION_YOUNG_GENERATION_MB },
      idleTimeoutMs: INSPECTION_IDLE_MS,
    });
  }

  async inspect(filePath: string): Promise<InspectedUpload> {
    try {
      return await this.pool.run({ filePath });
    } catch (error) {
      if (!(error instanceof WorkerTaskError)) throw error;
      const { outcome } = error;
      switch (outcome.kind) {
        case 'failed': {
          const { failure } = outcome;
          if (failure.code === undefined) throw new Error(`checking the package failed: ${failure.message}`);
          const subject = failure.detail && typeof failure.detail.id === 'string' ? { id: failure.detail.id, version: failure.detail.version as string | undefined } : undefined;
          throw new AppError(failure.code as ErrorCode, failure.message, { subject });
        }
        case 'timed-out':
          throw new AppError('INVALID_PACKAGE', `The package is invalid: checking it took longer than ${duration(outcome.limitMs)}.`);
        case 'crashed':
          if (outcome.outOfMemory) throw new AppError('INVALID_PACKAGE', `The package is invalid: checking it needs more than ${INSPECTION_HEAP_LIMIT_MB} MB of memory.`);
          throw new Error(`checking the package failed: ${outcome.reason}`);
        case 'closed':
          throw new AppError('UNAVAILABLE', 'The server is shutting down; push again in a moment.', { retryAfterSeconds: 10 });
      }
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function duration(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds} ms` : `${Math.round(milliseconds / 1000)} s`;
}
