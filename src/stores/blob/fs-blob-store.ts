/**
 * BlobStore on a local folder. Keys are content hashes, sharded as `ab/cd/abcd…` so no folder grows huge.
 * Writes land under a temp name, are synced, and are renamed into place, so a reader never sees half a
 * blob and a stored blob survives a power cut. `putFile` expects a source file its writer already synced.
 */
import { mkdir, open, opendir, readFile, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobKey, BlobStore } from '../../app/ports.ts';
import { syncPath } from '../../fs-sync.ts';

const KEY_PATTERN = /^[0-9a-f]{16,128}$/;

/** Where a blob lives below the store's folder, `ab/cd/abcd…`; refuses anything but a hex key. */
export function blobRelativePath(key: BlobKey): string {
  if (!KEY_PATTERN.test(key)) throw new TypeError(`invalid blob key '${key}'`);
  return `${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`;
}

export class FsBlobStore implements BlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Refuses anything but a hex key, so no key can address a path outside the store. */
  private pathOf(key: BlobKey): string {
    return path.join(this.root, blobRelativePath(key));
  }

  async putFile(key: BlobKey, sourcePath: string, options: { replace?: boolean } = {}): Promise<void> {
    const target = this.pathOf(key);
    if (!options.replace && (await refresh(target))) {
      await rm(sourcePath, { force: true });
      return;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(sourcePath, target);
    await syncPath(path.dirname(target));
  }

  async putBytes(key: BlobKey, bytes: Uint8Array, options: { replace?: boolean } = {}): Promise<void> {
    const target = this.pathOf(key);
    if (!options.replace && (await refresh(target))) return;
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    await syncPath(path.dirname(target));
  }

  async open(key: BlobKey): Promise<Readable | undefined> {
    const file = this.pathOf(key);
    try {
      // Opening first turns a missing blob into `undefined` instead of a stream error; the stream owns the handle.
      const handle = await open(file, 'r');
      return handle.createReadStream();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readBytes(key: BlobKey): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async stat(key: BlobKey): Promise<{ size: number; modifiedAt: Date } | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return { size: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: BlobKey): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async *list(): AsyncIterable<BlobKey> {
    let top;
    try {
      top = await opendir(this.root);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for await (const first of top) {
      if (!first.isDirectory()) continue;
      for await (const second of await opendir(path.join(this.root, first.name))) {
        if (!second.isDirectory()) continue;
        for await (const file of await opendir(path.join(this.root, first.name, second.name))) {
          if (file.isFile() && KEY_PATTERN.test(file.name)) yield file.name;
        }
      }
    }
  }
}

/**
 * True if the blob exists, after bumping its modified time: a push that reuses an old unreferenced blob
 * must not lose it to garbage collection, whose grace period counts from the last put.
 */
async function refresh(file: string): Promise<boolean> {
  try {
    const now = new Date();
    await utimes(file, now, now);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
