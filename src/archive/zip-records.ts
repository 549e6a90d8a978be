/**
 * Pure parsing of zip records from Buffers (no I/O): the central directory, extra fields, local file headers
 * and data descriptors (the end records are in zip-end.ts). Format: APPNOTE.TXT,
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *
 * Every check here exists because some reader would see a different archive than another one does; a
 * package must mean the same thing to Pallet, to NuGet (.NET's ZipArchive), to unzip and to streaming readers.
 */
import type { ArchiveEntryType } from '../domain/nupkg.ts';
import { ArchiveError } from './archive-error.ts';
import { decodeName, FLAG_UTF8, shown, unicodePathProblem } from './zip-names.ts';

export const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
  descriptor: 0x08074b50,
} as const;
export const CENTRAL_SIZE = 46;
export const LOCAL_SIZE = 30;
export const STORED = 0;
export const DEFLATED = 8;
export const FLAG_DESCRIPTOR = 0x0008;
/** Encrypted (bit 0), strong encryption (bit 6), masked local header values (bit 13). */
const FLAGS_ENCRYPTED = 0x0001 | 0x0040 | 0x2000;
/** The flags whose meaning the local header and the central directory must share. */
export const FLAGS_SHARED = FLAGS_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_UTF8;
export const MAX16 = 0xffff;
export const MAX32 = 0xffffffff;
const EXTRA_ZIP64 = 0x0001;
export const EXTRA_UNICODE_PATH = 0x7075;

const METHOD_NAMES: Record<number, string> = {
  1: 'Shrink', 2: 'Reduce', 3: 'Reduce', 4: 'Reduce', 5: 'Reduce', 6: 'Implode', 9: 'Deflate64', 10: 'PKWARE DCL Implode',
  12: 'bzip2', 14: 'LZMA', 18: 'IBM TERSE', 19: 'IBM LZ77', 20: 'zstd', 93: 'zstd', 94: 'MP3', 95: 'xz', 96: 'JPEG', 97: 'WavPack', 98: 'PPMd', 99: 'AES encryption',
};

export const MULTI_DISK = 'the package is a split (multi-disk) zip archive; only single-file archives are supported';

/** A 64-bit field as a number; anything past 2^53 cannot be an offset or size in a real upload. */
export function u64(buffer: Buffer, offset: number, what: string | (() => string)): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ArchiveError(`${typeof what === 'string' ? what : what()} is ${value}, past the largest size this server handles`);
  }
  return Number(value);
}

export interface CentralRecord {
  readonly index: number;
  readonly name: string;
  readonly nameBytes: Buffer;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localOffset: number;
  readonly type: ArchiveEntryType;
}

/** Parses exactly `count` central records filling exactly `dir` (the whole directory, read at once). */
export function parseCentralDirectory(dir: Buffer, count: number): CentralRecord[] {
  const records: CentralRecord[] = [];
  let pos = 0;
  // Readers that trust the count (and stop) and readers that walk the directory to its size must see the
  // same entries: otherwise one entry is never checked here but extracted elsewhere.
  const countProblem = (holds: string) =>
    new ArchiveError(`the end-of-directory record counts ${count} ${count === 1 ? 'entry' : 'entries'}, but the directory holds ${holds}`);
  for (let i = 0; i < count; i += 1) {
    if (pos === dir.length) throw countProblem(`fewer (${i})`);
    const after = i === 0 ? 'the first record' : `the record after '${shown(records[i - 1]?.name ?? '')}'`;
    if (pos + CENTRAL_SIZE > dir.length || dir.readUInt32LE(pos) !== SIG.central) {
      throw new ArchiveError(`the central directory is corrupt: ${after} is not a central file header`);
    }
    const end = pos + recordLength(dir, pos);
    if (end > dir.length) throw new ArchiveError(`the central directory is corrupt: ${after} runs past the directory's end`);
    records.push(parseCentralRecord(dir.subarray(pos, end), i));
    pos = end;
  }
  if (pos < dir.length) {
    let more = count;
    for (let p = pos; p + CENTRAL_SIZE <= dir.length && dir.readUInt32LE(p) === SIG.central; p += recordLength(dir, p)) more += 1;
    if (more > count) throw countProblem(`more (${more})`);
    throw new ArchiveError(`the central directory has ${dir.length - pos} bytes after its last record that are no record`);
  }
  return records;
}

function recordLength(dir: Buffer, pos: number): number {
  return CENTRAL_SIZE + dir.readUInt16LE(pos + 28) + dir.readUInt16LE(pos + 30) + dir.readUInt16LE(pos + 32);
}

