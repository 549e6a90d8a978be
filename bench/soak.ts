/**
 * `npm run soak`: a mixed-load soak against the real server, to see whether its memory levels off.
 *
 *   npm run soak                                  # 3 minutes at concurrency 8, markdown on stdout
 *   npm run soak -- --minutes 8 --concurrency 8   # longer
 *   npm run soak -- --write                       # also replaces the "## Soak" section of docs/benchmarks.md
 *
 * Starts `node bin/pallet.js serve` as a child process (log level warn) on loopback, seeds a few packages,
 * then keeps `--concurrency` keep-alive connections busy for `--minutes` with a weighted mix: pushes of new
 * versions across a growing set of ids, flat-container version lists and .nupkg downloads of random existing
 * versions, gzip registration indexes, searches and autocompletes. Every `--sample-seconds` it reads the
 * server's VmRSS / VmHWM (and RssAnon / RssFile / RssShmem) from /proc/<pid>/status and its CPU time from
 * /proc/<pid>/stat, with the operations, errors and latencies of the interval. After the load it idles for
 * `--idle-seconds` and samples on, to show whether RSS comes back down. Linux only (/proc).
 *
 * Other flags: `--out <file>` (markdown to a file instead of stdout), `--json <file>` (every sample, raw),
 * `--mix push=3,versions=2,...` (weights), `--seed-ids <n>`, `--bin <entry>` (another checkout's
 * bin/pallet.js, to compare a fix), `--node-args="<flags>"` (Node flags for the server only, e.g.
 * `--expose-gc` or `--heapsnapshot-signal=SIGUSR2`), `--log-level <level>` (the server's; default warn),
 * `--server-log <file>` (a copy of everything the server prints).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem, platform, release } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { buildNupkg } from '../test/support/nupkg-builder.ts';
import { multipartBody } from '../test/support/multipart-body.ts';
import { startSoakServer, type SoakServer } from './soak/server.ts';

const API_KEY = 'soak-key-0123456789';
const KINDS = ['push', 'versions', 'download', 'registration', 'search', 'autocomplete'] as const;
type Kind = (typeof KINDS)[number];
const KIND_LABEL: Record<Kind, string> = {
  push: 'push',
  versions: 'index.json',
  download: '.nupkg',
  registration: 'registration (gz)',
  search: 'search',
  autocomplete: 'autocomplete',
};
/** Roughly the tester's load on a 2-core machine: ~30 new versions a second among the reads. */
const DEFAULT_MIX = 'push=1,versions=5,download=5,registration=4,search=3,autocomplete=2';
/** A new id every this many pushes (on average); the rest are new versions of existing ids. */
const PUSHES_PER_NEW_ID = 12;
const WORDS = [
  'logging', 'json', 'http', 'client', 'azure', 'sql', 'cache', 'retry', 'metrics', 'tracing', 'auth', 'queue',
  'storage', 'grpc', 'testing', 'mock', 'config', 'cli', 'parser', 'xml', 'csv', 'crypto', 'image', 'pdf',
];
/** "Levels off" when RSS grows less than this over the last third of the load. */
const LEVEL_MIB_PER_MINUTE = 2;

interface Options {
  readonly minutes: number;
  readonly concurrency: number;
  readonly idleSeconds: number;
  readonly sampleSeconds: number;
  readonly seedIds: number;
  readonly mix: Record<Kind, number>;
  readonly out: string | undefined;
  readonly json: string | undefined;
  readonly write: boolean;
  readonly bin: string | undefined;
  readonly nodeArgs: readonly string[];
  readonly logLevel: string;
  readonly serverLog: string | undefined;
}

interface Memory {
  readonly rssKiB: number;
  readonly hwmKiB: number;
  readonly anonKiB: number;
  readonly fileKiB: number;
  readonly shmemKiB: number;
}

