/**
 * Drives a server with `wrk` (Debian's package): keep-alive connections cycling through a list of paths,
 * with `Accept-Encoding: gzip` as NuGet clients send it. One wrk thread, so the load generator takes at
 * most one of the machine's cores and the servers compared share the rest alike.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx/3xx answers plus socket errors. */
  readonly errors: number;
}

const SCRIPT = `
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local index = 0
request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], { ["Accept-Encoding"] = "gzip" })
end
`;

/** Writes the Lua script and a path list into `folder`; returns what `runWrk` needs. */
export async function preparePaths(folder: string, name: string, paths: readonly string[]): Promise<string> {
  const file = path.join(folder, `${name}.paths`);
  await writeFile(file, `${paths.join('\n')}\n`);
  await writeFile(path.join(folder, 'cycle.lua'), SCRIPT);
  return file;
}

function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`wrk latency '${text}' not understood`);
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 'ms' ? value : match[2] === 's' ? value * 1000 : value * 60_000;
}

export async function runWrk(options: { baseUrl: string; pathsFile: string; connections: number; seconds: number }): Promise<WrkResult> {
  const script = path.join(path.dirname(options.pathsFile), 'cycle.lua');
  const { stdout } = await run(
    'wrk',
    ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '--latency', '-s', script, options.baseUrl],
    { env: { ...process.env, WRK_PATHS: options.pathsFile }, maxBuffer: 1024 * 1024 },
  );
  const value = (pattern: RegExp) => pattern.exec(stdout)?.[1];
  const errors =
    Number(value(/Non-2xx or 3xx responses: (\d+)/) ?? 0) +
    [...stdout.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((sum, match) => sum + Number(match[2]), 0);
  return {
    requestsPerSecond: Number(value(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: milliseconds(value(/\s50%\s+(\S+)/) ?? 'NaNms'),
    p99Ms: milliseconds(value(/\s99%\s+(\S+)/) ?? 'NaNms'),
    requests: Number(value(/(\d+) requests in/) ?? 0),
    errors,
  };
}
