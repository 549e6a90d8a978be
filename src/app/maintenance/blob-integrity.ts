/** Reading blobs back to prove they are what their key says: the hash of the bytes is the key. */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobKey, BlobStore } from '../ports.ts';

export type BlobCheck = { readonly state: 'intact'; readonly size: number } | { readonly state: 'missing' } | { readonly state: 'corrupt'; readonly size: number; readonly actualKey: string };

/** Reads the whole blob and compares the SHA-512 of its bytes with its key. */
export async function checkBlob(blobs: BlobStore, key: BlobKey): Promise<BlobCheck> {
  const stream = await blobs.open(key);
  if (!stream) return { state: 'missing' };
  const hash = createHash('sha512');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  const actualKey = hash.digest('hex');
  return actualKey === key ? { state: 'intact', size } : { state: 'corrupt', size, actualKey };
}

export class BlobCopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobCopyError';
  }
}

/**
 * Copies a blob from one store to another through a synced temp file in `tempDir` (on the target's file
 * system), hashing on the way: a corrupt or missing source blob is never copied as if it were good. The
 * copy replaces whatever the target held under the key (a damaged earlier copy).
 */
export async function copyBlobVerified(source: BlobStore, target: BlobStore, key: BlobKey, tempDir: string): Promise<number> {
  const stream = await source.open(key);
  if (!stream) throw new BlobCopyError(`blob ${key.slice(0, 16)}… is missing from the source`);
  const tempPath = path.join(tempDir, `copy-${randomUUID()}`);
  const hash = createHash('sha512');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(stream, meter, createWriteStream(tempPath, { flags: 'wx', flush: true }));
    const actualKey = hash.digest('hex');
    if (actualKey !== key) throw new BlobCopyError(`blob ${key.slice(0, 16)}… is corrupt in the source: its bytes hash to ${actualKey.slice(0, 16)}…`);
    await target.putFile(key, tempPath, { replace: true });
    return size;
  } finally {
    await rm(tempPath, { force: true });
  }
}
