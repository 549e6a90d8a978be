/**
 * Keeps slow and stalled request bodies from holding a connection (and a spool file) for long:
 * a body must keep arriving, and a body the server answered without reading is drained only so far.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.ts';

/** The least a body must bring per `bodyTimeout` window; 16 KiB per 30 s is about 4 kbit/s. */
export const MIN_BODY_BYTES_PER_WINDOW = 16 * 1024;

export interface ProgressWatch {
  /** Rejects with a REQUEST_TIMEOUT AppError when a window passes with too little of the body. */
  readonly stalled: Promise<never>;
  stop(): void;
}

/**
 * Samples the socket's byte count once per window. Socket bytes, not stream events, so watching never
 * changes how the body is read. A reader that holds the body back (backpressure from a disk that stalls
 * for a whole window) would look like a stalled client; with a 30 s window that is a disk problem anyway.
 */
export function watchBodyProgress(request: IncomingMessage, windowMs: number, minBytes = MIN_BODY_BYTES_PER_WINDOW): ProgressWatch {
  let reject!: (error: AppError) => void;
  const stalled = new Promise<never>((_resolve, rejectStalled) => {
    reject = rejectStalled;
  });
  // Observed here so a stall nobody awaits is never an unhandled rejection.
  stalled.catch(() => undefined);
  let previous = request.socket.bytesRead;
  const timer = setInterval(() => {
    const current = request.socket.bytesRead;
    if (request.complete) return;
    if (current - previous < minBytes) {
      clearInterval(timer);
      reject(
        new AppError(
          'REQUEST_TIMEOUT',
          `The upload stalled: less than ${Math.round(minBytes / 1024)} KiB arrived in ${Math.round(windowMs / 1000)} s (bodyTimeout).`,
        ),
      );
    }
    previous = current;
  }, windowMs);
  timer.unref();
  return { stalled, stop: () => clearInterval(timer) };
}

/**
 * After an answer sent before its body was read (a refusal, or a read that ignores a body), reads and
 * discards the rest so the client, still sending, gets to read the answer instead of a reset. The drain
 * is bounded in bytes, and a body that stops making progress (the same rule as for uploads) is cut off;
 * Node's requestTimeout bounds its total time. Past either bound the connection is closed.
 */
export function drainUnreadBody(
  request: IncomingMessage,
  limits: { maxBytes: number; windowMs: number },
  onCut: (reason: string, bytes: number) => void,
): void {
  if (request.complete || request.destroyed) return;
  let drained = 0;
  const watch = watchBodyProgress(request, limits.windowMs);
  const cleanup = () => {
    watch.stop();
    request.off('data', onData);
    request.off('end', cleanup);
    request.off('close', cleanup);
  };
  const cut = (reason: string) => {
    cleanup();
    onCut(reason, drained);
    request.destroy();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limits.maxBytes) cut('the unread body is larger than the drain limit');
  };
  watch.stalled.catch(() => cut('the unread body stopped arriving (bodyTimeout)'));
  request.on('data', onData);
  request.once('end', cleanup);
  request.once('close', cleanup);
  request.unpipe();
  request.resume();
}
