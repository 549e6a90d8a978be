/**
 * Local folder feeds: `pallet import` of a folder holding packages flat and in the hierarchical layout, an
 * invalid one and a duplicate (each reported, the rest imported; a second run imports nothing), then
 * `pallet export` of the feed and a real `dotnet restore --source FOLDER` from the export.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPallet, type PalletServer } from '../support/pallet-server.ts';
import { createDotnetSandbox, describeRun, type Sandbox } from '../support/dotnet.ts';
import { runPalletCli } from '../support/pallet-cli.ts';
import { buildNupkg } from '../support/nupkg-builder.ts';

const STEP = { timeout: 5 * 60_000 };
const dotnetAvailable = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;

describe('local folder feeds: import and export', { skip: !dotnetAvailable && 'the .NET SDK is not installed' }, () => {
  let server: PalletServer;
  let work: string;
  let sandbox: Sandbox | undefined;

  before(async () => {
    server = await startPallet({ apiKey: 'folder-feed-admin-key' });
    work = await mkdtemp(join(tmpdir(), 'pallet-folder-feed-'));
    const created = await runPalletCli(['feed', 'create', 'local', '--data', server.dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const source = join(work, 'source');
    await mkdir(join(source, 'folder.hierarchical', '2.0.0'), { recursive: true });
    await mkdir(join(source, 'copies'), { recursive: true });
    const flat = buildNupkg({ id: 'Folder.Flat', version: '1.0.0' });
    await writeFile(join(source, 'Folder.Flat.1.0.0.nupkg'), flat);
    await writeFile(join(source, 'copies', 'Folder.Flat.1.0.0.nupkg'), flat);
    await writeFile(join(source, 'folder.hierarchical', '2.0.0', 'folder.hierarchical.2.0.0.nupkg'), buildNupkg({ id: 'Folder.Hierarchical', version: '2.0.0' }));
    await writeFile(join(source, 'broken.nupkg'), 'not a zip at all');
  }, STEP);

  after(async () => {
    await sandbox?.remove();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('imports valid packages, reports the invalid one with its reason, and finds everything present the second time', STEP, async () => {
    const first = await runPalletCli(['import', join(work, 'source'), '--feed', 'local', '--data', server.dataDir]);
    assert.equal(first.code, 1, 'one package was refused');
    assert.match(first.stdout, /2 imported, 1 already present, 1 refused/);
    assert.match(first.stderr, /broken\.nupkg: refused: .+/);
    const second = await runPalletCli(['import', join(work, 'source'), '--feed', 'local', '--data', server.dataDir]);
    assert.match(second.stdout, /0 imported, 3 already present, 1 refused/);
    const index = await fetch(server.serviceIndexUrl.replace(/\/v3\/index\.json$/, '/feeds/local/v3/package/folder.flat/index.json'));
    assert.deepEqual(await index.json(), { versions: ['1.0.0'] });
    assert.equal((await fetch(server.serviceIndexUrl.replace(/\/v3\/index\.json$/, '/v3/package/folder.flat/index.json'))).status, 404, 'into the feed named, not the gallery');
  });

  it('exports the feed in the hierarchical layout that dotnet restore reads', STEP, async () => {
    const out = join(work, 'export');
    const exported = await runPalletCli(['export', 'local', out, '--data', server.dataDir]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /2 versions of 'local'/);
    const directory = join(out, 'folder.flat', '1.0.0');
    for (const file of ['folder.flat.1.0.0.nupkg', 'folder.flat.1.0.0.nupkg.sha512', 'folder.flat.nuspec']) assert.ok(existsSync(join(directory, file)), file);
    assert.match(await readFile(join(directory, 'folder.flat.1.0.0.nupkg.sha512'), 'utf8'), /^[A-Za-z0-9+/]{86}==$/);

    sandbox = await createDotnetSandbox(out);
    const projectDir = await sandbox.createConsumer('FolderConsumer', 'net10.0', [{ id: 'Folder.Flat', version: '1.0.0' }, { id: 'Folder.Hierarchical', version: '2.0.0' }]);
    const restore = ['restore', '--configfile', sandbox.configPath];
    const restored = await sandbox.run(restore, { cwd: projectDir, allowFailure: true });
    assert.equal(restored.code, 0, describeRun(restore, restored, projectDir));
  });
});
