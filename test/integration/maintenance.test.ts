/**
 * The administrator's tools on a real data folder: `pallet verify` finds every kind of damage,
 * `--repair` fixes only what is safe, and `pallet backup` / `pallet restore` round-trip a folder.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { sha512, startInProcess } from '../support/in-process.ts';
import { runPalletCli } from '../support/pallet-cli.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('png body for the icon')]);
const PACKAGES = [
  buildNupkg({ id: 'Verify.Readme', version: '1.0.0', readme: { path: 'README.md', content: '# Verify readme\n' } }),
  buildNupkg({ id: 'Verify.Icon', version: '2.0.0-beta.1', icon: { path: 'icon.png', bytes: PNG }, license: { type: 'file', value: 'LICENSE.txt', fileContent: 'MIT licence text' } }),
  buildNupkg({ id: 'Verify.Plain', version: '3.0.0' }),
];

function blobPath(dataDir: string, key: string): string {
  return path.join(dataDir, 'blobs', key.slice(0, 2), key.slice(2, 4), key);
}

function column(dataDir: string, sql: string): string {
  const database = new DatabaseSync(path.join(dataDir, 'pallet.db'));
  try {
    return String(Object.values(database.prepare(sql).get() ?? {})[0]);
  } finally {
    database.close();
  }
}

function execute(dataDir: string, sql: string): void {
  const database = new DatabaseSync(path.join(dataDir, 'pallet.db'));
  try {
    database.exec(sql);
  } finally {
    database.close();
  }
}

async function makeDataFolder(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pallet-maintenance-'));
  const pallet = await startInProcess({ dataDir });
  for (const nupkg of PACKAGES) await pallet.pushOk(nupkg);
  assert.equal((await pallet.setListed('Verify.Plain', '3.0.0', false)).statusCode, 200);
  await pallet.close({ keepData: true });
  return dataDir;
}

describe('pallet verify', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await makeDataFolder();
  });
  after(() => rm(dataDir, { recursive: true, force: true }));
  const verify = (...args: string[]) => runPalletCli(['verify', '--data', dataDir, ...args]);

  it('passes on an intact folder, with a summary fit for cron', async () => {
    const result = await verify();
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^pallet verify: 3 versions, 9 blobs \([\d.]+ KiB\) checked; 0 problem\(s\); 0 unreferenced blob\(s\)/m);
  });

  it('finds missing and corrupt extracted files, wrong search rows and orphans; --repair fixes them', async () => {
    const readmeKey = column(dataDir, "SELECT readme_blob FROM package_versions WHERE id_lower = 'verify.readme'");
    const nuspecKey = column(dataDir, "SELECT nuspec_blob FROM package_versions WHERE id_lower = 'verify.icon'");
    const originalReadme = await stat(blobPath(dataDir, readmeKey));
    await unlink(blobPath(dataDir, readmeKey));
    await writeFile(blobPath(dataDir, nuspecKey), '<package>tampered</package>');
    execute(dataDir, "DELETE FROM search_documents WHERE id_lower = 'verify.icon'");
    const orphan = 'ab'.repeat(64);
    await mkdir(path.dirname(blobPath(dataDir, orphan)), { recursive: true });
    await writeFile(blobPath(dataDir, orphan), 'nobody references me');

    const damaged = await verify();
    assert.equal(damaged.code, 1, damaged.stdout);
    assert.match(damaged.stdout, /^PROBLEM: Verify\.Readme 1\.0\.0: its readme blob is missing or corrupt; pallet verify --repair extracts it again/m);
    assert.match(damaged.stdout, /^PROBLEM: Verify\.Icon 2\.0\.0-beta\.1: its nuspec blob is missing or corrupt/m);
    assert.match(damaged.stdout, /^PROBLEM: search rows: search is missing 'verify\.icon' 2\.0\.0-beta\.1 \(feed 1\) as the latest version/m);
    // The row was deleted under the text index, which therefore holds one row too many.
    assert.match(damaged.stdout, /^PROBLEM: search rows: search's text index holds 1 row\(s\) of no document$/m);
    assert.match(damaged.stdout, /4 problem\(s\); 1 unreferenced blob\(s\) \(20 B\)/);

    const repaired = await verify('--repair');
    assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
    assert.match(repaired.stdout, /^repaired: Verify\.Readme 1\.0\.0: its readme blob was missing or corrupt; it was extracted again from the \.nupkg/m);
    assert.match(repaired.stdout, /0 problem\(s\), 4 repaired/);
    assert.equal((await stat(blobPath(dataDir, readmeKey))).size, originalReadme.size);
    assert.ok((await stat(blobPath(dataDir, orphan))).isFile(), 'verify never deletes blobs; garbage collection does');

    const after = await verify();
    assert.equal(after.code, 0, after.stdout);

    const pallet = await startInProcess({ dataDir });
    try {
      assert.equal((await pallet.get('/v3/package/verify.readme/1.0.0/readme')).body, '# Verify readme\n');
      const { body } = await pallet.json('/v3/search?q=verify.icon&prerelease=true&semVerLevel=2.0.0');
      assert.equal(body.totalHits, 1);
    } finally {
      await pallet.close({ keepData: true });
    }
  });

  it('reports a damaged .nupkg as needing a backup, and --repair leaves it in place', async () => {
    const packageKey = column(dataDir, "SELECT package_blob FROM package_versions WHERE id_lower = 'verify.plain'");
    await writeFile(blobPath(dataDir, packageKey), 'not the package any more');
    for (const args of [[], ['--repair']]) {
      const result = await verify(...args);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, /^PROBLEM: Verify\.Plain 3\.0\.0: the \.nupkg blob is corrupt; restore it from a backup/m);
    }
    assert.ok((await stat(blobPath(dataDir, packageKey))).isFile());
  });

  it('explains a folder that holds no data', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'pallet-empty-'));
    try {
      const result = await runPalletCli(['verify', '--data', empty]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^pallet verify: There is no Pallet database at .*pallet\.db; check --data/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('pallet backup and restore', () => {
  let dataDir: string;
  let scratch: string;
  before(async () => {
    dataDir = await makeDataFolder();
    scratch = await mkdtemp(path.join(tmpdir(), 'pallet-backup-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('backs up, backs up again incrementally, and restores into an empty folder that serves the same bytes', async () => {
    const backupDir = path.join(scratch, 'backup');
    const first = await runPalletCli(['backup', backupDir, '--data', dataDir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^pallet backup: 3 versions, 9 blobs .* 9 copied, 0 already there/);
    assert.ok((await readdir(backupDir)).includes('pallet-backup.json'));

    const pallet = await startInProcess({ dataDir });
    await pallet.pushOk(buildNupkg({ id: 'Verify.Later', version: '1.0.0' }));
    await pallet.close({ keepData: true });
    const second = await runPalletCli(['backup', backupDir, '--data', dataDir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^pallet backup: 4 versions, 11 blobs .* 2 copied, 9 already there/);

    const restoredDir = path.join(scratch, 'restored');
    const restored = await runPalletCli(['restore', backupDir, '--data', restoredDir]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^pallet restore: 4 versions, 11 blobs/);
    assert.equal((await runPalletCli(['verify', '--data', restoredDir])).code, 0);

    const copy = await startInProcess({ dataDir: restoredDir });
    try {
      for (const [index, id, version] of [[0, 'verify.readme', '1.0.0'], [2, 'verify.plain', '3.0.0']] as const) {
        const response = await copy.get(`/v3/package/${id}/${version}/${id}.${version}.nupkg`);
        assert.equal(response.statusCode, 200);
        assert.equal(sha512(response.rawPayload), sha512(PACKAGES[index] as Buffer));
      }
      const { body } = await copy.json('/v3/registration-gz-semver2/verify.plain/index.json');
      assert.equal(body.items[0].items[0].catalogEntry.listed, false, 'unlisted stays unlisted');
    } finally {
      await copy.close({ keepData: true });
    }
  });

  it('refuses a destination that is not a backup, a source that is not one, and a folder that is not empty', async () => {
    const notEmpty = path.join(scratch, 'not-empty');
    await mkdir(notEmpty, { recursive: true });
    await writeFile(path.join(notEmpty, 'notes.txt'), 'mine');
    const intoForeign = await runPalletCli(['backup', notEmpty, '--data', dataDir]);
    assert.equal(intoForeign.code, 1);
    assert.match(intoForeign.stderr, /is neither empty nor a Pallet backup/);

    const fromForeign = await runPalletCli(['restore', notEmpty, '--data', path.join(scratch, 'target-1')]);
    assert.equal(fromForeign.code, 1);
    assert.match(fromForeign.stderr, /is not a finished Pallet backup/);

    const intoOccupied = await runPalletCli(['restore', path.join(scratch, 'backup'), '--data', dataDir]);
    assert.equal(intoOccupied.code, 1);
    assert.match(intoOccupied.stderr, /is not empty .*restore only into an empty folder/);

    const insideData = await runPalletCli(['backup', path.join(dataDir, 'backup'), '--data', dataDir]);
    assert.equal(insideData.code, 2);
    assert.match(insideData.stderr, /is inside the data folder/);
  });

  it('a backup run again mends a damaged copy, and a backup that fails leaves the previous one restorable', async () => {
    const backupDir = path.join(scratch, 'backup');
    const plainKey = column(dataDir, "SELECT package_blob FROM package_versions WHERE id_lower = 'verify.plain'");
    await writeFile(blobPath(backupDir, plainKey), 'truncated');
    const again = await runPalletCli(['backup', backupDir, '--data', dataDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /1 copied, 10 already there/);
    assert.equal((await runPalletCli(['verify', '--data', backupDir])).code, 0, 'a backup folder is a data folder verify can check');

    const readmeKey = column(dataDir, "SELECT readme_blob FROM package_versions WHERE id_lower = 'verify.readme'");
    const readme = await readFile(blobPath(dataDir, readmeKey));
    await writeFile(blobPath(dataDir, readmeKey), 'damaged in the source');
    await unlink(blobPath(backupDir, readmeKey));
    const failed = await runPalletCli(['backup', backupDir, '--data', dataDir]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /The backup is incomplete: 1 blob\(s\) could not be copied .*Verify\.Readme 1\.0\.0: blob [0-9a-f]{16}… is corrupt in the source/s);
    await writeFile(blobPath(dataDir, readmeKey), readme);
    await writeFile(blobPath(backupDir, readmeKey), readme);
    const restoredDir = path.join(scratch, 'restored-after-failure');
    const restored = await runPalletCli(['restore', backupDir, '--data', restoredDir]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^pallet restore: 4 versions, 11 blobs/);
    const retried = await runPalletCli(['backup', backupDir, '--data', dataDir]);
    assert.equal(retried.code, 0, retried.stderr);
  });

  it('a restore that meets a damaged blob fails and leaves the folder empty', async () => {
    const backupDir = path.join(scratch, 'backup');
    const packageKey = column(path.join(scratch, 'restored'), "SELECT package_blob FROM package_versions WHERE id_lower = 'verify.plain'");
    await writeFile(blobPath(backupDir, packageKey), 'damaged in the backup');
    const target = path.join(scratch, 'target-2');
    const result = await runPalletCli(['restore', backupDir, '--data', target]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /The backup is damaged: Verify\.Plain 3\.0\.0: blob [0-9a-f]{16}… is corrupt in the source/);
    assert.deepEqual((await readdir(target)).filter((name) => !name.startsWith('pallet.lock')), []);
  });
});
