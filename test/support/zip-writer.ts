/**
 * A minimal, dependency-free ZIP writer for tests.
 *
 * Unlike a real archiver it does exactly what it is told, which makes it
 * useful for building hostile archives: traversal names (`../evil.txt`),
 * absolute names (`/abs`), backslashes (`a\\b`), duplicate entries, lying
 * uncompressed sizes and wrong CRCs.
 */
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Entry name, written verbatim (UTF-8). Nothing is normalised or rejected. */
  name: string;
  data: Buffer | string;
  /** Compression method; default 'deflate'. */
  method?: 'deflate' | 'store';
  /** Uncompressed size to write into the headers instead of the real one. */
  declaredUncompressedSize?: number;
  /** CRC-32 to write into the headers instead of the real one. */
  crc32?: number;
  /** Modification time; default 2024-01-01T00:00:00. */
  date?: Date;
}

export interface WriteZipOptions {
  /** Archive comment written into the end-of-central-directory record. */
  comment?: string;
}

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION = 20;

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/** Builds a ZIP archive (no ZIP64, no data descriptors) from the given entries. */
export function writeZip(entries: readonly ZipEntry[], options: WriteZipOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const method = entry.method === 'store' ? METHOD_STORE : METHOD_DEFLATE;
    const compressed = method === METHOD_DEFLATE ? deflateRawSync(raw) : raw;
    const crc = (entry.crc32 ?? zlibCrc32(raw)) >>> 0;
    const uncompressedSize = entry.declaredUncompressedSize ?? raw.length;
    const name = Buffer.from(entry.name, 'utf8');
    const { time, date } = dosDateTime(entry.date ?? new Date(2024, 0, 1, 0, 0, 0));

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_FILE_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(uncompressedSize >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_DIRECTORY_HEADER, 0);
    header.writeUInt16LE(VERSION, 4); // version made by (MS-DOS)
    header.writeUInt16LE(VERSION, 6); // version needed
    header.writeUInt16LE(FLAG_UTF8, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(uncompressedSize >>> 0, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(0, 30); // extra length
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(0, 38); // external attributes
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, compressed);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
  }

  const centralDirectory = Buffer.concat(central);
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);

  return Buffer.concat([...chunks, centralDirectory, end, comment]);
}
