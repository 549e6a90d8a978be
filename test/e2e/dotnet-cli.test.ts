/**
 * End-to-end: the real `dotnet` CLI against a real Pallet server process.
 *
 * Walks, in order: pack + push (with dependencies between packages, build
 * metadata and a SemVer 2.0.0 pre-release), duplicate / auth failures, restore
 * and build of a consumer, `dotnet add package` latest-version selection,
 * `dotnet package search`, `dotnet list package --outdated`, unlist with
 * `dotnet nuget delete`, relist over HTTP, and the package size limit.
 *
 * Every command that could be answered from a NuGet HTTP cache runs in a fresh
 * sandbox (own global packages folder and HTTP cache) or with --no-http-cache.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type RunResult, type Sandbox } from '../support/dotnet.ts';

const API_KEY = 'e2e-full-rights-key-0123456789';
const CORE = 'Pallet.E2E.Core';
const UTILS = 'Pallet.E2E.Utils';
const APP = 'Pallet.E2E.App';
const STEP = { timeout: 10 * 60_000 };

const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

function output(result: RunResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

function assertSucceeded(result: RunResult, args: string[]): void {
  assert.equal(result.code, 0, describeRun(args, result, '(sandbox)'));
}

function assertFailedWith(result: RunResult, args: string[], pattern: RegExp): void {
  assert.notEqual(result.code, 0, `expected failure:\n${describeRun(args, result, '(sandbox)')}`);
  assert.match(output(result), pattern, describeRun(args, result, '(sandbox)'));
}

interface SearchPackage {
  id: string;
  latestVersion?: string;
  version?: string;
}

/** `dotnet package search ... --format json`, flattened to the packages of every source. */
async function search(sandbox: Sandbox, source: string, args: string[]): Promise<SearchPackage[]> {
  const fullArgs = ['package', 'search', ...args, '--source', source, '--configfile', sandbox.configPath, '--format', 'json'];
  const result = await sandbox.run(fullArgs);
  const start = result.stdout.indexOf('{');
  assert.ok(start >= 0, `no JSON in output:\n${describeRun(fullArgs, result, sandbox.dir)}`);
  const parsed = JSON.parse(result.stdout.slice(start)) as {
    problems?: { text: string; problemType: string }[];
    searchResult?: { sourceName: string; packages?: SearchPackage[]; problems?: unknown[] }[];
  };
  const problems = [...(parsed.problems ?? []), ...(parsed.searchResult ?? []).flatMap((s) => s.problems ?? [])];
  assert.deepEqual(problems, [], `search reported problems:\n${result.stdout}`);
  return (parsed.searchResult ?? []).flatMap((s) => s.packages ?? []);
}

function byId(packages: SearchPackage[]): Map<string, SearchPackage> {
  return new Map(packages.map((p) => [p.id, p]));
}

/** Version written into the csproj by `dotnet add package`. */
async function referencedVersion(projectDir: string, name: string, id: string): Promise<string | undefined> {
  const csproj = await readFile(join(projectDir, `${name}.csproj`), 'utf8');
  const escaped = id.replace(/\./g, '\\.');
  const match =
    new RegExp(`<PackageReference\\s+Include="${escaped}"\\s+Version="([^"]+)"`, 'i').exec(csproj) ??
    new RegExp(`<PackageReference\\s+Include="${escaped}"[^>]*>\\s*<Version>([^<]+)</Version>`, 'i').exec(csproj);
  return match?.[1];
}