interface Sample extends Memory {
  readonly phase: 'load' | 'idle';
  /** Seconds since the load started. */
  readonly t: number;
  /** Server CPU in this interval, percent of one core. */
  readonly cpuPercent: number;
  readonly dbBytes: number;
  readonly walBytes: number;
  readonly ops: Record<Kind, number>;
  readonly errors: Record<Kind, number>;
  /** Total new versions stored so far (seed included). */
  readonly versionsStored: number;
}

interface Interval {
  ops: Record<Kind, number>;
  errors: Record<Kind, number>;
}

function perKind<T>(make: () => T): Record<Kind, T> {
  return Object.fromEntries(KINDS.map((kind) => [kind, make()])) as Record<Kind, T>;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      'idle-seconds': { type: 'string', default: '30' },
      'sample-seconds': { type: 'string', default: '5' },
      'seed-ids': { type: 'string', default: '40' },
      mix: { type: 'string', default: DEFAULT_MIX },
      out: { type: 'string' },
      json: { type: 'string' },
      write: { type: 'boolean', default: false },
      bin: { type: 'string' },
      // What bin/pallet.js's shebang passes, so the soak measures the server as `pallet serve` runs it.
      'node-args': { type: 'string', default: '--max-semi-space-size=16' },
      'log-level': { type: 'string', default: 'warn' },
      'server-log': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run soak -- [--minutes 3] [--concurrency 8] [--idle-seconds 30] [--sample-seconds 5] [--seed-ids 40]\n' +
        `  [--mix ${DEFAULT_MIX}] [--out file.md] [--json samples.json] [--write] [--bin path/to/pallet.js] [--node-args="--expose-gc ..."] [--log-level warn] [--server-log file]\n`,
    );
    process.exit(0);
  }
  const number = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${text}'`);
    return value;
  };
  const mix = perKind(() => 0);
  for (const part of values.mix.split(',')) {
    const [name, weight] = part.split('=');
    if (!KINDS.includes(name as Kind)) throw new Error(`--mix: unknown kind '${name}' (kinds: ${KINDS.join(', ')})`);
    mix[name as Kind] = number('mix', weight ?? '', 0);
  }
  if (KINDS.every((kind) => mix[kind] === 0)) throw new Error('--mix: every weight is 0');
  return {
    minutes: number('minutes', values.minutes, 0.1),
    concurrency: Math.floor(number('concurrency', values.concurrency, 1)),
    idleSeconds: number('idle-seconds', values['idle-seconds'], 0),
    sampleSeconds: number('sample-seconds', values['sample-seconds'], 1),
    seedIds: Math.floor(number('seed-ids', values['seed-ids'], 1)),
    mix,
    out: values.out,
    json: values.json,
    write: values.write,
    bin: values.bin === undefined ? undefined : path.resolve(values.bin),
    nodeArgs: values['node-args'].split(/\s+/).filter((arg) => arg !== ''),
    logLevel: values['log-level'],
    serverLog: values['server-log'],
  };
}

// ---------------------------------------------------------------------------------------------- HTTP client

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