function parseCentralRecord(r: Buffer, index: number): CentralRecord {
  const nameLength = r.readUInt16LE(28);
  const extraLength = r.readUInt16LE(30);
  const flags = r.readUInt16LE(8);
  const nameBytes = r.subarray(CENTRAL_SIZE, CENTRAL_SIZE + nameLength);
  const name = decodeName(nameBytes, flags);
  // Labels are built only for messages: shown() for each of 65,533 names would cost more than parsing them.
  const label = () => `'${shown(name)}'`;
  const extras = parseExtraFields(r.subarray(CENTRAL_SIZE + nameLength, CENTRAL_SIZE + nameLength + extraLength), label);
  const sizes = zip64Values(extras.get(EXTRA_ZIP64), label, {
    uncompressedSize: r.readUInt32LE(24),
    compressedSize: r.readUInt32LE(20),
    localOffset: r.readUInt32LE(42),
    disk: r.readUInt16LE(34),
  });
  if (sizes.disk !== 0) throw new ArchiveError(MULTI_DISK);
  const unicode = unicodePathProblem(extras.get(EXTRA_UNICODE_PATH), nameBytes, name);
  if (unicode) throw new ArchiveError(`${label()} ${unicode}`);
  // Encrypted entries cannot be verified here, and readers without the password see nothing.
  if ((flags & FLAGS_ENCRYPTED) !== 0) throw new ArchiveError(`${label()} is encrypted; encrypted packages are not supported`);
  const method = r.readUInt16LE(10);
  if (method !== STORED && method !== DEFLATED) {
    const known = METHOD_NAMES[method];
    throw new ArchiveError(`${label()} uses compression method ${method}${known ? ` (${known})` : ''}; only stored and deflate are supported`);
  }
  // A stored entry's bytes are its content: two sizes means readers that trust either one read differently.
  if (method === STORED && sizes.compressedSize !== sizes.uncompressedSize) {
    throw new ArchiveError(`${label()} is corrupt: it is stored uncompressed, yet its headers give two different sizes`);
  }
  // A streaming reader finds the end of stored data only by scanning for a descriptor signature, which
  // the data itself may contain (followed by a fake local header): it would read other entries.
  if (method === STORED && (flags & FLAG_DESCRIPTOR) !== 0) {
    throw new ArchiveError(`${label()} is stored uncompressed with a data descriptor, which streaming readers cannot find the end of`);
  }
  const type = entryType(r.readUInt16LE(4), r.readUInt32LE(38), name);
  // Extractors create a folder and drop the data; others extract a file: the data would mean different things.
  if (type === 'directory' && sizes.uncompressedSize !== 0) {
    throw new ArchiveError(`${label()} is a directory, yet it declares ${sizes.uncompressedSize} bytes of content`);
  }
  return {
    index,
    name,
    nameBytes: Buffer.from(nameBytes),
    flags,
    method,
    crc32: r.readUInt32LE(16),
    compressedSize: sizes.compressedSize,
    uncompressedSize: sizes.uncompressedSize,
    localOffset: sizes.localOffset,
    type,
  };
}

/** File type from the external attributes: Unix mode bits when made on Unix, else MS-DOS attributes. */
export function entryType(versionMadeBy: number, attributes: number, name: string): ArchiveEntryType {
  const slash = name.endsWith('/');
  if (versionMadeBy >>> 8 === 3) {
    const kind = (attributes >>> 16) & 0o170000;
    if (kind === 0o120000) return 'symlink';
    if (kind === 0o040000) return 'directory';
    if (kind === 0o100000) return slash ? 'directory' : 'file';
    if (kind !== 0) return 'special';
    // No Unix type at all: fall back to the MS-DOS attributes below.
  }
  if ((attributes & 0x400) !== 0) return 'symlink'; // FILE_ATTRIBUTE_REPARSE_POINT: a symlink or junction
  if ((attributes & 0x10) !== 0 || slash) return 'directory';
  return 'file';
}

/**
 * Extra fields as id → data. Malformed blocks and a repeated Zip64 or Unicode Path field are refused:
 * readers that stop early, or take the first or the last copy, would read different values.
 */
