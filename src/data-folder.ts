/**
 * What lives where in a data folder. A backup folder has the same layout (plus its manifest), so a
 * backup is itself a data folder that `pallet restore` copies with every blob checked.
 */
import path from 'node:path';

export interface DataFolderLayout {
  readonly root: string;
  /** The SQLite database. */
  readonly database: string;
  /** Content-addressed blobs, sharded `ab/cd/abcd…`. */
  readonly blobs: string;
  /** Uploads being received, and copies in progress; cleared at start. */
  readonly temp: string;
}

export function dataFolderLayout(root: string): DataFolderLayout {
  return { root, database: path.join(root, 'pallet.db'), blobs: path.join(root, 'blobs'), temp: path.join(root, 'tmp') };
}
