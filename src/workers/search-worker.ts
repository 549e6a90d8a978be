/**
 * Worker thread entry: answers search and autocomplete queries (search-task.ts) over its own read-only
 * connection to the database, so a query never runs on the thread that serves restores. WAL lets it read
 * while the server writes; each query sees the last committed state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from '../stores/metadata/sqlite-database.ts';
import { SqliteSearchIndex } from '../stores/metadata/sqlite-search-index.ts';
import { answerSearchTask, type SearchTask } from './search-task.ts';
import type { ReplyMessage, TaskMessage } from './worker-pool.ts';

export interface SearchWorkerData {
  readonly databaseFile: string;
}

const port = parentPort;
if (!port) throw new Error('search-worker.ts runs only as a worker thread');
const { databaseFile } = workerData as SearchWorkerData;
const index = new SqliteSearchIndex(openSqliteDatabase(databaseFile, { tool: 'read' }));

port.on('message', async ({ taskId, request }: TaskMessage<SearchTask>) => {
  let reply: ReplyMessage<string>;
  try {
    reply = { taskId, ok: true, response: await answerSearchTask(index, request) };
  } catch (error) {
    reply = { taskId, ok: false, failure: { message: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
  }
  port.postMessage(reply);
});
