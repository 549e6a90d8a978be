/**
 * `npm run bench`: the performance targets, measured as ratios in one run on this machine.
 *
 *   npm run bench                      # the full run (about 15 minutes), results to docs/benchmarks.md
 *   npm run bench -- --ids 10000       # a smaller feed
 *   npm run bench -- --seconds 2 --rounds 1 --no-write   # a quick look, markdown on stdout only
 *
 * Needs `wrk` and `nginx` (Debian: `apt-get install -y wrk nginx-light`). It generates a feed (bench/feed),
 * starts the real server on it as a child process, copies the exact bytes it serves for the restore path
 * into a folder nginx serves, and drives both with wrk, interleaved, over several rounds; then measures
 * search (each typical query alone, and restores while four clients search), pushes on an empty and on the
 * large feed, unlist and relist, memory and start time.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { generateFeed, type GeneratedFeed } from './feed/generate.ts';
import { startSoakServer, type SoakServer } from './soak/server.ts';
import { startNginx } from './load/nginx.ts';
import { preparePaths, runWrk, type WrkResult } from './load/wrk.ts';
import { rawGet } from './load/raw-get.ts';
import { memoryOf, sampleMemory, type Memory } from './load/process-memory.ts';
import { measureStarts } from './load/start-time.ts';
import { buildNupkg } from '../test/support/nupkg-builder.ts';
import { GRAPH_SIZE, measureGraphRestore } from './restore/dependency-graph.ts';
import { multipartBody } from '../test/support/multipart-body.ts';

const API_KEY = 'bench-key-0123456789';
const BIN = path.join(import.meta.dirname, '..', 'bin', 'pallet.js');
const NODE_ARGS = ['--max-semi-space-size=16'];

const { values: args } = parseArgs({
  options: {
    ids: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    pushes: { type: 'string', default: '1000' },
    'restore-rounds': { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const IDS = Number(args.ids);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const PUSHES = Number(args.pushes);
const RESTORE_ROUNDS = Number(args['restore-rounds']);
const CONNECTIONS = [32, 128] as const;
const WARM_UP_SECONDS = 3;
const START_RUNS = 5;

interface PathKind {
  readonly name: string;
  readonly paths: string[];
}

function shown(memory: Memory): string {
  return `${memory.rssMiB.toFixed(0)} MiB (PSS ${memory.pssMiB.toFixed(0)} MiB)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function startPallet(dataDir: string, logLevel = 'warn'): Promise<SoakServer> {
  return startSoakServer({ bin: BIN, apiKey: API_KEY, logLevel, nodeArgs: NODE_ARGS, dataDir, startTimeoutMs: 120_000 });
}

function starts(dataDir: string): Promise<{ firstMs: number; startsMs: number[] }> {
  return measureStarts({ bin: BIN, nodeArgs: NODE_ARGS, dataDir, apiKey: API_KEY, timeoutMs: 120_000 }, START_RUNS);
}

function shownStarts(measured: { firstMs: number; startsMs: number[] }): string {
  return `median ${median(measured.startsMs).toFixed(0)} ms (${Math.min(...measured.startsMs).toFixed(0)}–${Math.max(...measured.startsMs).toFixed(0)} over ${measured.startsMs.length} starts; the first start of the run ${measured.firstMs.toFixed(0)} ms)`;
}

/** The restore-path URLs of the read sample, copied byte for byte (gzip as sent) into nginx's folder. */
async function exportStatic(baseUrl: string, feed: GeneratedFeed, root: string): Promise<PathKind[]> {
  const kinds: PathKind[] = [
    { name: 'flat-container index.json', paths: feed.sample.map((item) => `/v3/package/${item.idLower}/index.json`) },
    {
      name: '.nupkg download',
      paths: feed.sample.flatMap((item) => item.versions.map((version) => `/v3/package/${item.idLower}/${version}/${item.idLower}.${version}.nupkg`)),
    },
    { name: 'registration index (gzip)', paths: feed.sample.map((item) => `/v3/registration-gz-semver2/${item.idLower}/index.json`) },
    { name: 'registration page (gzip)', paths: [] },
  ];
  for (const idLower of feed.large) {
    const index = JSON.parse((await (await fetch(`${baseUrl}/v3/registration-gz-semver2/${idLower}/index.json`)).text()) as string) as { items: { '@id': string }[] };
    kinds[3]?.paths.push(...index.items.map((page) => new URL(page['@id']).pathname));
  }
  for (const kind of kinds) {
    for (const urlPath of kind.paths) {
      const { status, body } = await rawGet(`${baseUrl}${urlPath}`, { 'accept-encoding': 'gzip' });
      if (status !== 200) throw new Error(`${urlPath}: ${status}`);
      const file = path.join(root, urlPath);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, body);
    }
  }
  return kinds;
}

