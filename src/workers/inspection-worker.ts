/**
 * Worker thread entry: checks one spooled upload per message (see app/packages/inspect-upload.ts) and
 * answers with the result, or with the refusal's code and message.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { inspectUploadFile } from '../app/packages/inspect-upload.ts';
import type { InspectedUpload } from '../app/ports.ts';
import type { ReplyMessage, TaskMessage } from './worker-pool.ts';

export interface InspectionRequest {
  readonly filePath: string;
}

const port = parentPort;
if (!port) throw new Error('inspection-worker.ts runs only as a worker thread');

port.on('message', async ({ taskId, request }: TaskMessage<InspectionRequest>) => {
  let reply: ReplyMessage<InspectedUpload>;
  try {
    reply = { taskId, ok: true, response: await inspectUploadFile(request.filePath) };
  } catch (error) {
    reply =
      error instanceof AppError
        ? { taskId, ok: false, failure: { code: error.code, message: error.message, ...(error.subject ? { detail: { ...error.subject } } : {}) } }
        : { taskId, ok: false, failure: { message: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
  }
  port.postMessage(reply);
});
