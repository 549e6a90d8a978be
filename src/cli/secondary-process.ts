/**
 * Entry point of a secondary server process, forked by the primary (server-processes.ts) with an IPC
 * channel. It receives the primary's validated configuration, serves on the primary's port and forwards
 * writes to it. It stops when the primary says so, or at once when the primary is gone (the channel
 * closes); terminal and service-manager signals are the primary's to handle, so they are ignored here.
 */
import { buildApp } from '../app.ts';
import type { Config } from '../config/schema.ts';

export interface SecondaryStart {
  readonly kind: 'start';
  readonly config: Config;
  readonly writesSocket: string;
  readonly port: number;
}

export type SecondaryMessage = { readonly kind: 'ready' } | { readonly kind: 'failed'; readonly message: string };

/** To the primary, if it is still there: one that stopped while this process started is not an error here. */
const send = (message: SecondaryMessage) => {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
};

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

// Listened for from the first moment: a shutdown asked for (or the primary gone) while this process is still
// starting is acted on as soon as it serves, instead of being missed.
let stop: () => void = () => {
  stopAsked = true;
};
let stopAsked = false;
process.on('message', (message: { kind?: string }) => {
  if (message.kind === 'shutdown') stop();
});
process.on('disconnect', () => stop());

process.once('message', async (start: SecondaryStart) => {
  let app;
  try {
    app = await buildApp(start.config, { processRole: { kind: 'secondary', writesSocket: start.writesSocket, port: start.port } });
    await app.listen();
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
  const started = app;
  let stopping = false;
  stop = () => {
    if (stopping) return;
    stopping = true;
    void started.close().then(() => process.exit(0));
  };
  if (stopAsked || !process.connected) return stop();
  send({ kind: 'ready' });
});
