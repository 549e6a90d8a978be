/**
 * `npm run bench`: measures push, restore-path reads and search against a server started in-process on
 * loopback, then writes docs/benchmarks.md with the machine and date. Every loop is bounded in count.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem, tmpdir, platform, release } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import { buildApp } from '../src/app.ts';
import { buildNupkg } from '../test/support/nupkg-builder.ts';

const PACKAGES = 200;
const VERSIONS_PER_PACKAGE = 5;
const READS_PER_ENDPOINT = 4000;
const CONCURRENCY = 16;
const API_KEY = 'bench-key-0123456789';

interface Measurement {
  readonly name: string;
  readonly requests: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

async function measure(name: string, count: number, concurrency: number, request: (index: number) => Promise<void>): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const begin = performance.now();
        await request(index);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? 0;
  return { name, requests: count, seconds, p50Ms: at(0.5), p95Ms: at(0.95) };
}

async function expectOk(response: Response, what: string): Promise<void> {
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${response.statusText}`);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-bench-'));
  const app = await buildApp(loadConfig({ flags: { dataDir, host: '127.0.0.1', port: '0', apiKey: API_KEY, logLevel: 'silent' }, env: {} }));
  try {
    const { port } = await app.listen();
    const base = `http://127.0.0.1:${port}`;
    const ids = Array.from({ length: PACKAGES }, (_, index) => `Bench.Package${index}`);
    const packages = ids.flatMap((id) =>
      Array.from({ length: VERSIONS_PER_PACKAGE }, (_, minor) =>
        buildNupkg({ id, version: `1.${minor}.0`, description: `Benchmark package ${id}`, tags: ['bench', 'pallet'] }),
      ),
    );

    const results: Measurement[] = [];
    results.push(
      await measure('push (multipart, 2 KB packages)', packages.length, 4, async (index) => {
        const form = new FormData();
        form.append('package', new Blob([packages[index] as Buffer]), 'package.nupkg');
        await expectOk(await fetch(`${base}/api/v2/package/`, { method: 'PUT', headers: { 'X-NuGet-ApiKey': API_KEY }, body: form }), 'push');
      }),
    );
    const idAt = (index: number) => (ids[index % ids.length] as string).toLowerCase();
    results.push(await measure('flat container versions (index.json)', READS_PER_ENDPOINT, CONCURRENCY, async (index) =>
      expectOk(await fetch(`${base}/v3/package/${idAt(index)}/index.json`), 'versions')));
    results.push(await measure('flat container .nupkg download', READS_PER_ENDPOINT, CONCURRENCY, async (index) =>
      expectOk(await fetch(`${base}/v3/package/${idAt(index)}/1.4.0/${idAt(index)}.1.4.0.nupkg`), 'download')));
    results.push(await measure('registration index (gzip hive)', READS_PER_ENDPOINT, CONCURRENCY, async (index) =>
      expectOk(await fetch(`${base}/v3/registration-gz-semver2/${idAt(index)}/index.json`), 'registration')));
    results.push(await measure('search (q=package, take=20)', READS_PER_ENDPOINT / 4, CONCURRENCY, async () =>
      expectOk(await fetch(`${base}/v3/search?q=package&take=20&semVerLevel=2.0.0`), 'search')));
    results.push(await measure('search (exact id)', READS_PER_ENDPOINT / 4, CONCURRENCY, async (index) =>
      expectOk(await fetch(`${base}/v3/search?q=${idAt(index)}&semVerLevel=2.0.0`), 'search')));
    const rssMiB = process.memoryUsage().rss / 1024 / 1024;

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      '# Benchmarks',
      '',
      `Run with \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB,`,
      `${platform()} ${release()}, Node ${process.version}. Server in-process on loopback with SQLite and a local blob folder;`,
      `${PACKAGES} ids × ${VERSIONS_PER_PACKAGE} versions; reads at concurrency ${CONCURRENCY} (push at 4). The client shares the process, so`,
      'these numbers are a floor for the server alone.',
      '',
      '| Operation | Requests | Requests/s | p50 ms | p95 ms |',
      '|---|---:|---:|---:|---:|',
      ...results.map((r) => `| ${r.name} | ${r.requests} | ${(r.requests / r.seconds).toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} |`),
      '',
      `Resident memory after the run: ${rssMiB.toFixed(0)} MiB.`,
      '',
    ];
    // The soak's section (npm run soak) is kept: this run rewrites only its own part of the file.
    const file = path.join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
    const previous = await readFile(file, 'utf8').catch(() => '');
    const soak = /^## Soak\b[\s\S]*$/m.exec(previous)?.[0];
    await writeFile(file, soak ? `${lines.join('\n')}\n${soak}` : lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
