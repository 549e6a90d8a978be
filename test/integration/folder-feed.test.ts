/**
 * A feed backed by a folder (`--folder`), with the real file system watcher: packages in the folder at start
 * are served, one dropped in appears without a restart, a removed file unlists its version and putting it
 * back relists it; a file removed while the server was stopped is unlisted at the next start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';
import { eventually } from '../support/smtp-sink.ts';

describe('a folder-backed feed', () => {
  let folder: string;
  let pallet: InProcessPallet;

  const listed = async (id: string): Promise<string[]> => {
    const search = await pallet.json<{ data: { id: string; versions: { version: string }[] }[] }>(`/v3/search?q=packageid:${id}&prerelease=true`);
    return search.body.data[0]?.versions.map((each) => each.version) ?? [];
  };

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pallet-folder-feed-'));
    await writeFile(path.join(folder, 'Drop.One.1.0.0.nupkg'), buildNupkg({ id: 'Drop.One', version: '1.0.0' }));
    await writeFile(path.join(folder, 'broken.nupkg'), 'not a package');
    pallet = await startInProcess({ flags: { folder } });
  });

  after(async () => {
    await pallet.close();
    await rm(pallet.dataDir, { recursive: true, force: true });
    await rm(folder, { recursive: true, force: true });
  });

  it('serves what the folder holds at start, and skips what is not a package', async () => {
    await eventually('Drop.One is served', async () => (await listed('Drop.One')).includes('1.0.0'));
  });

  it('serves a package dropped in without a restart, and follows its removal and return', async () => {
    const file = path.join(folder, 'nested', 'Drop.Two.2.0.0.nupkg');
    await mkdir(path.dirname(file), { recursive: true });
    const bytes = buildNupkg({ id: 'Drop.Two', version: '2.0.0' });
    await writeFile(file, bytes);
    await eventually('Drop.Two appears', async () => (await listed('Drop.Two')).includes('2.0.0'));
    await rm(file);
    await eventually('Drop.Two is unlisted once its file is gone', async () => (await listed('Drop.Two')).length === 0);
    assert.equal((await pallet.get('/v3/package/drop.two/2.0.0/drop.two.2.0.0.nupkg')).statusCode, 200, 'unlisted, it still restores');
    await writeFile(file, bytes);
    await eventually('Drop.Two is listed again', async () => (await listed('Drop.Two')).includes('2.0.0'));
  });

  it('unlists at start what was removed while the server was stopped', async () => {
    await pallet.close({ keepData: true });
    await rm(path.join(folder, 'Drop.One.1.0.0.nupkg'));
    pallet = await startInProcess({ dataDir: pallet.dataDir, flags: { folder } });
    await eventually('Drop.One is unlisted', async () => (await listed('Drop.One')).length === 0);
    assert.deepEqual(await listed('Drop.Two'), ['2.0.0'], 'the rest stays');
  });
});
