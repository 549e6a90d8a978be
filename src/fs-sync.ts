/**
 * Makes a file's bytes, or a folder's entries, durable: after a rename, the folder must be synced too for
 * the new name to survive a power cut.
 */
import { open } from 'node:fs/promises';

export async function syncPath(fileOrFolder: string): Promise<void> {
  const handle = await open(fileOrFolder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
