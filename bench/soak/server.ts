/**
 * Starts `node [nodeArgs] bin/pallet.js serve --host 127.0.0.1 --port <free port> --data <tmp>` for the soak.
 *
 * Like test/support/pallet-server.ts, but the soak runs the server at `--log-level warn`, where the
 * "Pallet is listening" line (info) is not printed: so the port is chosen here, and the server counts as up
 * when that line arrives or `/health` answers, whichever is first. Output is kept only as a bounded tail, so
 * a chatty log level cannot grow the bench process.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SoakServerOptions {
  readonly bin: string;
  readonly apiKey: string;
  readonly logLevel: string;
  /** Node flags placed before the entry script (`--expose-gc`, `--heapsnapshot-signal=SIGUSR2`, ...). */
  readonly nodeArgs: readonly string[];
  readonly startTimeoutMs?: number;
  /** Also copy everything the server prints to this file. */
  readonly logFile?: string;
  /** Serve this existing data folder (kept on stop) instead of a new temp one. */
  readonly dataDir?: string;
  /** More `serve` arguments (`--public-url …`). */
  readonly serveArgs?: readonly string[];
}

export interface SoakServer {
  readonly baseUrl: string;
  readonly pid: number;
  readonly dataDir: string;
  /** The last 64 KiB the server printed (stdout and stderr). */
  logTail(): string;
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGTERM, SIGKILL after 10 s; removes the data folder unless it was given. */
  stop(): Promise<void>;
}

const TAIL_BYTES = 64 * 1024;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function healthy(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${baseUrl}/health`, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.setTimeout(1000, () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export async function startSoakServer(options: SoakServerOptions): Promise<SoakServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'pallet-soak-')));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = { ...process.env, PALLET_API_KEY: options.apiKey };
  delete env.NODE_OPTIONS;
  const args = [...options.nodeArgs, options.bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', dataDir, '--log-level', options.logLevel, ...(options.serveArgs ?? [])];
  const child = spawn(process.execPath, args, { cwd: path.dirname(path.dirname(options.bin)), env, stdio: ['ignore', 'pipe', 'pipe'] });

  let tail = '';
  let listeningLine = false;
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_BYTES);
    if (!listeningLine && chunk.includes('"msg":"Pallet is listening"')) listeningLine = true;
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  if (options.logFile !== undefined) {
    const copy = createWriteStream(options.logFile);
    child.stdout.pipe(copy);
    child.stderr.pipe(copy);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });

  const stop = async () => {
    if (exit === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => exit === null && child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  while (!listeningLine && !(await healthy(baseUrl))) {
    if (exit !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Pallet did not start (${exit === null ? 'timeout' : 'exited'}): node ${args.join(' ')}\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseUrl,
    pid: child.pid ?? -1,
    dataDir,
    logTail: () => tail,
    exitStatus: () => exit,
    stop,
  };
}
