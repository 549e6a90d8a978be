/**
 * A Paket 12 sandbox for end-to-end tests: the `paket` .NET tool installed from the machine's NuGet
 * mirror into a temp folder, and a project folder below it (so `dotnet paket` finds the tool manifest)
 * with its own paket.dependencies. Paket's caches (the global packages folder, its metadata cache and
 * HOME) are all inside the sandbox.
 *
 * The tool install must not see a NuGet.config that clears the mirror, so the sandbox gives it a
 * config of its own listing only nuget.org (which this machine serves from its mirror).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PAKET_VERSION = '12.0.0';

export interface PaketResult {
  code: number;
  output: string;
}

export interface PaketSandbox {
  readonly dir: string;
  /** Where paket.dependencies and paket.lock live. */
  readonly projectDir: string;
  /** Runs `dotnet paket ARGS` in the project folder; never throws for a non-zero exit. */
  paket(args: string[], timeoutMs?: number): Promise<PaketResult>;
  writeDependencies(text: string): Promise<void>;
  remove(): Promise<void>;
}

const TOOLS_NUGET_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
`;

export async function createPaketSandbox(): Promise<PaketSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'pallet-paket-'));
  const projectDir = join(dir, 'project');
  const paths = { home: join(dir, 'home'), cliHome: join(dir, 'cli-home'), packages: join(dir, 'packages'), httpCache: join(dir, 'http-cache'), paketCache: join(dir, 'paket-cache') };
  for (const folder of [projectDir, ...Object.values(paths)]) await mkdir(folder, { recursive: true });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(NUGET_|MSBUILD|DOTNET_CLI_HOME$|NuGetCachePath$)/i.test(key)));
  const env: Record<string, string | undefined> = {
    ...inherited,
    HOME: paths.home,
    DOTNET_CLI_HOME: paths.cliHome,
    NUGET_PACKAGES: paths.packages,
    NUGET_HTTP_CACHE_PATH: paths.httpCache,
    NuGetCachePath: paths.paketCache,
    DOTNET_NOLOGO: '1',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  };

  const run = (args: string[], cwd: string, timeoutMs: number): Promise<PaketResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('dotnet', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, output });
      });
    });

  await writeFile(join(dir, 'tools.NuGet.config'), TOOLS_NUGET_CONFIG);
  for (const args of [
    ['new', 'tool-manifest'],
    ['tool', 'install', 'paket', '--version', PAKET_VERSION, '--configfile', join(dir, 'tools.NuGet.config')],
  ]) {
    const result = await run(args, dir, 180_000);
    if (result.code !== 0) throw new Error(`dotnet ${args.join(' ')} failed (${result.code}):\n${result.output}`);
  }

  return {
    dir,
    projectDir,
    paket: (args, timeoutMs = 180_000) => run(['paket', ...args], projectDir, timeoutMs),
    writeDependencies: (text) => writeFile(join(projectDir, 'paket.dependencies'), text),
    remove: () => rm(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}
