/**
 * Search and autocomplete on a worker thread (search-worker.ts): however long a query takes, the event
 * loop that serves restores never runs it. Queries queue in arrival order on the search threads.
 */
import { AppError } from '../errors.ts';
import type { SearchRequest } from '../app/ports.ts';
import type { AutocompleteRequest, SearchTask } from './search-task.ts';
import type { SearchWorkerData } from './search-worker.ts';
import { WorkerPool, WorkerTaskError } from './worker-pool.ts';

/** A query past this is a fault of the query or the database, not something to wait for. */
const SEARCH_TIME_LIMIT_MS = 10_000;
/** Rows of one page and its versions: far below this. */
const SEARCH_HEAP_LIMIT_MB = 128;
const SEARCH_YOUNG_GENERATION_MB = 16;
/** A search thread idle this long gives its memory back; the next query starts one again (tens of ms). */
const SEARCH_IDLE_MS = 5 * 60 * 1000;

export class WorkerSearch {
  private readonly pool: WorkerPool<SearchTask, string>;

  constructor(options: { databaseFile: string; threads: number }) {
    const workerData: SearchWorkerData = { databaseFile: options.databaseFile };
    this.pool = new WorkerPool({
      script: new URL('./search-worker.ts', import.meta.url),
      size: options.threads,
      taskTimeoutMs: SEARCH_TIME_LIMIT_MS,
      resourceLimits: { maxOldGenerationSizeMb: SEARCH_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: SEARCH_YOUNG_GENERATION_MB },
      idleTimeoutMs: SEARCH_IDLE_MS,
      workerData,
    });
  }

  /** The search response document as JSON, with URLs on `base`. */
  search(request: SearchRequest, base: string): Promise<string> {
    return this.run({ kind: 'search', base, request });
  }

  /** The autocomplete response document as JSON. */
  autocomplete(request: AutocompleteRequest): Promise<string> {
    return this.run({ kind: 'autocomplete', request });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async run(task: SearchTask): Promise<string> {
    try {
      return await this.pool.run(task);
    } catch (error) {
      if (!(error instanceof WorkerTaskError)) throw error;
      if (error.outcome.kind === 'timed-out') {
        throw new AppError('UNAVAILABLE', `The search took longer than ${SEARCH_TIME_LIMIT_MS / 1000} seconds; try a narrower query.`);
      }
      if (error.outcome.kind === 'closed') throw new AppError('UNAVAILABLE', 'The server is shutting down.');
      throw new Error(`search failed: ${error.message}`);
    }
  }
}