class Client {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, concurrency: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  request(method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: this.host, port: this.port, method, path: pathAndQuery, agent: this.agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      request.setTimeout(60_000, () => request.destroy(new Error(`timeout: ${method} ${pathAndQuery}`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ------------------------------------------------------------------------------------------------- the load

interface PackageState {
  readonly id: string;
  /** Versions pushed successfully, so reads can ask for them. */
  readonly versions: string[];
  /** The next patch number to push (assigned before the push, so concurrent pushes never collide). */
  nextPatch: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const chance = (probability: number) => Math.random() < probability;

class Workload {
  readonly packages: PackageState[] = [];
  versionsStored = 0;
  private readonly client: Client;
  private readonly runTag = randomBytes(2).toString('hex');

  constructor(client: Client) {
    this.client = client;
  }

  /** Pushes one new version: of `target`, or of a new id now and then, else of a random existing id. */
  async push(target: PackageState | 'new' | 'any' = 'any'): Promise<void> {
    if (target === 'new' || (target === 'any' && (this.packages.length === 0 || chance(1 / PUSHES_PER_NEW_ID)))) {
      target = { id: `Soak${this.runTag}.${pick(WORDS)}.Pkg${this.packages.length}`, versions: [], nextPatch: 0 };
      this.packages.push(target);
    } else if (target === 'any') {
      target = pick(this.packages);
    }
    const patch = target.nextPatch++;
    // Every fifth version a prerelease; every tenth with a dotted label (SemVer 2.0.0).
    const version = patch % 10 === 4 ? `1.0.${patch}-beta.${patch}` : patch % 5 === 4 ? `1.0.${patch}-beta${patch}` : `1.0.${patch}`;
    const words = [pick(WORDS), pick(WORDS), pick(WORDS)];
    const nupkg = buildNupkg({
      id: target.id,
      version,
      description: `Soak package ${target.id}: ${words.join(' ')} helpers, version ${version}.`,
      tags: words.slice(0, 2),
      authors: `Soak ${pick(WORDS)}`,
    });
    const { payload, contentType } = multipartBody(nupkg);
    const answer = await this.client.request('PUT', '/api/v2/package/', { 'x-nuget-apikey': API_KEY, 'content-type': contentType }, payload);
    expectStatus(answer, 201, `push ${target.id} ${version}`);
    target.versions.push(version);
    this.versionsStored += 1;
  }

  private randomVersion(): { idLower: string; versionLower: string } | undefined {
    const target = pick(this.packages);
    if (target.versions.length === 0) return undefined;
    return { idLower: target.id.toLowerCase(), versionLower: pick(target.versions).toLowerCase() };
  }

  private randomIdLower(): string {
    return pick(this.packages).id.toLowerCase();
  }

  async run(kind: Kind): Promise<void> {
    switch (kind) {
      case 'push':
        return this.push();
      case 'versions': {
        const idLower = this.randomIdLower();
        const answer = await this.client.request('GET', `/v3/package/${idLower}/index.json`);
        // An id whose first push is still in flight answers 404; only count that as an error when it has versions.
        if (answer.status === 404 && this.packages.find((p) => p.id.toLowerCase() === idLower)?.versions.length === 0) return;
        expectStatus(answer, 200, `versions ${idLower}`);
        JSON.parse(answer.body.toString('utf8'));
        return;
      }
      case 'download': {
        const target = this.randomVersion();
        if (!target) return this.run('versions');
        const { idLower, versionLower } = target;
        const answer = await this.client.request('GET', `/v3/package/${idLower}/${versionLower}/${idLower}.${versionLower}.nupkg`);
        expectStatus(answer, 200, `download ${idLower} ${versionLower}`);
        if (answer.body.length === 0) throw new Error(`download ${idLower} ${versionLower}: empty body`);
        return;
      }
      case 'registration': {
        const target = this.randomVersion();
        if (!target) return this.run('versions');
        const answer = await this.client.request('GET', `/v3/registration-gz-semver2/${target.idLower}/index.json`, { 'accept-encoding': 'gzip' });
        expectStatus(answer, 200, `registration ${target.idLower}`);
        const text = answer.headers['content-encoding'] === 'gzip' ? gunzipSync(answer.body) : answer.body;
        JSON.parse(text.toString('utf8'));
        return;
      }
      case 'search': {
        const q = chance(0.4) ? pick(WORDS) : chance(0.5) ? this.randomIdLower() : chance(0.5) ? `${pick(WORDS)} ${pick(WORDS)}` : '';
        const query = new URLSearchParams({ q, take: '20', skip: chance(0.2) ? '20' : '0', prerelease: String(chance(0.5)) });
        if (chance(0.7)) query.set('semVerLevel', '2.0.0');
        const answer = await this.client.request('GET', `/v3/search?${query}`);
        expectStatus(answer, 200, `search ${query}`);
        JSON.parse(answer.body.toString('utf8'));
        return;
      }
      case 'autocomplete': {
        const query = chance(0.7)
          ? new URLSearchParams({ q: this.randomIdLower().slice(0, 4 + Math.floor(Math.random() * 12)), take: '20' })
          : new URLSearchParams({ id: this.randomIdLower() });
        query.set('prerelease', String(chance(0.5)));
        if (chance(0.7)) query.set('semVerLevel', '2.0.0');
        const answer = await this.client.request('GET', `/v3/autocomplete?${query}`);
        expectStatus(answer, 200, `autocomplete ${query}`);
        JSON.parse(answer.body.toString('utf8'));
        return;
      }
    }
  }
}

function expectStatus(answer: Answer, expected: number, what: string): void {
  if (answer.status !== expected) throw new Error(`${what}: ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
}

// ----------------------------------------------------------------------------------------------- sampling

function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), anonKiB: field('RssAnon'), fileKiB: field('RssFile'), shmemKiB: field('RssShmem') };
}

/** utime + stime of the process, in seconds. */
function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

/** Least-squares slope of RSS (MiB) over time (minutes). */
function slopeMiBPerMinute(samples: readonly Sample[]): number {
  if (samples.length < 2) return Number.NaN;
  const xs = samples.map((s) => s.t / 60);
  const ys = samples.map((s) => s.rssKiB / 1024);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i += 1) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

// --------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (platform() !== 'linux') throw new Error('npm run soak reads /proc/<pid>/status, so it runs on Linux only');
  const repoRoot = path.join(import.meta.dirname, '..');
  const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);

  const server: SoakServer = await startSoakServer({
    bin: options.bin ?? path.join(repoRoot, 'bin', 'pallet.js'),
    apiKey: API_KEY,
    logLevel: options.logLevel,
    nodeArgs: options.nodeArgs,
    ...(options.serverLog !== undefined ? { logFile: options.serverLog } : {}),
  });
  // Ctrl-C: stop the server and remove its data folder rather than leave them behind.
  process.once('SIGINT', () => {
    log('interrupted; stopping the server');
    void server.stop().finally(() => process.exit(130));
  });
  const client = new Client(server.baseUrl, options.concurrency);
  const workload = new Workload(client);
  const samples: Sample[] = [];
  const latencies: Record<Kind, number[]>[] = []; // per minute of load
  const firstErrors: string[] = [];
  let startupMemory: Memory | undefined;
  let seedSeconds = 0;
  try {
    startupMemory = readMemory(server.pid);
    log(`server pid ${server.pid} at ${server.baseUrl}, RSS ${(startupMemory.rssKiB / 1024).toFixed(0)} MiB; seeding ${options.seedIds} ids`);

    // Seed: every id once, then a second version of each, so reads have something to ask for from the start.
    const seedStart = performance.now();
    for (let round = 0; round < 2; round += 1) {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(4, options.concurrency) }, async () => {
          while (next < options.seedIds) {
            const index = next++;
            await workload.push(round === 0 ? 'new' : (workload.packages[index] as PackageState));
          }
        }),
      );
    }
    seedSeconds = (performance.now() - seedStart) / 1000;

    const weights = KINDS.map((kind) => options.mix[kind]);
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const chooseKind = (): Kind => {
      let r = Math.random() * totalWeight;
      for (const kind of KINDS) {
        r -= options.mix[kind];
        if (r < 0) return kind;
      }
      return 'versions';
    };

    let interval: Interval = { ops: perKind(() => 0), errors: perKind(() => 0) };
    const loadStart = performance.now();
    const loadEnd = loadStart + options.minutes * 60_000;
    const elapsedSeconds = () => (performance.now() - loadStart) / 1000;
    let lastCpu = readCpuSeconds(server.pid);
    let lastSampleAt = performance.now();
    const takeSample = (phase: Sample['phase']): void => {
      const exit = server.exitStatus();
      if (exit) throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal})\n${server.logTail().slice(-4000)}`);
      const now = performance.now();
      const cpu = readCpuSeconds(server.pid);
      const sample: Sample = {
        phase,
        t: Math.round(elapsedSeconds() * 10) / 10,
        ...readMemory(server.pid),
        cpuPercent: ((cpu - lastCpu) / ((now - lastSampleAt) / 1000)) * 100,
        dbBytes: fileSize(path.join(server.dataDir, 'pallet.db')),
        walBytes: fileSize(path.join(server.dataDir, 'pallet.db-wal')),
        ops: interval.ops,
        errors: interval.errors,
        versionsStored: workload.versionsStored,
      };
      lastCpu = cpu;
      lastSampleAt = now;
      interval = { ops: perKind(() => 0), errors: perKind(() => 0) };
      samples.push(sample);
      const ops = KINDS.reduce((sum, kind) => sum + sample.ops[kind], 0);
      const errors = KINDS.reduce((sum, kind) => sum + sample.errors[kind], 0);
      log(
        `${phase} t=${sample.t.toFixed(0)}s RSS ${(sample.rssKiB / 1024).toFixed(1)} MiB (anon ${(sample.anonKiB / 1024).toFixed(1)}), ` +
          `HWM ${(sample.hwmKiB / 1024).toFixed(1)} MiB, cpu ${sample.cpuPercent.toFixed(0)}%, ${ops} ops, ${errors} errors, ` +
          `${workload.versionsStored} versions, wal ${(sample.walBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    };

    let sampleError: unknown;
    const sampler = setInterval(() => {
      try {
        takeSample('load');
      } catch (error) {
        sampleError = error;
      }
    }, options.sampleSeconds * 1000);
    // A sample at t=0, right after seeding, as the baseline.
    takeSample('load');

    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < loadEnd && sampleError === undefined) {
          const kind = chooseKind();
          const begin = performance.now();
          const minute = Math.floor((begin - loadStart) / 60_000);
          try {
            await workload.run(kind);
            const bucket = (latencies[minute] ??= perKind(() => []));
            bucket[kind].push(performance.now() - begin);
            interval.ops[kind] += 1;
          } catch (error) {
            interval.errors[kind] += 1;
            if (firstErrors.length < 10) firstErrors.push(`${kind}: ${(error as Error).message}`);
          }
        }
      }),
    );
    clearInterval(sampler);
    if (sampleError !== undefined) throw sampleError;
    takeSample('load');
    const loadSeconds = elapsedSeconds();
    // Keep-alive sockets would keep the server's per-connection state alive through the idle phase.
    client.close();
    log(`load done after ${loadSeconds.toFixed(0)} s; idling ${options.idleSeconds} s`);
    for (let waited = 0; waited < options.idleSeconds; ) {
      const step = Math.min(options.sampleSeconds, options.idleSeconds - waited);
      await new Promise((resolve) => setTimeout(resolve, step * 1000));
      waited += step;
      takeSample('idle');
    }

    const report = renderReport({ options, samples, latencies, firstErrors, startupMemory, seedSeconds, loadSeconds, workload });
    if (options.json) {
      await writeFile(options.json, `${JSON.stringify({ options, startupMemory, seedSeconds, loadSeconds, samples, firstErrors }, null, 1)}\n`);
    }
    if (options.out) await writeFile(options.out, report);
    else process.stdout.write(report);
    if (options.write) {
      const file = path.join(repoRoot, 'docs', 'benchmarks.md');
      await writeFile(file, replaceSection(await readFile(file, 'utf8'), report));
      log(`wrote the "## Soak" section of ${file}`);
    }
  } finally {
    client.close();
    await server.stop();
  }
}

/** Replaces the `## Soak` section (up to the next `## ` heading) or appends it. */
function replaceSection(document: string, section: string): string {
  const start = document.search(/^## Soak\b.*$/m);
  if (start < 0) return `${document.replace(/\n*$/, '')}\n\n${section}`;
  const rest = document.slice(start + 1);
  const nextHeading = rest.search(/^## /m);
  const end = nextHeading < 0 ? document.length : start + 1 + nextHeading;
  return `${document.slice(0, start)}${section}${nextHeading < 0 ? '' : `\n${document.slice(end)}`}`;
}

interface ReportInput {
  readonly options: Options;
  readonly samples: readonly Sample[];
  readonly latencies: readonly (Record<Kind, number[]> | undefined)[];
  readonly firstErrors: readonly string[];
  readonly startupMemory: Memory;
  readonly seedSeconds: number;
  readonly loadSeconds: number;
  readonly workload: Workload;
}

function renderReport(input: ReportInput): string {
  const { options, samples, latencies, startupMemory, workload } = input;
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  const ms = (value: number) => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(1) : value.toFixed(0));
  const load = samples.filter((s) => s.phase === 'load');
  const idle = samples.filter((s) => s.phase === 'idle');
  const activeKinds = KINDS.filter((kind) => options.mix[kind] > 0);
  const sum = (list: readonly Sample[], pickValue: (s: Sample) => number) => list.reduce((total, s) => total + pickValue(s), 0);

  const rows: string[] = [];
  // The last sample lands a moment after the nominal end: it belongs to the last minute.
  const minutes = Math.max(1, Math.ceil(options.minutes - 1e-9));
  const baseline = load[0];
  rows.push(
    `| 0 (after seed) | ${baseline ? mib(baseline.rssKiB) : '–'} | ${baseline ? mib(baseline.hwmKiB) : '–'} | | ${baseline?.versionsStored ?? ''} | ${activeKinds.map(() => '').join(' | ')} | |`,
  );
  for (let minute = 0; minute < minutes; minute += 1) {
    const inMinute = load.filter((s) => s !== baseline && Math.min(minutes - 1, Math.ceil(s.t / 60) - 1) === minute);
    const last = inMinute.at(-1);
    if (!last) continue;
    const cpu = sum(inMinute, (s) => s.cpuPercent) / inMinute.length;
    const cells = activeKinds.map((kind) => {
      const sorted = [...(latencies[minute]?.[kind] ?? [])].sort((a, b) => a - b);
      return `${sum(inMinute, (s) => s.ops[kind])} · ${ms(percentile(sorted, 0.5))}/${ms(percentile(sorted, 0.99))}`;
    });
    const errors = sum(inMinute, (s) => KINDS.reduce((total, kind) => total + s.errors[kind], 0));
    rows.push(`| ${minute + 1} | ${mib(last.rssKiB)} | ${mib(last.hwmKiB)} | ${cpu.toFixed(0)} | ${last.versionsStored} | ${cells.join(' | ')} | ${errors} |`);
  }
  const idleLast = idle.at(-1);
  if (idleLast) {
    rows.push(`| idle ${options.idleSeconds} s | ${mib(idleLast.rssKiB)} | ${mib(idleLast.hwmKiB)} | ${(sum(idle, (s) => s.cpuPercent) / idle.length).toFixed(0)} | ${idleLast.versionsStored} | ${activeKinds.map(() => '').join(' | ')} | |`);
  }

  const totals = activeKinds.map((kind) => {
    const all = latencies.flatMap((bucket) => bucket?.[kind] ?? []).sort((a, b) => a - b);
    const errors = sum(samples, (s) => s.errors[kind]);
    return `| ${KIND_LABEL[kind]} | ${all.length} | ${(all.length / input.loadSeconds).toFixed(0)} | ${ms(percentile(all, 0.5))} | ${ms(percentile(all, 0.99))} | ${ms(all.at(-1) ?? Number.NaN)} | ${errors} |`;
  });

  // Verdict: the RSS slope over the last third of the load against the first third.
  const firstThird = load.slice(0, Math.ceil(load.length / 3));
  const lastThird = load.slice(Math.floor((2 * load.length) / 3));
  const firstSlope = slopeMiBPerMinute(firstThird);
  const lastSlope = slopeMiBPerMinute(lastThird);
  const loadLast = load.at(-1);
  const levels = lastSlope < LEVEL_MIB_PER_MINUTE;
  const versionsInLastThird = (lastThird.at(-1)?.versionsStored ?? 0) - (lastThird[0]?.versionsStored ?? 0);
  const lastThirdMinutes = ((lastThird.at(-1)?.t ?? 0) - (lastThird[0]?.t ?? 0)) / 60;
  const verdict = [
    `RSS grew ${firstSlope.toFixed(1)} MiB/min over the first third of the load and ${lastSlope.toFixed(1)} MiB/min over the last third`,
    lastThirdMinutes > 0 ? ` (${((lastSlope * lastThirdMinutes * 1000) / Math.max(1, versionsInLastThird)).toFixed(1)} MiB per 1000 new versions there)` : '',
    levels ? `: **it levels off** (under ${LEVEL_MIB_PER_MINUTE} MiB/min).` : `: **it does not level off** (${LEVEL_MIB_PER_MINUTE} MiB/min or more).`,
    input.loadSeconds < 170 ? ' Runs under 3 minutes are too short for this verdict to mean much.' : '',
  ].join('');
  const idleLine =
    loadLast && idleLast
      ? `After ${options.idleSeconds} s idle (connections closed) RSS is ${mib(idleLast.rssKiB)} MiB, ${((idleLast.rssKiB - loadLast.rssKiB) / 1024).toFixed(1)} MiB against the end of the load; ` +
        `peak (VmHWM) ${mib(idleLast.hwmKiB)} MiB; anonymous ${mib(idleLast.anonKiB)} MiB, file-backed ${mib(idleLast.fileKiB)} MiB, shared ${mib(idleLast.shmemKiB)} MiB.`
      : '';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const mixText = activeKinds.map((kind) => `${KIND_LABEL[kind]} ${options.mix[kind]}`).join(', ');
  const lines = [
    '## Soak',
    '',
    `Run with \`npm run soak -- --minutes ${options.minutes} --concurrency ${options.concurrency}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ` +
      `${(totalmem() / 1024 ** 3).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}.`,
    `The server runs as a child process (\`node ${options.nodeArgs.length > 0 ? `${options.nodeArgs.join(' ')} ` : ''}bin/pallet.js serve --log-level ${options.logLevel}\`${options.bin ? `, entry \`${options.bin}\`` : ''}) on loopback;`,
    `the bench process, on the same machine, keeps ${options.concurrency} keep-alive connections busy with a weighted mix (${mixText}).`,
    `Pushes are new versions (2 KB packages, a new id every ~${PUSHES_PER_NEW_ID} pushes); reads ask for random stored versions; searches use random words and ids,`,
    `prerelease on or off. Seeded first with ${options.seedIds} ids × 2 versions (${input.seedSeconds.toFixed(1)} s). RSS is the server's VmRSS from /proc every ${options.sampleSeconds} s;`,
    `right after start it was ${mib(startupMemory.rssKiB)} MiB. Each operation cell is \`count · p50/p99 ms\` for that minute.`,
    '',
    `| Minute | RSS MiB | Peak MiB | Server CPU % | Versions | ${activeKinds.map((kind) => KIND_LABEL[kind]).join(' | ')} | Errors |`,
    `|---|---:|---:|---:|---:|${activeKinds.map(() => '---:|').join('')}---:|`,
    ...rows,
    '',
    '| Operation | Requests | Requests/s | p50 ms | p99 ms | max ms | Errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...totals,
    '',
    `${verdict} ${idleLine}`,
    ...(input.firstErrors.length > 0 ? ['', 'First errors:', '', ...input.firstErrors.map((e) => `- \`${e.replace(/`/g, "'").slice(0, 300)}\``)] : []),
    '',
    `Database at the end: ${(load.at(-1)?.dbBytes ?? 0) / 2 ** 20 > 0 ? ((load.at(-1)?.dbBytes ?? 0) / 2 ** 20).toFixed(1) : '?'} MiB, WAL ${((load.at(-1)?.walBytes ?? 0) / 2 ** 20).toFixed(1)} MiB; ` +
      `${workload.packages.length} ids, ${workload.versionsStored} versions.`,
    '',
  ];
  return lines.join('\n');
}

await main();
