/**
 * `dotnet restore` of a 50-package dependency graph with cold caches, from Pallet, from a local folder
 * feed holding the same .nupkg files, and from nginx serving Pallet's answers for the graph as static files
 * (the same feed over HTTP with next to no server time, so what is left is NuGet's own HTTP path): NuGet's
 * own restore time ("Restored … (in N ms)") for each, in interleaved rounds, each run in a fresh sandbox
 * (its own NuGet.config, packages folder, HTTP cache and CLI home). Library i depends on library i-1 and up to two others below it, so one reference to the
 * last library pulls in all 50.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { buildNupkg, escapeXml } from '../../test/support/nupkg-builder.ts';
import { multipartBody } from '../../test/support/multipart-body.ts';
import { createDotnetSandbox } from '../../test/support/dotnet.ts';
import { startNginx, type StaticServer } from '../load/nginx.ts';
import { rawGet } from '../load/raw-get.ts';

export const GRAPH_SIZE = 50;

export interface RestoreTimes {
  readonly pallet: number[];
  readonly folder: number[];
  readonly nginx: number[];
}

type Source = keyof RestoreTimes;

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

/**
 * nginx on a copy of what Pallet answers for the graph: the service index (asked for with nginx's address as
 * the Host, so its URLs point at nginx), each id's version list and each .nupkg.
 */
async function staticCopy(palletBaseUrl: string, root: string, prefix: string): Promise<StaticServer> {
  const nginx = await startNginx(root, prefix);
  const copy = async (urlPath: string, headers: Record<string, string> = {}) => {
    const { status, body } = await rawGet(`${palletBaseUrl}${urlPath}`, headers);
    if (status !== 200) throw new Error(`${urlPath}: ${status}`);
    await mkdir(path.dirname(path.join(root, urlPath)), { recursive: true });
    await writeFile(path.join(root, urlPath), body);
  };
  await copy('/v3/index.json', { host: new URL(nginx.baseUrl).host });
  for (let index = 0; index < GRAPH_SIZE; index += 1) {
    const idLower = `graph.lib${index}`;
    await copy(`/v3/package/${idLower}/index.json`);
    await copy(`/v3/package/${idLower}/1.0.0/${idLower}.1.0.0.nupkg`);
  }
  return nginx;
}

export async function measureGraphRestore(options: { palletBaseUrl: string; apiKey: string; folder: string; work: string; rounds: number }): Promise<RestoreTimes> {
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
  const nginx = await staticCopy(options.palletBaseUrl, path.join(options.work, 'graph-static'), path.join(options.work, 'graph-nginx'));
  try {
    const sourceOf: Record<Source, string> = {
      folder: options.folder,
      nginx: `${nginx.baseUrl}/v3/index.json`,
      pallet: `${options.palletBaseUrl}/v3/index.json`,
    };
    const sources = Object.keys(sourceOf) as Source[];
    // One untimed run each first: the SDK's own first-run work is not a feed's cost.
    for (const source of sources) await restoreOnce(sourceOf[source]);
    const times: RestoreTimes = { pallet: [], folder: [], nginx: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      // Each round starts with the next source, so none always runs on the warmest machine.
      for (let turn = 0; turn < sources.length; turn += 1) {
        const source = sources[(round + turn) % sources.length] as Source;
        times[source].push(await restoreOnce(sourceOf[source]));
      }
    }
    return times;
  } finally {
    await nginx.stop();
  }
}
