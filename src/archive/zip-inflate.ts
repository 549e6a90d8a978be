/**
 * Inflates one entry from exactly its compressed bytes, checking the real size and CRC-32 against the
 * headers, and stopping at the first byte past the declared size: the declared sizes are what the zip-bomb
 * limits were checked against, so a lying entry never inflates further than it claimed.
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT (4.4.5, 4.4.7)
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import { ArchiveError } from './archive-error.ts';
import { shown } from './zip-names.ts';
import { readAt } from './zip-layout.ts';
import { STORED, type CentralRecord } from './zip-records.ts';

const CHUNK = 64 * 1024;
/**
 * Entries up to this compressed size (and 8 times it inflated) are inflated whole, in memory; larger ones
 * stream, so memory stays flat.
 */
export const INFLATE_WHOLE_MAX_BYTES = 1024 * 1024;

export interface LocatedEntry extends CentralRecord {
  readonly dataStart: number;
}

/** Inflates `entry`; keeps the bytes only when asked, so verifying a large package holds no entry in memory. */
export async function inflateEntry(reader: SequentialReader, entry: LocatedEntry, maxBytes: number, keep: boolean, wholeMaxBytes: number): Promise<Buffer> {
  const name = `'${shown(entry.name)}'`;
  const declared = entry.uncompressedSize;
  if (declared > maxBytes) throw new ArchiveError(`${name} is ${declared} bytes; the limit is ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  let checksum = 0;
  const sink = async (source: AsyncIterable<Buffer> | Iterable<Buffer>) => {
    for await (const chunk of source) {
      size += chunk.length;
      // Throwing here destroys the inflater and the file reads at once (pipeline).
      if (size > declared) throw new ArchiveError(`${name} is corrupt: it inflates past the ${declared} bytes its headers declare`);
      if (size > maxBytes) throw new ArchiveError(`${name} inflates past its limit of ${maxBytes} bytes`);
      checksum = crc32(chunk, checksum);
      if (keep) chunks.push(chunk);
    }
  };
  const source = reader.range(entry.dataStart, entry.compressedSize);
  try {
    if (entry.method === STORED) {
      await sink(source);
    } else if (entry.compressedSize <= wholeMaxBytes && declared <= 8 * wholeMaxBytes) {
      // Small entries (nearly all of a package's) inflate in one call: no stream, no trip to the thread pool
      // per chunk. The output cap is one byte past the declared size, so a lying entry stops right there.
      const parts: Buffer[] = [];
      for await (const part of source) parts.push(part);
      const compressed = Buffer.concat(parts);
      const { buffer, engine } = inflateRawSync(compressed, { maxOutputLength: declared + 1, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      await sink([buffer]);
      if (engine.bytesWritten !== entry.compressedSize) {
        throw new ArchiveError(`${name} is corrupt: its deflate stream ends after ${engine.bytesWritten} of its ${entry.compressedSize} compressed bytes`);
      }
    } else {
      const inflater = createInflateRaw({ chunkSize: CHUNK });
      await pipeline(source, inflater, sink);
      // Trailing bytes inside the compressed size: a reader that finds the entry's end by the end of its
      // deflate stream (a streaming reader, with a data descriptor) would look for the next record there.
      if (inflater.bytesWritten !== entry.compressedSize) {
        throw new ArchiveError(`${name} is corrupt: its deflate stream ends after ${inflater.bytesWritten} of its ${entry.compressedSize} compressed bytes`);
      }
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveError(`${name} is corrupt: it inflates past the ${declared} bytes its headers declare`, { cause: error });
    if (code === 'Z_BUF_ERROR') {
      throw new ArchiveError(`${name} is corrupt: its deflate stream needs more than its ${entry.compressedSize} compressed bytes`, { cause: error });
    }
    if (typeof code === 'string' && code.startsWith('Z_')) throw new ArchiveError(`${name} is corrupt (${(error as Error).message})`, { cause: error });
    throw error;
  }
  if (size !== declared) throw new ArchiveError(`${name} is corrupt: it inflates to ${size} bytes, but its headers declare ${declared}`);
  if (checksum >>> 0 !== entry.crc32 >>> 0) throw new ArchiveError(`${name} is corrupt: its CRC-32 does not match its header`);
  return keep ? Buffer.concat(chunks) : Buffer.alloc(0);
}

/**
 * Reads the file forward in 64 KiB blocks (a fresh buffer each, as zlib may still hold the last one) and
 * hands out exact ranges of it: verifying entries in file order reads the archive once, whatever the
 * number of entries.
 */
export class SequentialReader {
  private block: Buffer = Buffer.alloc(0);
  private blockStart = 0;
  private readonly file: FileHandle;
  private readonly end: number;

  /** Serves ranges of [0, end) of `file`. */
  constructor(file: FileHandle, end: number) {
    this.file = file;
    this.end = end;
  }

  async *range(start: number, length: number): AsyncGenerator<Buffer> {
    const stop = start + length;
    for (let position = start; position < stop; ) {
      if (position < this.blockStart || position >= this.blockStart + this.block.length) {
        this.block = await readAt(this.file, position, Math.min(CHUNK, this.end - position));
        this.blockStart = position;
      }
      const from = position - this.blockStart;
      const to = Math.min(this.block.length, stop - this.blockStart);
      position += to - from;
      yield this.block.subarray(from, to);
    }
  }
}
