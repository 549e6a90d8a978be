/**
 * Starts the real Pallet server as a child process (black box):
 *
 *   node bin/pallet.js serve --host 127.0.0.1 --port 0 --data <tmp dir> [...args]
 *
 * and waits for the pino line `"msg":"Pallet is listening"` carrying
 * `serviceIndexUrl`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PALLET_BIN = join(REPO_ROOT, 'bin', 'pallet.js');

export interface StartPalletOptions {
  /** Sets PALLET_API_KEY (a key with full rights). */
  apiKey?: string;
  /** Sets PALLET_MAX_PACKAGE_SIZE (bytes). */
  maxPackageSize?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Extra command-line arguments after the defaults (e.g. `--public-url`). */
  args?: string[];
  /** Use this data directory instead of a fresh temp dir (it is then not removed on stop). */
  dataDir?: string;
  /** Entry script to run instead of bin/pallet.js (for testing this helper). */
  bin?: string;
  /** Start timeout in ms; default 20 000. */
  startTimeoutMs?: number;
}

export interface PalletServer {
  /** serviceIndexUrl without its `/v3/index.json` suffix, e.g. `http://127.0.0.1:PORT` (no trailing slash). */
  baseUrl: string;
  serviceIndexUrl: string;
  dataDir: string;
  pid: number;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  logs(): string;
  /** Parsed JSON log lines printed so far (non-JSON lines are skipped). */
  logRecords(): Record<string, unknown>[];
  /** Exit status if the process has ended (crashed or stopped), else null. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGTERM, then SIGKILL after 5 s; removes the temp data dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startPallet(options: StartPalletOptions = {}): Promise<PalletServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pallet-data-')));
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.PALLET_API_KEY;
  delete env.PALLET_MAX_PACKAGE_SIZE;
  if (options.apiKey !== undefined) env.PALLET_API_KEY = options.apiKey;
  if (options.maxPackageSize !== undefined) env.PALLET_MAX_PACKAGE_SIZE = String(options.maxPackageSize);
  Object.assign(env, options.env);

  const args = [options.bin ?? PALLET_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  let stdoutPending = '';
  const records: Record<string, unknown>[] = [];
  let exited = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      resolveExit();
    });
  });

  let onListening: ((record: Record<string, unknown>) => void) | undefined;

  const handleLine = (line: string): void => {
    if (!line.trim().startsWith('{')) return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    records.push(record);
    if (record.msg === 'Pallet is listening' && typeof record.serviceIndexUrl === 'string') onListening?.(record);
  };

  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    stdoutPending += chunk;
    let newline: number;
    while ((newline = stdoutPending.indexOf('\n')) >= 0) {
      handleLine(stdoutPending.slice(0, newline));
      stdoutPending = stdoutPending.slice(newline + 1);
    }
  });
  child.stderr.on('data', (chunk: string) => {
    output += chunk;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopped;
  };

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let listening: Record<string, unknown>;
  try {
    listening = await new Promise<Record<string, unknown>>((resolveStart, rejectStart) => {
      const fail = (why: string): void =>
        rejectStart(new Error(`Pallet did not start: ${why}\ncommand: node ${args.join(' ')}\n--- output ---\n${output}`));
      const timer = setTimeout(() => fail(`no "Pallet is listening" line within ${timeoutMs} ms`), timeoutMs);
      onListening = (record) => {
        clearTimeout(timer);
        resolveStart(record);
      };
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(`spawn failed: ${error.message}`);
      });
      void exitPromise.then(() => {
        clearTimeout(timer);
        fail(`process exited early (code ${exitCode}, signal ${exitSignal})`);
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const serviceIndexUrl = listening.serviceIndexUrl as string;
  return {
    baseUrl: serviceIndexUrl.endsWith('/v3/index.json')
      ? serviceIndexUrl.slice(0, -'/v3/index.json'.length)
      : new URL(serviceIndexUrl).origin,
    serviceIndexUrl,
    dataDir,
    pid: child.pid ?? -1,
    logs: () => output,
    logRecords: () => [...records],
    exitStatus: () => (exited ? { code: exitCode, signal: exitSignal } : null),
    stop,
  };
}
