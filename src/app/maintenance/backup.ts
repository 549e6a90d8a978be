/**
 * `pallet backup DEST` while the server runs: a consistent snapshot of the database (taken while pushes
 * go on), then every blob that snapshot references, each checked against its hash as it is copied. Blobs
 * are content-addressed and never change, so a second backup into the same folder copies only the blobs
 * it lacks (a blob already there at the right size is kept; `pallet verify --data DEST` hashes them all).
 * The database is put in place and the manifest written last: until then the folder still holds the
 * previous backup, whole, and a backup that fails can simply be run again.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blobKeysOf } from '../packages/version-blobs.ts';
import { dataFolderLayout } from '../../data-folder.ts';
import type { BlobStore, MetadataDatabase, PackageStore } from '../ports.ts';
import { BlobCopyError, copyBlobVerified } from './blob-integrity.ts';

export const BACKUP_MANIFEST = 'pallet-backup.json';
export const BACKUP_FORMAT = 1;

export interface BackupManifest {
  readonly format: number;
  readonly createdAt: string;
  readonly versions: number;
  readonly blobs: number;
  readonly bytes: number;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupDependencies {
  readonly database: MetadataDatabase;
  readonly blobs: BlobStore;
  /** Opens a database file (the snapshot) for reading; `close` releases it. */
  readonly openSnapshot: (databaseFile: string) => { readonly packages: PackageStore; close(): void };
  readonly blobStoreAt: (folder: string) => BlobStore;
  readonly now: () => Date;
}

export interface BackupReport extends BackupManifest {
  /** Blobs already in the folder from an earlier backup. */
  readonly blobsKept: number;
  readonly blobsCopied: number;
}

export async function backupData(deps: BackupDependencies, destination: string): Promise<BackupReport> {
  const target = dataFolderLayout(destination);
  await prepareDestination(destination);
  await mkdir(target.temp, { recursive: true });
  const snapshotFile = `${target.database}.partial`;
  await rm(snapshotFile, { force: true });
  await deps.database.snapshotTo(snapshotFile);

  const targetBlobs = deps.blobStoreAt(target.blobs);
  const snapshot = deps.openSnapshot(snapshotFile);
  // Every key in memory: about 250 bytes each, so a feed of a million versions needs some 0.5 GB here.
  const seen = new Set<string>();
  const failures: string[] = [];
  let versions = 0;
  let blobsKept = 0;
  let blobsCopied = 0;
  let bytes = 0;
  try {
    for await (const version of snapshot.packages.allVersions()) {
      versions += 1;
      for (const key of blobKeysOf(version)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const existing = await targetBlobs.stat(key);
        const original = await deps.blobs.stat(key);
        if (existing && original && existing.size === original.size) {
          blobsKept += 1;
          bytes += existing.size;
          continue;
        }
        try {
          bytes += await copyBlobVerified(deps.blobs, targetBlobs, key, target.temp);
          blobsCopied += 1;
        } catch (error) {
          if (!(error instanceof BlobCopyError)) throw error;
          failures.push(`${version.registrationId} ${version.versionFull}: ${error.message}`);
        }
      }
    }
  } finally {
    snapshot.close();
  }
  if (failures.length > 0) {
    throw new BackupError(
      `The backup is incomplete: ${failures.length} blob(s) could not be copied (run pallet verify on the data folder):\n${failures.map((f) => `  - ${f}`).join('\n')}`,
    );
  }

  await rename(snapshotFile, target.database);
  await rm(target.temp, { recursive: true, force: true });
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: deps.now().toISOString(), versions, blobs: seen.size, bytes };
  const manifestFile = path.join(destination, BACKUP_MANIFEST);
  await writeFile(`${manifestFile}.partial`, `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
  await rename(`${manifestFile}.partial`, manifestFile);
  return { ...manifest, blobsKept, blobsCopied };
}

/** What a backup folder holds, finished or not: nothing else may be in a folder a backup writes into. */
const BACKUP_FOLDER_ENTRIES = new Set([BACKUP_MANIFEST, `${BACKUP_MANIFEST}.partial`, 'pallet.db', 'pallet.db.partial', 'blobs', 'tmp']);

/** A new or empty folder, an earlier backup, or one a failed backup left unfinished. */
async function prepareDestination(destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  const entries = await readdir(destination);
  const foreign = entries.filter((entry) => !BACKUP_FOLDER_ENTRIES.has(entry));
  if (foreign.length > 0) {
    throw new BackupError(
      `${destination} is neither empty nor a Pallet backup (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); give an empty or new folder.`,
    );
  }
  if (entries.includes(BACKUP_MANIFEST)) await readManifest(destination);
}

export async function readManifest(folder: string): Promise<BackupManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(folder, BACKUP_MANIFEST), 'utf8'));
  } catch (error) {
    throw new BackupError(`${folder} is not a finished Pallet backup: ${BACKUP_MANIFEST} cannot be read (${(error as Error).message}).`);
  }
  const manifest = parsed as Partial<BackupManifest>;
  if (manifest.format !== BACKUP_FORMAT) {
    throw new BackupError(`${folder} holds a backup in format ${String(manifest.format)}; this Pallet reads format ${BACKUP_FORMAT}.`);
  }
  return manifest as BackupManifest;
}
