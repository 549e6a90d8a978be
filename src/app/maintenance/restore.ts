/**
 * `pallet restore SRC` into an empty data folder: the backup's database, checked by the engine, then every
 * blob it references, each checked against its hash as it is copied. The database file is put in place
 * last, so a restore that fails leaves no database a server could start on.
 */
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { syncPath } from '../../fs-sync.ts';
import { blobKeysOf } from '../packages/version-blobs.ts';
import { dataFolderLayout, type DataFolderLayout } from '../../data-folder.ts';
import type { BlobStore, MetadataDatabase, PackageStore } from '../ports.ts';
import { BackupError, readManifest } from './backup.ts';
import { copyBlobVerified } from './blob-integrity.ts';

export interface RestoreDependencies {
  /** Opens a database file for reading, with the engine's own check. */
  readonly openDatabase: (databaseFile: string) => { readonly packages: PackageStore; readonly database: MetadataDatabase; close(): void };
  readonly blobStoreAt: (folder: string) => BlobStore;
}

export interface RestoreReport {
  readonly versions: number;
  readonly blobs: number;
  readonly bytes: number;
}

/** Files the data folder may hold before a restore: the lock the restore itself holds. */
const ALLOWED_BEFORE_RESTORE = new Set(['pallet.lock', 'pallet.lock.holder']);

export async function restoreData(deps: RestoreDependencies, source: string, dataDir: string): Promise<RestoreReport> {
  await readManifest(source);
  const from = dataFolderLayout(source);
  const to = dataFolderLayout(dataDir);
  await mkdir(dataDir, { recursive: true });
  const present = (await readdir(dataDir)).filter((name) => !ALLOWED_BEFORE_RESTORE.has(name));
  if (present.length > 0) {
    throw new BackupError(`The data folder ${dataDir} is not empty (it has ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); restore only into an empty folder.`);
  }
  const databaseFile = `${to.database}.partial`;
  try {
    const report = await copyBackup(deps, from, to, databaseFile);
    await syncPath(databaseFile);
    await rename(databaseFile, to.database);
    await syncPath(dataDir);
    return report;
  } catch (error) {
    // The folder was empty: leave it so, for the next attempt.
    await rm(to.blobs, { recursive: true, force: true });
    await rm(databaseFile, { force: true });
    throw error;
  } finally {
    await rm(to.temp, { recursive: true, force: true });
  }
}

async function copyBackup(
  deps: RestoreDependencies,
  from: DataFolderLayout,
  to: DataFolderLayout,
  databaseFile: string,
): Promise<RestoreReport> {
  await mkdir(to.temp, { recursive: true });
  await copyFile(from.database, databaseFile);
  const restored = deps.openDatabase(databaseFile);
  const sourceBlobs = deps.blobStoreAt(from.blobs);
  const targetBlobs = deps.blobStoreAt(to.blobs);
  // Every key in memory: about 250 bytes each, so a feed of a million versions needs some 0.5 GB here.
  const seen = new Set<string>();
  let versions = 0;
  let bytes = 0;
  try {
    const problems = await restored.database.integrityProblems();
    if (problems.length > 0) throw new BackupError(`The backup's database is damaged: ${problems.slice(0, 5).join('; ')}`);
    for await (const version of restored.packages.allVersions()) {
      versions += 1;
      for (const key of blobKeysOf(version)) {
        if (seen.has(key)) continue;
        seen.add(key);
        try {
          bytes += await copyBlobVerified(sourceBlobs, targetBlobs, key, to.temp);
        } catch (error) {
          throw new BackupError(`The backup is damaged: ${version.registrationId} ${version.versionFull}: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    restored.close();
  }
  return { versions, blobs: seen.size, bytes };
}

