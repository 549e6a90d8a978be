/**
 * `dotnet restore` of a 50-package dependency graph with cold caches, from Pallet and from a local folder
 * feed holding the same .nupkg files: NuGet's own restore time ("Restored … (in N ms)") for each, in
 * interleaved rounds, each run in a fresh sandbox (its own NuGet.config, packages folder, HTTP cache and
 * CLI home). Library i depends on library i-1 and up to two others below it, so one reference to the
 * last library pulls in all 50.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { buildNupkg, escapeXml } from '../../test/support/nupkg-builder.ts';
import { multipartBody } from '../../test/support/multipart-body.ts';
import { createDotnetSandbox } from '../../test/support/dotnet.ts';

export const GRAPH_SIZE = 50;

export interface RestoreTimes {
  readonly pallet: number[];
  readonly folder: number[];
}

function graphPackages(): Buffer[] {
  return Array.from({ length: GRAPH_SIZE }, (_, index) => {
    const below = index === 0 ? [] : [index - 1, ...[0, 1].map(() => Math.floor(Math.random() * index))];
    return buildNupkg({
      id: `Graph.Lib${index}`,
      version: '1.0.0',
      description: `Library ${index} of the restore benchmark's graph`,
      libFramework: 'net8.0',
      libBytes: randomBytes(50_000 + Math.floor(Math.random() * 150_000)),
      dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [...new Set(below)].map((dependency) => ({ id: `Graph.Lib${dependency}`, range: '1.0.0' })) }],
    });
  });
}

/** NuGet's reported restore time in ms, from `Restored <project> (in 1.23 sec).` or `(in 456 ms)`. */
export function reportedRestoreMs(output: string): number {
  const match = /Restored .+ \(in ([\d.,]+) (ms|sec)\)/.exec(output);
  if (!match) throw new Error(`no restore time in:\n${output}`);
  const value = Number((match[1] as string).replace(',', '.'));
  return match[2] === 'sec' ? value * 1000 : value;
}

/** A local folder source: no protocolVersion, which would make NuGet ask it for a service index. */
function folderConfigXml(folder: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="folder" value="${escapeXml(folder)}" />
  </packageSources>
</configuration>
`;
}

async function restoreOnce(sourceUrl: string): Promise<number> {
  const sandbox = await createDotnetSandbox(sourceUrl);
  try {
    if (!sourceUrl.startsWith('http')) await writeFile(sandbox.configPath, folderConfigXml(sourceUrl));
    const project = await sandbox.createConsumer('GraphApp', 'net10.0', [{ id: `Graph.Lib${GRAPH_SIZE - 1}`, version: '1.0.0' }]);
    const result = await sandbox.run(['restore', '--disable-build-servers', '--configfile', sandbox.configPath], { cwd: project });
    return reportedRestoreMs(result.stdout);
  } finally {
    await sandbox.remove();
  }
}

export async function measureGraphRestore(options: { palletBaseUrl: string; apiKey: string; folder: string; rounds: number }): Promise<RestoreTimes> {
  const packages = graphPackages();
  await mkdir(options.folder, { recursive: true });
  for (const [index, nupkg] of packages.entries()) {
    await writeFile(path.join(options.folder, `graph.lib${index}.1.0.0.nupkg`), nupkg);
    const { contentType, payload } = multipartBody(nupkg);
    const response = await fetch(`${options.palletBaseUrl}/api/v2/package/`, {
      method: 'PUT',
      headers: { 'x-nuget-apikey': options.apiKey, 'content-type': contentType },
      body: payload,
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`push of Graph.Lib${index}: ${response.status}`);
  }
  // One untimed run each first: the SDK's own first-run work is not a feed's cost.
  await restoreOnce(options.folder);
  await restoreOnce(`${options.palletBaseUrl}/v3/index.json`);
  const times: RestoreTimes = { pallet: [], folder: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? (['folder', 'pallet'] as const) : (['pallet', 'folder'] as const);
    for (const source of order) {
      times[source].push(await restoreOnce(source === 'folder' ? options.folder : `${options.palletBaseUrl}/v3/index.json`));
    }
  }
  return times;
}
