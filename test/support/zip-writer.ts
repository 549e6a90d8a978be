/**
 * A minimal, dependency-free ZIP writer for tests.
 *
 * Unlike a real archiver it does exactly what it is told, which makes it useful for building hostile
 * archives byte by byte: traversal names (`../evil.txt`), duplicate entries, lying sizes and CRCs, a local
 * header that names another file, raw (non-UTF-8) name bytes, Unix modes (symlinks, devices), data
 * descriptors that disagree, Zip64 records, bytes before, between and after entries, end records that
 * miscount, and central records that share or nest inside another entry's local record (the overlapping
 * zip bomb). With no options it writes a plain, well-formed archive.
 * Format: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Entry name, written verbatim (UTF-8). Nothing is normalised or rejected. */
  name: string;
  data: Buffer | string;
  /**
   * Compression method; default 'deflate'. A number writes `data` verbatim as the compressed bytes under
   * that method number (8 with hand-made deflate bytes, 14 for "LZMA", …); give `crc32` and
   * `declaredUncompressedSize` then, as they default to the CRC and length of `data`.
   */
  method?: 'deflate' | 'store' | number;
  /** Uncompressed size to write into the headers instead of the real one. */
  declaredUncompressedSize?: number;
  /** Compressed size to write into the headers (and descriptor) instead of the real one. */
  declaredCompressedSize?: number;
  /** CRC-32 to write into the headers instead of the real one. */
  crc32?: number;
  /** Modification time; default 2024-01-01T00:00:00. */
  date?: Date;
  /** Raw name bytes for both headers instead of the UTF-8 of `name`. */
  nameBytes?: Buffer;
  /** A different name in the local header only (UTF-8). */
  localName?: string | Buffer;
  /** General-purpose flags for both headers; default UTF-8 (bit 11), plus bit 3 with a data descriptor. */
  flags?: number;
  /** Values written into the local header only, overriding what it would otherwise say. */
  local?: { flags?: number; method?: number; crc32?: number; compressedSize?: number; uncompressedSize?: number };
  /** "Version made by": the high byte is the host (0 MS-DOS, 3 Unix); default 20 (MS-DOS, 2.0). */
  versionMadeBy?: number;
  /** External attributes (MS-DOS attributes in the low byte, Unix mode in the high 16 bits); default 0. */
  externalAttributes?: number;
  /** Extra fields appended after the Zip64 field (if any) in the central / local header. */
  centralExtra?: Buffer;
  localExtra?: Buffer;
  /** Write a data descriptor after the data (flag bit 3; local CRC and sizes zero), with or without its signature. */
  dataDescriptor?: false | 'plain' | 'signed';
  /** Values written into the data descriptor instead of the real ones. */
  descriptor?: { crc32?: number; compressedSize?: number; uncompressedSize?: number };
  /** Write Zip64 extra fields: sizes (and, centrally, the offset) as 0xFFFFFFFF with 8-byte values in the field. */
  zip64?: boolean;
  /** Bytes (or that many zero bytes) written after this entry's record, before the next one. */
  gapAfter?: number | Buffer;
  /** No local record of its own: the central record points at entry `pointsAtLocalOf`'s local header, copying its method, flags, CRC and sizes. */
  pointsAtLocalOf?: number;
  /** This entry's whole local record is written at the start of entry `insideDataOf`'s data (which must be stored), and its CRC and sizes grow to match. */
  insideDataOf?: number;
}

export interface WriteZipOptions {
  /** Archive comment written into the end-of-central-directory record. */
  comment?: string | Buffer;
  /** Bytes written before the first entry (offsets still count from the start of the file). */
  prefix?: Buffer;
  /** Entry count written into the end record(s) instead of the real one. */
  declaredEntryCount?: number;
  /** Central directory size written into the end record(s) instead of the real one. */
  declaredCentralDirectorySize?: number;
  /** Write a Zip64 end-of-central-directory record and locator; the end record then holds 0xFFFF/0xFFFFFFFF. */
  zip64?: boolean;
  /** Values written into the end record instead of the computed ones (multi-disk fields, say). */
  end?: { disk?: number; directoryDisk?: number; entriesOnDisk?: number; entries?: number };
}

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DATA_DESCRIPTOR = 0x08074b50;
const FLAG_UTF8 = 0x0800;
const FLAG_DESCRIPTOR = 0x0008;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION = 20;
const VERSION_ZIP64 = 45;
const MAX32 = 0xffffffff;

/** An extra field: header id, data size, data. */
export function extraField(id: number, data: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(id, 0);
  header.writeUInt16LE(data.length, 2);
  return Buffer.concat([header, data]);
}

