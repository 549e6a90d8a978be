/**
 * One Pallet process per data folder. Two servers over one folder would each run garbage collection
 * against blobs the other is committing (the blob gate is in-process) and each hold download counts the
 * other overwrites. The lock is SQLite's own exclusive file lock on `pallet.lock`, held for the life of the
 * process: the kernel drops it when the process dies, even by SIGKILL, so a crash never leaves a stale lock.
 */
import { DatabaseSync } from 'node:sqlite';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class DataFolderInUseError extends Error {
  constructor(dataDir: string, holder: string | undefined) {
    super(
      `The data folder ${dataDir} is in use by another Pallet process${holder ? ` (${holder})` : ''}. ` +
        'Stop it first, or give this one its own folder with --data.',
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  release(): void;
}

export function lockDataFolder(dataDir: string): DataFolderLock {
  const lockFile = path.join(dataDir, 'pallet.lock');
  const holderFile = path.join(dataDir, 'pallet.lock.holder');
  const database = new DatabaseSync(lockFile, { timeout: 0 });
  try {
    // No journal file: nothing is ever written, and a restore expects an otherwise empty folder.
    database.exec('PRAGMA journal_mode = MEMORY');
    database.exec('PRAGMA locking_mode = EXCLUSIVE');
    database.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    database.close();
    if ((error as { errcode?: number }).errcode === 5 /* SQLITE_BUSY */ || /locked/.test((error as Error).message)) {
      throw new DataFolderInUseError(dataDir, readHolder(holderFile));
    }
    throw error;
  }
  // Only for the message a second process shows; the lock itself is the SQLite lock above.
  writeFileSync(holderFile, `pid ${process.pid}, since ${new Date().toISOString()}`);
  return {
    release() {
      if (!database.isOpen) return;
      database.exec('ROLLBACK');
      database.close();
    },
  };
}

function readHolder(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim().slice(0, 200) || undefined;
  } catch {
    return undefined;
  }
}
