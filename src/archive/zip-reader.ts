/**
 * The one place a zip library is used. Opens a .nupkg on disk, lists its central directory, and inflates
 * entries with a byte cap, checking each entry's size and CRC-32 against its headers as it goes.
 * Entry names are returned raw (decoded, not validated): the package rules in `domain/nupkg.ts` judge them.
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { ArchiveEntry, PackageArchive } from '../domain/nupkg.ts';

export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

const UTF8_FILE_NAME_FLAG = 0x800;
const STORED = 0;

export async function openZipArchive(filePath: string, limits: { maxEntries: number }): Promise<PackageArchive & { close(): void }> {
  const zip = await new Promise<ZipFile>((resolve, reject) => {
    // decodeStrings and validateEntrySizes off: unsafe names and lying sizes reach our own checks, whose
    // messages name the entry, instead of a generic library error.
    yauzl.open(filePath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false }, (error, zipFile) =>
      error ? reject(new ArchiveError(`the package is not a readable zip archive (${error.message})`, { cause: error })) : resolve(zipFile),
    );
  });
  try {
    // The end record states the count: refuse before reading (and holding) a huge central directory.
    if (zip.entryCount > limits.maxEntries) {
      throw new ArchiveError(`the package has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`);
    }
    const rawEntries = await readCentralDirectory(zip);
    const byName = new Map<string, Entry>();
    const entries: ArchiveEntry[] = rawEntries.map((entry) => {
      const name = decodeName(entry);
      if (entry.compressionMethod === STORED && entry.compressedSize !== entry.uncompressedSize) {
        throw new ArchiveError(`'${name}' is corrupt: it is stored uncompressed, yet its headers give two different sizes`);
      }
      if (!byName.has(name)) byName.set(name, entry);
      return { name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize };
    });
    return {
      entries,
      read: async (name, maxBytes) => {
        const entry = byName.get(name);
        if (!entry) throw new ArchiveError(`the package has no entry '${name}'`);
        return inflate(zip, entry, name, maxBytes, true);
      },
      verifyAll: async () => {
        for (const [index, entry] of rawEntries.entries()) {
          await inflate(zip, entry, entries[index]?.name ?? '', Number.POSITIVE_INFINITY, false);
        }
      },
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function readCentralDirectory(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(new ArchiveError(`the package's zip directory is corrupt (${error.message})`, { cause: error })));
    zip.readEntry();
  });
}

function decodeName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return (entry.generalPurposeBitFlag & UTF8_FILE_NAME_FLAG) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
}

/** Inflates one entry, checking its real size and CRC-32 against its headers; keeps the bytes only when asked, so verifying a large package holds no entry in memory. */
async function inflate(zip: ZipFile, entry: Entry, name: string, maxBytes: number, keep: boolean): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) {
    throw new ArchiveError(`'${name}' is ${entry.uncompressedSize} bytes; the limit is ${maxBytes}`);
  }
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    zip.openReadStream(entry, (error, readStream) =>
      error ? reject(new ArchiveError(`cannot read '${name}' (${error.message})`, { cause: error })) : resolve(readStream),
    );
  });
  const chunks: Buffer[] = [];
  let checksum = 0;
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Stop at the first byte past the declared size: the declared sizes are what the zip-bomb cap
      // was checked against, so a lying entry must never inflate further than it claimed.
      if (size > entry.uncompressedSize) {
        throw new ArchiveError(`'${name}' is corrupt: it inflates past the ${entry.uncompressedSize} bytes its headers declare`);
      }
      if (size > maxBytes) throw new ArchiveError(`'${name}' inflates past its limit of ${maxBytes} bytes`);
      checksum = crc32(chunk, checksum);
      if (keep) chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`'${name}' is corrupt (${(error as Error).message})`, { cause: error });
  }
  if (size !== entry.uncompressedSize) {
    throw new ArchiveError(`'${name}' is corrupt: it inflates to ${size} bytes, but its headers declare ${entry.uncompressedSize}`);
  }
  if (checksum !== entry.crc32 >>> 0) throw new ArchiveError(`'${name}' is corrupt: its CRC-32 does not match its header`);
  return Buffer.concat(chunks);
}