/** An Info-ZIP Unicode Path extra field (0x7075) naming `unicodeName`, for the raw header name `rawName` (its CRC-32 is the raw name's). */
export function unicodePathExtra(unicodeName: string | Buffer, rawName: string | Buffer, version = 1): Buffer {
  const raw = typeof rawName === 'string' ? Buffer.from(rawName, 'utf8') : rawName;
  const head = Buffer.alloc(5);
  head.writeUInt8(version, 0);
  head.writeUInt32LE(zlibCrc32(raw) >>> 0, 1);
  return extraField(0x7075, Buffer.concat([head, typeof unicodeName === 'string' ? Buffer.from(unicodeName, 'utf8') : unicodeName]));
}

/** Entry fields for a Unix mode (e.g. `unixMode(0o120777)` for a symlink): host 3, the mode in the high 16 bits. */
export function unixMode(mode: number): { versionMadeBy: number; externalAttributes: number } {
  return { versionMadeBy: (3 << 8) | 30, externalAttributes: (mode << 16) >>> 0 };
}

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

function u64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer;
}

interface Built {
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Buffer;
  /** Local header + name + extra + data + descriptor. */
  record: Buffer;
  localHeaderLength: number;
}

function build(entry: ZipEntry, nested: Buffer[]): Built {
  let raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
  if (nested.length > 0) {
    if (entry.method !== 'store') throw new Error(`entry '${entry.name}' holds nested records, so it must be stored`);
    raw = Buffer.concat([...nested, raw]);
  }
  const method = entry.method === 'store' ? METHOD_STORE : entry.method === 'deflate' || entry.method === undefined ? METHOD_DEFLATE : entry.method;
  const compressed = typeof entry.method === 'number' || method === METHOD_STORE ? raw : deflateRawSync(raw);
  const crc = (entry.crc32 ?? zlibCrc32(raw)) >>> 0;
  const uncompressedSize = entry.declaredUncompressedSize ?? raw.length;
  const compressedSize = entry.declaredCompressedSize ?? compressed.length;
  const descriptor = entry.dataDescriptor ?? false;
  const flags = entry.flags ?? FLAG_UTF8 | (descriptor ? FLAG_DESCRIPTOR : 0);
  const nameBytes = entry.nameBytes ?? Buffer.from(entry.name, 'utf8');
  const localName = entry.localName === undefined ? nameBytes : typeof entry.localName === 'string' ? Buffer.from(entry.localName, 'utf8') : entry.localName;
  const { time, date } = dosDateTime(entry.date ?? new Date(2024, 0, 1, 0, 0, 0));
  const zip64 = entry.zip64 ?? false;
  const local = entry.local ?? {};

  // With a descriptor the local header says zero: the values were unknown when it was written.
  const localCrc = local.crc32 ?? (descriptor ? 0 : crc);
  const localCompressed = local.compressedSize ?? (descriptor ? 0 : compressedSize);
  const localUncompressed = local.uncompressedSize ?? (descriptor ? 0 : uncompressedSize);
  const localZip64 = zip64 ? extraField(0x0001, Buffer.concat([u64(localUncompressed), u64(localCompressed)])) : Buffer.alloc(0);
  const localExtra = Buffer.concat([localZip64, entry.localExtra ?? Buffer.alloc(0)]);

  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_FILE_HEADER, 0);
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION, 4);
  header.writeUInt16LE(local.flags ?? flags, 6);
  header.writeUInt16LE(local.method ?? method, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  header.writeUInt32LE(localCrc >>> 0, 14);
  header.writeUInt32LE(zip64 ? MAX32 : localCompressed >>> 0, 18);
  header.writeUInt32LE(zip64 ? MAX32 : localUncompressed >>> 0, 22);
  header.writeUInt16LE(localName.length, 26);
  header.writeUInt16LE(localExtra.length, 28);

  const parts = [header, localName, localExtra, compressed];
  if (descriptor) {
    const values = entry.descriptor ?? {};
    const sizes = zip64
      ? Buffer.concat([u64(values.compressedSize ?? compressedSize), u64(values.uncompressedSize ?? uncompressedSize)])
      : Buffer.alloc(8);
    if (!zip64) {
      sizes.writeUInt32LE((values.compressedSize ?? compressedSize) >>> 0, 0);
      sizes.writeUInt32LE((values.uncompressedSize ?? uncompressedSize) >>> 0, 4);
    }
    const head = Buffer.alloc(descriptor === 'signed' ? 8 : 4);
    if (descriptor === 'signed') head.writeUInt32LE(DATA_DESCRIPTOR, 0);
    head.writeUInt32LE((values.crc32 ?? crc) >>> 0, head.length - 4);
    parts.push(head, sizes);
  }
  return {
    method,
    flags,
    crc,
    compressedSize,
    uncompressedSize,
    nameBytes,
    record: Buffer.concat(parts),
    localHeaderLength: header.length + localName.length + localExtra.length,
  };
}