interface RestoreRow {
  readonly kind: string;
  readonly connections: number;
  readonly nginx: WrkResult[];
  readonly pallet: WrkResult[];
}

async function pushAll(baseUrl: string, packages: readonly Buffer[], concurrency: number): Promise<{ perSecond: number; failures: number }> {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < packages.length) {
        const body = multipartBody(packages[next++] as Buffer);
        const response = await fetch(`${baseUrl}/api/v2/package/`, {
          method: 'PUT',
          headers: { 'x-nuget-apikey': API_KEY, 'content-type': body.contentType },
          body: body.payload,
        });
        await response.arrayBuffer();
        if (response.status !== 201) failures += 1;
      }
    }),
  );
  return { perSecond: packages.length / ((performance.now() - started) / 1000), failures };
}

async function listingMs(baseUrl: string, ids: readonly { id: string; version: string }[]): Promise<{ unlistMs: number; relistMs: number }> {
  const timed = async (method: string) => {
    const started = performance.now();
    for (const { id, version } of ids) {
      const response = await fetch(`${baseUrl}/api/v2/package/${id}/${version}`, { method, headers: { 'x-nuget-apikey': API_KEY } });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${method} ${id} ${version}: ${response.status}`);
    }
    return (performance.now() - started) / ids.length;
  };
  return { unlistMs: await timed('DELETE'), relistMs: await timed('POST') };
}

function pushPackages(prefix: string, count: number): Buffer[] {
  return Array.from({ length: count }, (_, index) =>
    buildNupkg({ id: `${prefix}.Push${index}`, version: '1.0.0', description: `Pushed by the benchmark ${index}`, libBytes: randomBytes(100_000) }),
  );
}

async function main(): Promise<void> {
  if (platform() !== 'linux') throw new Error('npm run bench reads /proc, so it runs on Linux only');
  const work = await mkdtemp(path.join(tmpdir(), 'pallet-bench-'));
  const lines: string[] = [];
  const log = (text: string) => process.stdout.write(`${text}\n`);
  try {
    // The feed: IDS ids (one version each), 5 ids with 200 versions (paged registrations), 300 ids with real 110 KB packages.
    const dataDir = path.join(work, 'data');
    log(`generating ${IDS} ids …`);
    const feed = await generateFeed(dataDir, { ids: IDS, versionsPerId: 1, largeIds: { count: 5, versions: 200 }, sampleIds: 300, packageBytes: 110_000 });
    log(`generated ${feed.versions} versions in ${feed.seconds.toFixed(0)} s`);

    const bigStarts = await starts(dataDir);
    log(`start on the large feed: ${shownStarts(bigStarts)}`);
    const server = await startPallet(dataDir);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const restMemory = memoryOf(server.pid);
    const staticRoot = path.join(work, 'static');
    const kinds = await exportStatic(server.baseUrl, feed, staticRoot);
    const nginx = await startNginx(staticRoot, path.join(work, 'nginx'));

    const rows: RestoreRow[] = [];
    for (const kind of kinds) for (const connections of CONNECTIONS) rows.push({ kind: kind.name, connections, nginx: [], pallet: [] });
    const pathFiles = new Map<string, string>();
    for (const [index, kind] of kinds.entries()) pathFiles.set(kind.name, await preparePaths(work, `kind${index}`, kind.paths));

    const readLoad = sampleMemory(server.pid);
    // One untimed pass per path kind and server first: what is measured is serving, not the JIT's first
    // compilations or the first read of each document into each process's memory (start is its own row).
    for (const kind of kinds) {
      for (const baseUrl of [nginx.baseUrl, server.baseUrl]) {
        await runWrk({ baseUrl, pathsFile: pathFiles.get(kind.name) as string, connections: 32, seconds: WARM_UP_SECONDS });
      }
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const row of rows) {
        // Alternate which server goes first, so neither always gets the warmer machine.
        const order = round % 2 === 0 ? (['nginx', 'pallet'] as const) : (['pallet', 'nginx'] as const);
        for (const target of order) {
          const baseUrl = target === 'nginx' ? nginx.baseUrl : server.baseUrl;
          const result = await runWrk({ baseUrl, pathsFile: pathFiles.get(row.kind) as string, connections: row.connections, seconds: SECONDS });
          row[target].push(result);
          log(`round ${round + 1} ${row.kind} c${row.connections} ${target}: ${result.requestsPerSecond.toFixed(0)}/s p99 ${result.p99Ms.toFixed(1)} ms${result.errors ? ` errors ${result.errors}` : ''}`);
        }
      }
    }
    const readPeak = readLoad.stop();
    await nginx.stop();

    // Search: each typical query alone (one connection), then restores while four clients search.
    const queries = ['q=json', 'q=', 'q=id:json', 'q=tags:logging', 'q=contoso.json'].flatMap((query) =>
      ['true', 'false'].map((prerelease) => `/v3/search?${query}&prerelease=${prerelease}&semVerLevel=2.0.0&take=20`),
    );
    queries.push('/v3/autocomplete?q=json&prerelease=true&semVerLevel=2.0.0', '/v3/autocomplete?q=&prerelease=true&semVerLevel=2.0.0');
    // Untimed first, each query on 8 new connections, so that every server process gets it: the first query
    // a process sees starts its search thread (a few hundred ms), which a server pays once after start or
    // after 5 idle minutes, not per query; and the kernel hands each connection to one of the processes.
    for (const query of queries) for (let connection = 0; connection < 8; connection += 1) await rawGet(`${server.baseUrl}${query}`);
    const searchRows: { query: string; result: WrkResult }[] = [];
    for (const [index, query] of queries.entries()) {
      const result = await runWrk({ baseUrl: server.baseUrl, pathsFile: await preparePaths(work, `query${index}`, [query]), connections: 1, seconds: SECONDS });
      searchRows.push({ query, result });
      log(`search ${query}: p50 ${result.p50Ms.toFixed(1)} p99 ${result.p99Ms.toFixed(1)} ms`);
    }
    const searchMix = await preparePaths(work, 'search-mix', queries);
    const restorePaths = pathFiles.get('flat-container index.json') as string;
    const restoreAlone = await runWrk({ baseUrl: server.baseUrl, pathsFile: restorePaths, connections: 32, seconds: SECONDS });
    const [restoreWithSearch, searchLoad] = await Promise.all([
      runWrk({ baseUrl: server.baseUrl, pathsFile: restorePaths, connections: 32, seconds: SECONDS }),
      runWrk({ baseUrl: server.baseUrl, pathsFile: searchMix, connections: 4, seconds: SECONDS + 1 }),
    ]);
    log(`restore p99 alone ${restoreAlone.p99Ms.toFixed(1)} ms, with 4 searching ${restoreWithSearch.p99Ms.toFixed(1)} ms`);

    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const afterMemory = memoryOf(server.pid);

    // Pushes on the large feed, then unlist and relist there.
    const bigPush = await pushAll(server.baseUrl, pushPackages('Bench.Large', PUSHES), 8);
    const sampleIds = feed.sample.slice(0, 100).map((item) => ({ id: item.idLower, version: item.versions[0] as string }));
    const bigListing = await listingMs(server.baseUrl, sampleIds);
    await server.stop();

    // The same pushes and listing changes on an empty feed.
    const emptyDir = path.join(work, 'empty');
    const emptyStarts = await starts(emptyDir);
    const empty = await startPallet(emptyDir);
    const emptyPackages = pushPackages('Bench.Empty', PUSHES);
    const emptyPush = await pushAll(empty.baseUrl, emptyPackages, 8);
    const emptyListing = await listingMs(empty.baseUrl, Array.from({ length: Math.min(100, PUSHES) }, (_, index) => ({ id: `Bench.Empty.Push${index}`, version: '1.0.0' })));
    log('restoring the dependency graph with dotnet …');
    const restore = await measureGraphRestore({ palletBaseUrl: empty.baseUrl, apiKey: API_KEY, folder: path.join(work, 'folder-feed'), work, rounds: RESTORE_ROUNDS });
    await empty.stop();
    const perRound = (of: readonly number[], against: readonly number[]) => of.map((ms, index) => ms / (against[index] as number));
    const restoreRatios = perRound(restore.pallet, restore.folder);
    const nginxRatios = perRound(restore.nginx, restore.folder);
    const palletToNginx = perRound(restore.pallet, restore.nginx);

    const ratio = (row: RestoreRow, pick: (result: WrkResult) => number) => row.pallet.map((result, index) => pick(result) / pick(row.nginx[index] as WrkResult));
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    lines.push(
      '# Benchmarks',
      '',
      `Run with \`npm run bench -- --ids ${IDS} --seconds ${SECONDS} --rounds ${ROUNDS}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu},`,
      `${(totalmem() / 1024 ** 3).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}. The server runs as a child process`,
      `(\`node ${NODE_ARGS.join(' ')} bin/pallet.js serve --log-level warn\`) on a generated feed of ${feed.versions} versions`,
      `(${IDS} ids with one version, 5 ids with 200, realistic metadata and dependencies; generated in ${feed.seconds.toFixed(0)} s).`,
      'wrk (one thread, keep-alive, `Accept-Encoding: gzip`) drives the server and nginx in turn; nginx (`worker_processes auto`,',
      'sendfile) serves the exact bytes Pallet served, copied to files. The load generator shares the machine\'s two cores.',
      '',
      '## Restore path against nginx',
      '',
      `Each cell is over ${ROUNDS} interleaved rounds of ${SECONDS} s per server, after one untimed pass of ${WARM_UP_SECONDS} s of each path kind on each: Pallet's requests per second as a fraction of nginx's (min / median), and p99 latency in ms.`,
      '',
      '| Path | Connections | nginx req/s (median) | Pallet req/s (median) | Pallet / nginx req/s (min / median) | nginx p99 ms | Pallet p99 ms | Pallet / nginx p99 (median) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((row) => {
        const rps = ratio(row, (result) => result.requestsPerSecond);
        const p99 = ratio(row, (result) => result.p99Ms);
        return `| ${row.kind} | ${row.connections} | ${median(row.nginx.map((result) => result.requestsPerSecond)).toFixed(0)} | ${median(row.pallet.map((result) => result.requestsPerSecond)).toFixed(0)} | ${Math.min(...rps).toFixed(2)} / ${median(rps).toFixed(2)} | ${median(row.nginx.map((result) => result.p99Ms)).toFixed(1)} | ${median(row.pallet.map((result) => result.p99Ms)).toFixed(1)} | ${median(p99).toFixed(2)} |`;
      }),
      '',
      `Errors (non-2xx answers or socket errors): ${rows.reduce((sum, row) => sum + [...row.nginx, ...row.pallet].reduce((total, result) => total + result.errors, 0), 0)}.`,
      '',
      `## Search at ${IDS + 5} ids`,
      '',
      'Each query alone on one keep-alive connection for the run\'s length, after untimed requests of each on 8 connections (the first a process sees starts its search thread):',
      '',
      '| Query | Requests/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|',
      ...searchRows.map(({ query, result }) => `| \`${query}\` | ${result.requestsPerSecond.toFixed(0)} | ${result.p50Ms.toFixed(1)} | ${result.p99Ms.toFixed(1)} |`),
      '',
      `Restores (flat-container index.json, 32 connections) while four clients search non-stop (${searchLoad.requestsPerSecond.toFixed(0)} searches/s):`,
      `p99 ${restoreWithSearch.p99Ms.toFixed(1)} ms against ${restoreAlone.p99Ms.toFixed(1)} ms with no search running (${(restoreWithSearch.p99Ms / restoreAlone.p99Ms).toFixed(2)}×);`,
      `${restoreWithSearch.requestsPerSecond.toFixed(0)} against ${restoreAlone.requestsPerSecond.toFixed(0)} requests/s.`,
      '',
      '## Push, unlist and relist',
      '',
      `${PUSHES} pushes of 100 KB packages (incompressible content) over 8 connections, then 100 unlists and 100 relists one after another:`,
      '',
      '| Feed | Pushes/s | Failed | Unlist ms (mean) | Relist ms (mean) |',
      '|---|---:|---:|---:|---:|',
      `| empty | ${emptyPush.perSecond.toFixed(0)} | ${emptyPush.failures} | ${emptyListing.unlistMs.toFixed(1)} | ${emptyListing.relistMs.toFixed(1)} |`,
      `| ${feed.versions} versions | ${bigPush.perSecond.toFixed(0)} | ${bigPush.failures} | ${bigListing.unlistMs.toFixed(1)} | ${bigListing.relistMs.toFixed(1)} |`,
      '',
      `Push rate on the large feed: ${((bigPush.perSecond / emptyPush.perSecond) * 100).toFixed(0)}% of the empty feed's.`,
      '',
      '## dotnet restore against a local folder feed',
      '',
      `A project referencing the top of a ${GRAPH_SIZE}-package graph (50 to 200 KB packages; each depends on the one below it and up to two more),`,
      `restored with cold caches (a fresh packages folder, HTTP cache and CLI home each time), ${RESTORE_ROUNDS} interleaved rounds after one untimed run of each.`,
      'nginx serves the same feed over HTTP as files (the service index, version lists and packages Pallet answered), so',
      'its row is what NuGet\'s HTTP path costs with next to no server time.',
      'Times are what NuGet reports (`Restored … (in N ms)`):',
      '',
      '| Source | Restore ms (each round) | Median ms |',
      '|---|---|---:|',
      `| local folder feed | ${restore.folder.join(', ')} | ${median(restore.folder).toFixed(0)} |`,
      `| nginx, static copies of Pallet's answers for the graph | ${restore.nginx.join(', ')} | ${median(restore.nginx).toFixed(0)} |`,
      `| Pallet | ${restore.pallet.join(', ')} | ${median(restore.pallet).toFixed(0)} |`,
      '',
      `Per round (min / median): Pallet / folder ${Math.min(...restoreRatios).toFixed(2)} / ${median(restoreRatios).toFixed(2)};`,
      `nginx / folder ${Math.min(...nginxRatios).toFixed(2)} / ${median(nginxRatios).toFixed(2)}; Pallet / nginx ${Math.min(...palletToNginx).toFixed(2)} / ${median(palletToNginx).toFixed(2)}.`,
      '',
      '## Memory and start',
      '',
      `- Start, from spawning the process to the first answered request (polled every 2 ms), on the ${feed.versions}-version feed: ${shownStarts(bigStarts)}. On an empty feed: ${shownStarts(emptyStarts)}.`,
      `- Memory of all server processes, as RSS summed (and PSS summed, each page the processes share counted once): at rest after start ${shown(restMemory)}; peak under the restore-path load ${shown(readPeak)}; 15 s after the search load ${shown(afterMemory)}.`,
      '',
    );
    const text = lines.join('\n');
    process.stdout.write(`\n${text}\n`);
    if (!args['no-write']) {
      // The soak's section (npm run soak) is kept: this run rewrites only its own part of the file.
      const file = path.join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
      const previous = await readFile(file, 'utf8').catch(() => '');
      const soak = /^## Soak\b[\s\S]*$/m.exec(previous)?.[0];
      await writeFile(file, soak ? `${text}\n${soak}` : text);
    }
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 3 });
  }
}

await main();
