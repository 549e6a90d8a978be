/**
 * Start time as a user meets it: from spawning `pallet serve` to the first answered protocol request.
 *
 * The server is polled every 2 ms with a fresh connection, so the figure is not rounded up to a polling
 * interval (the soak server's readiness check waits 100 ms between tries). The process is stopped with
 * SIGTERM after each start; the data folder is kept.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { freePort } from '../soak/server.ts';

export interface StartOptions {
  readonly bin: string;
  readonly nodeArgs: readonly string[];
  readonly dataDir: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

function serviceIndexAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/v3/index.json', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

/** Milliseconds from spawn to the first 200 of `/v3/index.json`. */
export async function measureStart(options: StartOptions): Promise<number> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, PALLET_API_KEY: options.apiKey };
  delete env.NODE_OPTIONS;
  const args = [...options.nodeArgs, options.bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data', options.dataDir, '--log-level', 'warn'];
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    for (;;) {
      if (await serviceIndexAnswers(port)) return performance.now() - started;
      if (gone) throw new Error(`pallet serve exited before answering: node ${args.join(' ')}`);
      if (performance.now() - started > options.timeoutMs) throw new Error(`pallet serve did not answer within ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** The first start (it may fill Node's compile cache), then `runs` more. */
export async function measureStarts(options: StartOptions, runs: number): Promise<{ firstMs: number; startsMs: number[] }> {
  const firstMs = await measureStart(options);
  const startsMs: number[] = [];
  for (let run = 0; run < runs; run += 1) startsMs.push(await measureStart(options));
  return { firstMs, startsMs };
}