/** Builds a ZIP archive from the given entries (see `ZipEntry` and `WriteZipOptions` for the hostile knobs). */
export function writeZip(entries: readonly ZipEntry[], options: WriteZipOptions = {}): Buffer {
  const built: (Built | undefined)[] = entries.map(() => undefined);
  // Nested records first: the entry that holds them stores them as the start of its data.
  const nestedIn = new Map<number, number[]>();
  entries.forEach((entry, i) => {
    if (entry.insideDataOf !== undefined) nestedIn.set(entry.insideDataOf, [...(nestedIn.get(entry.insideDataOf) ?? []), i]);
  });
  const buildAt = (i: number): Built => {
    const existing = built[i];
    if (existing) return existing;
    const children = (nestedIn.get(i) ?? []).map((child) => buildAt(child).record);
    const result = build(entries[i] as ZipEntry, children);
    built[i] = result;
    return result;
  };
  entries.forEach((entry, i) => {
    if (entry.pointsAtLocalOf === undefined) buildAt(i);
  });

  const prefix = options.prefix ?? Buffer.alloc(0);
  const chunks: Buffer[] = [prefix];
  const offsets: number[] = entries.map(() => -1);
  let offset = prefix.length;
  const place = (i: number, at: number): void => {
    offsets[i] = at;
    let inner = at + (built[i] as Built).localHeaderLength;
    for (const child of nestedIn.get(i) ?? []) {
      place(child, inner);
      inner += (built[child] as Built).record.length;
    }
  };
  entries.forEach((entry, i) => {
    if (entry.pointsAtLocalOf !== undefined || entry.insideDataOf !== undefined) return;
    const record = (built[i] as Built).record;
    place(i, offset);
    chunks.push(record);
    offset += record.length;
    const gap = entry.gapAfter === undefined ? Buffer.alloc(0) : typeof entry.gapAfter === 'number' ? Buffer.alloc(entry.gapAfter) : entry.gapAfter;
    chunks.push(gap);
    offset += gap.length;
  });

  const central: Buffer[] = [];
  entries.forEach((entry, i) => {
    const target = entry.pointsAtLocalOf ?? i;
    const values = built[target];
    if (!values) throw new Error(`entry ${i} points at entry ${target}, which has no local record`);
    const nameBytes = entry.pointsAtLocalOf === undefined ? values.nameBytes : (entry.nameBytes ?? Buffer.from(entry.name, 'utf8'));
    const zip64 = entry.zip64 ?? entries[target]?.zip64 ?? false;
    const localOffset = offsets[target] as number;
    const zip64Extra = zip64 ? extraField(0x0001, Buffer.concat([u64(values.uncompressedSize), u64(values.compressedSize), u64(localOffset)])) : Buffer.alloc(0);
    const extra = Buffer.concat([zip64Extra, entry.centralExtra ?? Buffer.alloc(0)]);
    const { time, date } = dosDateTime(entry.date ?? new Date(2024, 0, 1, 0, 0, 0));

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_DIRECTORY_HEADER, 0);
    header.writeUInt16LE(entry.versionMadeBy ?? (zip64 ? VERSION_ZIP64 : VERSION), 4);
    header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION, 6); // version needed
    header.writeUInt16LE(values.flags, 8);
    header.writeUInt16LE(values.method, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(values.crc, 16);
    header.writeUInt32LE(zip64 ? MAX32 : values.compressedSize >>> 0, 20);
    header.writeUInt32LE(zip64 ? MAX32 : values.uncompressedSize >>> 0, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE((entry.externalAttributes ?? 0) >>> 0, 38);
    header.writeUInt32LE(zip64 ? MAX32 : localOffset, 42);
    central.push(header, nameBytes, extra);
  });

  const centralDirectory = Buffer.concat(central);
  const count = options.declaredEntryCount ?? entries.length;
  const size = options.declaredCentralDirectorySize ?? centralDirectory.length;
  const tail: Buffer[] = [];
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(ZIP64_END, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of the record
    record.writeUInt16LE(VERSION_ZIP64, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(offset + centralDirectory.length), 8);
    locator.writeUInt32LE(1, 16); // total number of disks
    tail.push(record, locator);
  }
  const comment = typeof options.comment === 'string' ? Buffer.from(options.comment, 'utf8') : (options.comment ?? Buffer.alloc(0));
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(options.end?.disk ?? 0, 4);
  end.writeUInt16LE(options.end?.directoryDisk ?? 0, 6);
  end.writeUInt16LE(options.end?.entriesOnDisk ?? (options.zip64 ? 0xffff : count), 8);
  end.writeUInt16LE(options.end?.entries ?? (options.zip64 ? 0xffff : count), 10);
  end.writeUInt32LE(options.zip64 ? MAX32 : size, 12);
  end.writeUInt32LE(options.zip64 ? MAX32 : offset, 16);
  end.writeUInt16LE(comment.length, 20);

  return Buffer.concat([...chunks, centralDirectory, ...tail, end, comment]);
}
