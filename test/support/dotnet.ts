/**
 * Isolated `dotnet` CLI sandboxes for end-to-end tests.
 *
 * Every sandbox has its own NuGet.config (only the given source), global
 * packages folder, HTTP cache, CLI home and HOME, so no test ever sees another
 * test's (or the machine's) caches. Projects are created under the sandbox so
 * that commands that cannot take `--configfile` (`dotnet add package`) still
 * find the sandbox's NuGet.config by walking up from the project directory.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeXml } from './nupkg-builder.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Resolve instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /** Kill the command after this many ms; default 300 000. */
  timeoutMs?: number;
}

export interface PackageRef {
  id: string;
  version: string;
}

export interface PackLibraryOptions {
  id: string;
  version: string;
  dependencies?: PackageRef[];
  description?: string;
  tags?: string | string[];
  authors?: string;
  /** Extra MSBuild properties written into the csproj. */
  properties?: Record<string, string>;
}

export interface Sandbox {
  dir: string;
  env: Record<string, string>;
  configPath: string;
  sourceUrl: string;
  /** Runs `dotnet` with the sandbox env; throws with the full output on failure unless allowFailure. */
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Writes a net10.0 class library, restores it from the sandbox source only and packs it; returns the .nupkg path. */
  packLibrary(options: PackLibraryOptions): Promise<string>;
  /** Creates a net10.0 class library consumer project; returns its directory. */
  createConsumer(name: string, framework?: string, references?: PackageRef[]): Promise<string>;
  remove(): Promise<void>;
}

/** A user name and password for the source, as NuGet.config's packageSourceCredentials hold them (a private feed's). */
export interface SourceCredentials {
  readonly username: string;
  readonly password: string;
}

/** A NuGet.config with one source: an http(s) V3 source, or a local folder feed (a path). */
export function nugetConfigXml(sourceUrl: string, credentials?: SourceCredentials): string {
  const credentialsXml =
    credentials === undefined
      ? ''
      : `  <packageSourceCredentials>
    <pallet>
      <add key="Username" value="${escapeXml(credentials.username)}" />
      <add key="ClearTextPassword" value="${escapeXml(credentials.password)}" />
    </pallet>
  </packageSourceCredentials>
`;
  return `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    ${/^https?:/.test(sourceUrl) ? `<add key="pallet" value="${escapeXml(sourceUrl)}" allowInsecureConnections="true" protocolVersion="3" />` : `<add key="pallet" value="${escapeXml(sourceUrl)}" />`}
  </packageSources>
  <disabledPackageSources>
    <clear />
  </disabledPackageSources>
${credentialsXml}</configuration>
`;
}

const DIRECTORY_BUILD_PROPS = `<Project>
  <PropertyGroup>
    <NuGetAudit>false</NuGetAudit>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
  </PropertyGroup>
</Project>
`;

function packageReferencesXml(references: PackageRef[] | undefined): string {
  if (!references || references.length === 0) return '';
  const items = references
    .map((ref) => `    <PackageReference Include="${escapeXml(ref.id)}" Version="${escapeXml(ref.version)}" />`)
    .join('\n');
  return `  <ItemGroup>\n${items}\n  </ItemGroup>\n`;
}

