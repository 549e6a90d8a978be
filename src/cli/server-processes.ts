/**
 * Several server processes on one port, so reads use every core: the primary (this process) owns the data
 * folder and every write; each secondary (secondary-process.ts) is a full read server over the same
 * database and blob folder that forwards pushes, unlists and relists to the primary's private socket. The
 * kernel spreads connections over the processes (SO_REUSEPORT). A secondary that dies is started again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { getCompileCacheDir } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { SecondaryMessage, SecondaryStart } from './secondary-process.ts';

const ENTRY = fileURLToPath(new URL('./secondary-process.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const RESTART_DELAY_MS = 1000;

/**
 * SO_REUSEPORT lets any process of this user share the port, so a second, unrelated server configured on
 * the same port would silently take half the connections: bind it alone first, as a plain listen would,
 * and report it taken. Port 0 is resolved here too, since the kernel may hand out a port another
 * SO_REUSEPORT listener of this user holds. Returns the port to listen on.
 */
export async function claimPort(host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`Port ${port} on ${host} is already in use by another program.`) : error),
    );
    probe.listen({ host, port, exclusive: true }, () => {
      const address = probe.address();
      const claimed = typeof address === 'object' && address ? address.port : port;
      probe.close(() => resolve(claimed));
    });
  });
}

export class PortInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortInUseError';
  }
}

export class SecondaryProcesses {
  private readonly start: SecondaryStart;
  private readonly log: Logger;
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(options: { config: Config; writesSocket: string; port: number; log: Logger }) {
    this.start = { kind: 'start', config: options.config, writesSocket: options.writesSocket, port: options.port };
    this.log = options.log;
  }

  /** Starts `count` secondaries and resolves when every one is serving; rejects if one cannot start. */
  async launch(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.spawn()));
  }

  /** Asks every secondary to finish its requests (within shutdownTimeout) and waits; kills what is left after that. */
  async stop(): Promise<void> {
    this.stopping = true;
    const graceMs = this.start.config.shutdownTimeout + 5000;
    await Promise.all(
      [...this.children].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send({ kind: 'shutdown' });
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(): Promise<void> {
    // The compile cache bin/pallet.js enabled is not inherited by a child process: without its folder, every
    // secondary strips the types of and compiles each source again, some 60 ms of CPU per start.
    const compileCache = getCompileCacheDir();
    const env = compileCache === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: compileCache };
    const child = fork(ENTRY, [], { execArgv: process.execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.children.add(child);
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`a secondary server process did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      child.on('message', (message: SecondaryMessage) => {
        if (message.kind === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else if (message.kind === 'failed') {
          clearTimeout(timer);
          reject(new Error(`a secondary server process could not start: ${message.message}`));
        }
      });
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        clearTimeout(timer);
        if (!ready) {
          reject(new Error(`a secondary server process exited while starting (code ${code}, signal ${signal})`));
          return;
        }
        if (this.stopping) return;
        this.log.error({ pid: child.pid, code, signal }, 'a secondary server process stopped; starting another');
        setTimeout(() => {
          if (!this.stopping) this.spawn().catch((error: unknown) => this.log.error({ err: error }, 'a secondary server process could not be started again'));
        }, RESTART_DELAY_MS).unref();
      });
      child.send(this.start);
    });
  }
}