describe('dotnet CLI against Pallet', { skip: !dotnetAvailable && 'dotnet is not installed', timeout: 60 * 60_000 }, () => {
  let server: PalletServer;
  let publisher: Sandbox;
  const sandboxes: Sandbox[] = [];
  const nupkgs = new Map<string, string>();

  /** A new sandbox whose caches no other step has touched. */
  const freshSandbox = async (): Promise<Sandbox> => {
    const sandbox = await createDotnetSandbox(server.serviceIndexUrl);
    sandboxes.push(sandbox);
    return sandbox;
  };

  const pushArgs = (nupkg: string, extra: string[] = [], key: string | null = API_KEY): string[] => [
    'nuget',
    'push',
    nupkg,
    '-s',
    server.serviceIndexUrl,
    ...(key === null ? [] : ['-k', key]),
    ...extra,
  ];

  const push = async (nupkg: string, extra: string[] = [], key: string | null = API_KEY): Promise<RunResult> => {
    const args = pushArgs(nupkg, extra, key);
    return publisher.run(args, { allowFailure: true });
  };

  const packAndPush = async (
    key: string,
    options: Parameters<Sandbox['packLibrary']>[0],
  ): Promise<string> => {
    const nupkg = await publisher.packLibrary(options);
    nupkgs.set(key, nupkg);
    const result = await push(nupkg);
    assertSucceeded(result, pushArgs(nupkg));
    assert.match(output(result), /Your package was pushed/i);
    return nupkg;
  };

  /** Fresh sandbox + empty consumer + `dotnet add package <id>`; returns the version written to the csproj. */
  const addPackageInFreshSandbox = async (id: string, extra: string[] = []): Promise<string | undefined> => {
    const sandbox = await freshSandbox();
    const name = 'AddConsumer';
    const projectDir = await sandbox.createConsumer(name);
    const args = ['add', 'package', id, ...extra];
    await sandbox.run(args, { cwd: projectDir });
    return referencedVersion(projectDir, name, id);
  };

  const publishUrl = async (): Promise<string> => {
    const response = await fetch(server.serviceIndexUrl);
    assert.equal(response.status, 200);
    const index = (await response.json()) as { resources: { '@id': string; '@type': string }[] };
    const resource = index.resources.find((r) => r['@type'] === 'PackagePublish/2.0.0');
    assert.ok(resource, `no PackagePublish/2.0.0 in ${JSON.stringify(index)}`);
    return resource['@id'].replace(/\/+$/, '');
  };

  before(async () => {
    server = await startPallet({ apiKey: API_KEY });
    publisher = await createDotnetSandbox(server.serviceIndexUrl);
    sandboxes.push(publisher);
  });

  afterEach(() => {
    const status = server?.exitStatus();
    if (status) {
      throw new Error(
        `the Pallet server process ended during the test (code ${status.code}, signal ${status.signal}):\n` +
          server.logs().slice(-20_000),
      );
    }
  });

  after(async () => {
    for (const sandbox of sandboxes) await sandbox.remove();
    if (server) {
      await server.stop();
    }
  });

  it('packs and pushes Pallet.E2E.Core 1.0.0', STEP, async () => {
    await packAndPush('core-1.0.0', {
      id: CORE,
      version: '1.0.0',
      description: 'Core library for the Pallet end-to-end test.',
      tags: ['pallet', 'e2e', 'core'],
    });
  });

  it('rejects a duplicate push with 409 and accepts it with --skip-duplicate', STEP, async () => {
    const nupkg = nupkgs.get('core-1.0.0');
    assert.ok(nupkg);
    const duplicate = await push(nupkg);
    assertFailedWith(duplicate, pushArgs(nupkg), /status code does not indicate success: 409\b/);

    const skipped = await push(nupkg, ['--skip-duplicate']);
    assertSucceeded(skipped, pushArgs(nupkg, ['--skip-duplicate']));
    assert.match(output(skipped), /already exists at feed/i);
  });

  it('packs Core 1.1.0 and refuses it with a wrong key (403) and without a key (401)', STEP, async () => {
    const nupkg = await publisher.packLibrary({
      id: CORE,
      version: '1.1.0',
      description: 'Core library for the Pallet end-to-end test.',
      tags: ['pallet', 'e2e', 'core'],
    });
    nupkgs.set('core-1.1.0', nupkg);

    const wrongKey = await push(nupkg, [], 'not-the-right-key');
    assertFailedWith(wrongKey, pushArgs(nupkg, [], 'not-the-right-key'), /status code does not indicate success: 403\b/);

    const noKey = await push(nupkg, [], null);
    assertFailedWith(noKey, pushArgs(nupkg, [], null), /status code does not indicate success: 401\b/);
  });

  it('pushes Core 1.1.0 and 2.0.0-beta.1 (SemVer 2.0.0 pre-release)', STEP, async () => {
    const nupkg = nupkgs.get('core-1.1.0');
    assert.ok(nupkg);
    const result = await push(nupkg);
    assertSucceeded(result, pushArgs(nupkg));

    await packAndPush('core-2.0.0-beta.1', {
      id: CORE,
      version: '2.0.0-beta.1',
      description: 'Core library for the Pallet end-to-end test (pre-release).',
      tags: ['pallet', 'e2e', 'core'],
    });
  });

  it('packs Utils 1.0.0+build.7 against Core restored from Pallet, and pushes it', STEP, async () => {
    await packAndPush('utils', {
      id: UTILS,
      version: '1.0.0+build.7',
      description: 'Utilities for the Pallet end-to-end test.',
      tags: ['pallet', 'e2e', 'utils'],
      dependencies: [{ id: CORE, version: '1.0.0' }],
    });
  });

  it('packs App 1.0.0 against Utils restored from Pallet, and pushes it', STEP, async () => {
    await packAndPush('app', {
      id: APP,
      version: '1.0.0',
      description: 'Application library for the Pallet end-to-end test.',
      tags: ['pallet', 'e2e', 'app'],
      dependencies: [{ id: UTILS, version: '1.0.0' }],
    });
  });

  it('restores and builds a consumer of App with Utils and Core as transitive packages', STEP, async () => {
    const sandbox = await freshSandbox();
    const name = 'AppConsumer';
    const projectDir = await sandbox.createConsumer(name, 'net10.0', [{ id: APP, version: '1.0.0' }]);
    // Call into the restored assemblies so the build proves the dlls came through intact.
    await writeFile(
      join(projectDir, 'Consumer.cs'),
      'namespace AppConsumer;\n\npublic static class Consumer\n{\n' +
        '    public static string All() =>\n' +
        '        Pallet.E2E.App.Library.Describe() + Pallet.E2E.Utils.Library.Describe() + Pallet.E2E.Core.Library.Describe();\n' +
        '}\n',
    );
    await sandbox.run(['restore', '--configfile', sandbox.configPath, '--no-http-cache'], { cwd: projectDir });
    const assets = JSON.parse(await readFile(join(projectDir, 'obj', 'project.assets.json'), 'utf8')) as {
      libraries: Record<string, { type: string }>;
    };
    const libraries = Object.keys(assets.libraries);
    assert.ok(libraries.includes(`${APP}/1.0.0`), libraries.join(', '));
    assert.ok(
      libraries.some((l) => /^Pallet\.E2E\.Utils\/1\.0\.0(\+build\.7)?$/.test(l)),
      libraries.join(', '),
    );
    assert.ok(libraries.includes(`${CORE}/1.0.0`), libraries.join(', '));

    await sandbox.run(['build', '--no-restore', '-nodeReuse:false'], { cwd: projectDir });
    const dll = await stat(join(projectDir, 'bin', 'Debug', 'net10.0', `${name}.dll`));
    assert.ok(dll.size > 0);
  });

  it('dotnet add package picks the latest stable version, or the pre-release with --prerelease', STEP, async () => {
    assert.equal(await addPackageInFreshSandbox(CORE), '1.1.0');
    assert.equal(await addPackageInFreshSandbox(CORE, ['--prerelease']), '2.0.0-beta.1');
  });

  it('dotnet package search: plain, --prerelease, --exact-match, --take/--skip', STEP, async () => {
    const sandbox = await freshSandbox();
    const source = server.serviceIndexUrl;

    const plain = byId(await search(sandbox, source, ['Pallet.E2E']));
    assert.deepEqual([...plain.keys()].sort(), [APP, CORE, UTILS]);
    assert.equal(plain.get(CORE)?.latestVersion, '1.1.0');
    assert.match(plain.get(UTILS)?.latestVersion ?? '', /^1\.0\.0(\+build\.7)?$/);
    assert.equal(plain.get(APP)?.latestVersion, '1.0.0');

    const prerelease = byId(await search(sandbox, source, ['Pallet.E2E', '--prerelease']));
    assert.deepEqual([...prerelease.keys()].sort(), [APP, CORE, UTILS]);
    assert.equal(prerelease.get(CORE)?.latestVersion, '2.0.0-beta.1');

    const exact = await search(sandbox, source, [CORE, '--exact-match']);
    assert.ok(exact.length > 0, 'exact match found nothing');
    assert.ok(exact.every((p) => p.id === CORE), JSON.stringify(exact));
    assert.deepEqual(exact.map((p) => p.version).sort(), ['1.0.0', '1.1.0']);

    const exactPre = await search(sandbox, source, [CORE, '--exact-match', '--prerelease']);
    assert.deepEqual(exactPre.map((p) => p.version).sort(), ['1.0.0', '1.1.0', '2.0.0-beta.1']);

    const noExact = await search(sandbox, source, ['Pallet.E2E', '--exact-match']);
    assert.deepEqual(noExact, []);

    const first = await search(sandbox, source, ['Pallet.E2E', '--take', '1', '--skip', '0']);
    const second = await search(sandbox, source, ['Pallet.E2E', '--take', '1', '--skip', '1']);
    const third = await search(sandbox, source, ['Pallet.E2E', '--take', '1', '--skip', '2']);
    const beyond = await search(sandbox, source, ['Pallet.E2E', '--take', '1', '--skip', '3']);
    assert.equal(first.length, 1, JSON.stringify(first));
    assert.equal(second.length, 1, JSON.stringify(second));
    assert.equal(third.length, 1, JSON.stringify(third));
    assert.equal(beyond.length, 0, JSON.stringify(beyond));
    assert.deepEqual([first[0]?.id, second[0]?.id, third[0]?.id].sort(), [APP, CORE, UTILS]);

    const two = await search(sandbox, source, ['Pallet.E2E', '--take', '2']);
    assert.equal(two.length, 2, JSON.stringify(two));

    const nothing = await search(sandbox, source, ['No.Such.Package.Anywhere']);
    assert.deepEqual(nothing, []);
  });

  it('dotnet list package --outdated reports Core 1.1.0 as latest', STEP, async () => {
    const sandbox = await freshSandbox();
    const name = 'OutdatedConsumer';
    const projectDir = await sandbox.createConsumer(name, 'net10.0', [{ id: CORE, version: '1.0.0' }]);
    await sandbox.run(['restore', '--configfile', sandbox.configPath, '--no-http-cache'], { cwd: projectDir });
    const args = ['list', 'package', '--outdated', '--configfile', sandbox.configPath, '--format', 'json'];
    const result = await sandbox.run(args, { cwd: projectDir });
    const start = result.stdout.indexOf('{');
    assert.ok(start >= 0, describeRun(args, result, projectDir));
    const report = JSON.parse(result.stdout.slice(start)) as {
      problems?: unknown[];
      projects: {
        frameworks?: {
          topLevelPackages?: { id: string; requestedVersion: string; resolvedVersion: string; latestVersion: string }[];
        }[];
      }[];
    };
    const packages = report.projects.flatMap((p) => p.frameworks ?? []).flatMap((f) => f.topLevelPackages ?? []);
    const core = packages.find((p) => p.id === CORE);
    assert.ok(core, result.stdout);
    assert.equal(core.resolvedVersion, '1.0.0');
    assert.equal(core.latestVersion, '1.1.0', result.stdout);

    const pre = await sandbox.run([...args, '--include-prerelease'], { cwd: projectDir });
    assert.match(pre.stdout, /"latestVersion":\s*"2\.0\.0-beta\.1"/);
  });

  it('dotnet nuget delete unlists Core 1.1.0: hidden from search and add, still restorable when pinned', STEP, async () => {
    const args = ['nuget', 'delete', CORE, '1.1.0', '-s', server.serviceIndexUrl, '-k', API_KEY, '--non-interactive'];
    const deleted = await publisher.run(args, { allowFailure: true });
    assertSucceeded(deleted, args);

    const sandbox = await freshSandbox();
    const found = byId(await search(sandbox, server.serviceIndexUrl, ['Pallet.E2E']));
    assert.equal(found.get(CORE)?.latestVersion, '1.0.0', JSON.stringify([...found.values()]));
    const exact = await search(sandbox, server.serviceIndexUrl, [CORE, '--exact-match']);
    assert.deepEqual(
      exact.map((p) => p.version),
      ['1.0.0'],
    );

    assert.equal(await addPackageInFreshSandbox(CORE), '1.0.0');

    const pinned = await freshSandbox();
    const name = 'PinnedConsumer';
    const projectDir = await pinned.createConsumer(name, 'net10.0', [{ id: CORE, version: '[1.1.0]' }]);
    await pinned.run(['restore', '--configfile', pinned.configPath, '--no-http-cache'], { cwd: projectDir });
    const assets = await readFile(join(projectDir, 'obj', 'project.assets.json'), 'utf8');
    assert.ok(assets.includes(`"${CORE}/1.1.0"`), 'pinned unlisted version not restored');
  });

  it('relisting over HTTP (POST to PackagePublish) makes Core 1.1.0 the latest again', STEP, async () => {
    const base = await publishUrl();
    const response = await fetch(`${base}/${CORE}/1.1.0`, {
      method: 'POST',
      headers: { 'X-NuGet-ApiKey': API_KEY },
    });
    assert.ok(response.ok, `relist answered ${response.status}: ${await response.text()}`);

    assert.equal(await addPackageInFreshSandbox(CORE), '1.1.0');
    const sandbox = await freshSandbox();
    const found = byId(await search(sandbox, server.serviceIndexUrl, ['Pallet.E2E']));
    assert.equal(found.get(CORE)?.latestVersion, '1.1.0');
  });

  it('a server with a small PALLET_MAX_PACKAGE_SIZE rejects a larger package with 413', STEP, async () => {
    const nupkg = nupkgs.get('core-1.0.0');
    assert.ok(nupkg);
    const size = (await stat(nupkg)).size;
    const small = await startPallet({ apiKey: API_KEY, maxPackageSize: Math.floor(size / 2) });
    try {
      const sandbox = await createDotnetSandbox(small.serviceIndexUrl);
      sandboxes.push(sandbox);
      const args = ['nuget', 'push', nupkg, '-s', small.serviceIndexUrl, '-k', API_KEY];
      const result = await sandbox.run(args, { allowFailure: true });
      assertFailedWith(result, args, /status code does not indicate success: 413\b/);

      const index = await fetch(small.serviceIndexUrl);
      assert.equal(index.status, 200, 'server still answers after rejecting the upload');
    } finally {
      await small.stop();
    }
  });
  it('logged every push as a structured event and never wrote an API key', STEP, async () => {
    const logs = server.logs();
    assert.ok(!logs.includes(API_KEY), 'the configured API key appears in the server log');
    assert.ok(!logs.includes('not-the-right-key'), 'a presented (wrong) API key appears in the server log');
    const pushed = server
      .logRecords()
      .filter((record) => record.msg === 'package pushed')
      .map((record) => `${String(record.id)} ${String(record.version)}`);
    assert.ok(pushed.includes(`${CORE} 1.0.0`), `push events: ${pushed.join(', ')}`);
  });
});