export function parseExtraFields(extra: Buffer, label: () => string): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  let pos = 0;
  while (pos < extra.length) {
    if (pos + 4 > extra.length || pos + 4 + extra.readUInt16LE(pos + 2) > extra.length) {
      throw new ArchiveError(`${label()} has malformed extra fields`);
    }
    const id = extra.readUInt16LE(pos);
    const size = extra.readUInt16LE(pos + 2);
    if (fields.has(id) && (id === EXTRA_ZIP64 || id === EXTRA_UNICODE_PATH)) {
      throw new ArchiveError(`${label()} has two extra fields of type 0x${id.toString(16).padStart(4, '0')}`);
    }
    if (!fields.has(id)) fields.set(id, extra.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  return fields;
}

interface Zip64Fields {
  uncompressedSize: number;
  compressedSize: number;
  localOffset: number;
  disk: number;
}

/**
 * APPNOTE 4.5.3: the Zip64 field holds 8-byte values only for the header fields that are 0xFFFFFFFF (and 4
 * bytes for a 0xFFFF disk), in that order. Its size must be exactly that: readers that read the values by
 * position instead would otherwise read other sizes.
 */
function zip64Values(data: Buffer | undefined, label: () => string, short: Zip64Fields): Zip64Fields {
  const wanted = (['uncompressedSize', 'compressedSize', 'localOffset'] as const).filter((key) => short[key] === MAX32);
  const needed = wanted.length * 8 + (short.disk === MAX16 ? 4 : 0);
  if (data === undefined) {
    if (needed === 0) return short;
    throw new ArchiveError(`${label()} has a header field set to 0xFFFFFFFF, but no Zip64 extra field`);
  }
  if (data.length !== needed) throw new ArchiveError(`${label()} has a Zip64 extra field of ${data.length} bytes, but its header needs ${needed}`);
  const values = { ...short };
  wanted.forEach((key, i) => {
    values[key] = u64(data, i * 8, () => `the ${key === 'localOffset' ? 'local header offset' : key === 'compressedSize' ? 'compressed size' : 'size'} of ${label()}`);
  });
  if (short.disk === MAX16) values.disk = data.readUInt32LE(wanted.length * 8);
  return values;
}

export interface LocalHeader {
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly nameBytes: Buffer;
  /** Whether the header carries a Zip64 field: its data descriptor then holds 8-byte sizes. */
  readonly zip64: boolean;
  readonly extras: Map<number, Buffer>;
}

/** Name and extra lengths of the local header at the start of `bytes` (at least 30 bytes), or undefined if it is none. */
export function localHeaderLength(bytes: Buffer): number | undefined {
  if (bytes.readUInt32LE(0) !== SIG.local) return undefined;
  return LOCAL_SIZE + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
}

/** Parses a whole local header (`bytes` is exactly its length). */
export function parseLocalHeader(bytes: Buffer, label: () => string): LocalHeader {
  const nameLength = bytes.readUInt16LE(26);
  const extras = parseExtraFields(bytes.subarray(LOCAL_SIZE + nameLength), () => `the local header of ${label()}`);
  const zip64 = extras.get(EXTRA_ZIP64);
  let uncompressedSize = bytes.readUInt32LE(22);
  let compressedSize = bytes.readUInt32LE(18);
  if (zip64 !== undefined || uncompressedSize === MAX32 || compressedSize === MAX32) {
    // APPNOTE 4.5.3: in a local header the Zip64 field MUST hold both sizes.
    if (zip64?.length !== 16 || uncompressedSize !== MAX32 || compressedSize !== MAX32) {
      throw new ArchiveError(`the local header of ${label()} has a malformed Zip64 extra field (it must hold both sizes, and both header sizes must be 0xFFFFFFFF)`);
    }
    uncompressedSize = u64(zip64, 0, () => `the local size of ${label()}`);
    compressedSize = u64(zip64, 8, () => `the local compressed size of ${label()}`);
  }
  return {
    flags: bytes.readUInt16LE(6),
    method: bytes.readUInt16LE(8),
    crc32: bytes.readUInt32LE(14),
    compressedSize,
    uncompressedSize,
    nameBytes: bytes.subarray(LOCAL_SIZE, LOCAL_SIZE + nameLength),
    zip64: zip64 !== undefined,
    extras,
  };
}

export interface DataDescriptor {
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly length: number;
}

/** How many bytes a data descriptor can take, at most. */
export const MAX_DESCRIPTOR = 24;

/** Parses the data descriptor at the start of `bytes` (signature optional; 8-byte sizes when `wide`), or undefined if too short. */
export function parseDescriptor(bytes: Buffer, wide: boolean): DataDescriptor | undefined {
  const start = bytes.length >= 4 && bytes.readUInt32LE(0) === SIG.descriptor ? 4 : 0;
  const length = start + (wide ? 20 : 12);
  if (bytes.length < length) return undefined;
  return {
    crc32: bytes.readUInt32LE(start),
    compressedSize: wide ? u64(bytes, start + 4, 'a data descriptor size') : bytes.readUInt32LE(start + 4),
    uncompressedSize: wide ? u64(bytes, start + 12, 'a data descriptor size') : bytes.readUInt32LE(start + 8),
    length,
  };
}