function csharpIdentifier(id: string): string {
  return id
    .split('.')
    .map((part) => part.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1'))
    .filter((part) => part.length > 0)
    .join('.');
}

/** Flattens a failed run into one message with everything dotnet printed. */
export function describeRun(args: string[], result: RunResult, cwd: string): string {
  return (
    `dotnet ${args.join(' ')} (cwd ${cwd}) exited with ${result.code}\n` +
    `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  );
}

export async function createDotnetSandbox(sourceUrl: string, credentials?: SourceCredentials): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'pallet-dotnet-'));
  const paths = {
    packages: join(dir, '.nuget', 'packages'),
    httpCache: join(dir, '.nuget', 'http-cache'),
    pluginsCache: join(dir, '.nuget', 'plugins-cache'),
    cliHome: join(dir, '.dotnet-home'),
    projects: join(dir, 'projects'),
    libraries: join(dir, 'libraries'),
    out: join(dir, 'out'),
  };
  for (const path of Object.values(paths)) await mkdir(path, { recursive: true });
  const configPath = join(dir, 'NuGet.config');
  await writeFile(configPath, nugetConfigXml(sourceUrl, credentials));
  await writeFile(join(dir, 'Directory.Build.props'), DIRECTORY_BUILD_PROPS);
  // Keep MSBuild from looking further up the tree.
  await writeFile(join(dir, 'Directory.Build.targets'), '<Project />\n');

  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(NUGET_|MSBUILD|DOTNET_CLI_HOME$)/i.test(key)) continue;
    inherited[key] = value;
  }
  const env: Record<string, string> = {
    ...inherited,
    HOME: paths.cliHome,
    NUGET_PACKAGES: paths.packages,
    NUGET_HTTP_CACHE_PATH: paths.httpCache,
    NUGET_PLUGINS_CACHE_PATH: paths.pluginsCache,
    DOTNET_CLI_HOME: paths.cliHome,
    DOTNET_NOLOGO: '1',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
    DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE: 'true',
    DOTNET_CLI_UI_LANGUAGE: 'en',
    NUGET_CERT_REVOCATION_MODE: 'offline',
    DOTNET_GENERATE_ASPNET_CERTIFICATE: 'false',
    MSBUILDDISABLENODEREUSE: '1',
    DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER: '1',
    DOTNET_CLI_USE_MSBUILD_SERVER: '0',
    NUGET_SHOW_STACK: 'true',
  };

  const run = (args: string[], opts: RunOptions = {}): Promise<RunResult> => {
    const cwd = opts.cwd ?? dir;
    return new Promise<RunResult>((resolve, reject) => {
      const child = spawn('dotnet', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const timeoutMs = opts.timeoutMs ?? 300_000;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const result: RunResult = {
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8') + (timedOut ? `\n[killed after ${timeoutMs} ms]` : ''),
        };
        if (result.code !== 0 && !opts.allowFailure) {
          reject(new Error(describeRun(args, result, cwd)));
        } else {
          resolve(result);
        }
      });
    });
  };

  let counter = 0;

  const packLibrary = async (options: PackLibraryOptions): Promise<string> => {
    const slug = `${options.id}.${options.version}`.replace(/[^A-Za-z0-9._-]/g, '_') + `.${++counter}`;
    const projectDir = join(paths.libraries, slug);
    const outDir = join(paths.out, slug);
    await mkdir(projectDir, { recursive: true });
    const tags = Array.isArray(options.tags) ? options.tags.join(';') : options.tags;
    const props: Record<string, string> = {
      TargetFramework: 'net10.0',
      Nullable: 'enable',
      ImplicitUsings: 'disable',
      PackageId: options.id,
      Version: options.version,
      Authors: options.authors ?? 'Pallet Tests',
      Description: options.description ?? `Pallet end-to-end test library ${options.id}.`,
      ...(tags ? { PackageTags: tags } : {}),
      AssemblyName: options.id,
      RootNamespace: csharpIdentifier(options.id),
      IncludeSymbols: 'false',
      ...options.properties,
    };
    const propsXml = Object.entries(props)
      .map(([key, value]) => `    <${key}>${escapeXml(value)}</${key}>`)
      .join('\n');
    const csproj =
      `<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n${propsXml}\n  </PropertyGroup>\n` +
      packageReferencesXml(options.dependencies) +
      '</Project>\n';
    const projectFile = join(projectDir, `${options.id}.csproj`);
    await writeFile(projectFile, csproj);
    const ns = csharpIdentifier(options.id);
    await writeFile(
      join(projectDir, 'Library.cs'),
      `namespace ${ns};\n\npublic static class Library\n{\n    public static string Describe() => "${options.id} ${options.version.replace(/[\\"]/g, '')}";\n}\n`,
    );
    await run(['restore', projectFile, '--configfile', configPath, '--no-http-cache', '-p:NuGetAudit=false'], {
      cwd: projectDir,
    });
    await run(
      ['pack', projectFile, '-c', 'Release', '-o', outDir, '--no-restore', '-p:NuGetAudit=false', '-nodeReuse:false'],
      { cwd: projectDir },
    );
    const nupkgs = (await readdir(outDir)).filter((name) => name.endsWith('.nupkg') && !name.endsWith('.symbols.nupkg'));
    if (nupkgs.length !== 1 || nupkgs[0] === undefined) {
      throw new Error(`expected one .nupkg in ${outDir}, found: ${nupkgs.join(', ') || 'none'}`);
    }
    return join(outDir, nupkgs[0]);
  };

  const createConsumer = async (name: string, framework = 'net10.0', references?: PackageRef[]): Promise<string> => {
    const projectDir = join(paths.projects, name);
    await mkdir(projectDir, { recursive: true });
    await writeFile(
      join(projectDir, `${name}.csproj`),
      '<Project Sdk="Microsoft.NET.Sdk">\n' +
        '  <PropertyGroup>\n' +
        `    <TargetFramework>${escapeXml(framework)}</TargetFramework>\n` +
        '    <Nullable>enable</Nullable>\n' +
        '    <ImplicitUsings>disable</ImplicitUsings>\n' +
        '    <NuGetAudit>false</NuGetAudit>\n' +
        '  </PropertyGroup>\n' +
        packageReferencesXml(references) +
        '</Project>\n',
    );
    await writeFile(
      join(projectDir, 'Consumer.cs'),
      `namespace ${csharpIdentifier(name)};\n\npublic static class Consumer\n{\n    public static int Answer() => 42;\n}\n`,
    );
    return projectDir;
  };

  const remove = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  return { dir, env, configPath, sourceUrl, run, packLibrary, createConsumer, remove };
}
