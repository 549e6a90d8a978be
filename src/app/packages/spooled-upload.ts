import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
/** An upload already streamed to a temp file by the HTTP layer, with its size and hash taken on the way. */
export interface SpooledUpload {
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-512: the blob key. */
  readonly sha512Hex: string;
}

/** A file already on disk (a download, a copy of a folder's package) as the push takes it: its size and SHA-512. */
export async function spooledFile(path: string): Promise<SpooledUpload> {
  const hash = createHash('sha512');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { path, size, sha512Hex: hash.digest('hex') };
}
