/**
 * Checks that the local records and the central directory describe one archive: every entry's local header
 * agrees with its central record, and the entries tile the file from byte 0 to the central directory with
 * no overlap and no gap. Streaming readers (which walk local headers from the start) and directory readers
 * (NuGet, unzip, yauzl) then see the same entries with the same bytes.
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT (4.3.6 overall format, 4.3.7, 4.3.9)
 */
import type { FileHandle } from 'node:fs/promises';
import { ArchiveError } from './archive-error.ts';
import { escapeName, FLAG_UTF8, shown, unicodePathProblem } from './zip-names.ts';
import {
  EXTRA_UNICODE_PATH,
  FLAG_DESCRIPTOR,
  FLAGS_SHARED,
  LOCAL_SIZE,
  MAX_DESCRIPTOR,
  localHeaderLength,
  parseDescriptor,
  parseLocalHeader,
  type CentralRecord,
  type DataDescriptor,
  type LocalHeader,
} from './zip-records.ts';

/** Local headers are read through a window: dense archives need few reads, sparse ones read little. */
const WINDOW = 64 * 1024;
const SMALL_READ = 1024;

interface Span {
  readonly record: CentralRecord;
  readonly header: LocalHeader;
  readonly descriptor: DataDescriptor | undefined;
  readonly start: number;
  readonly dataStart: number;
  /** End of the data and its descriptor. */
  readonly end: number;
}

const label = (record: CentralRecord) => `'${shown(record.name)}'`;
const overlap = (a: CentralRecord, b: CentralRecord) =>
  new ArchiveError(`${label(a)} and ${label(b)} overlap: one compressed record is shared by several entries`);

/** Checks every entry's local header and the layout; returns where each entry's data starts, by directory index. */
export async function locateEntries(file: FileHandle, records: readonly CentralRecord[], directoryStart: number): Promise<number[]> {
  const sorted = [...records].sort((a, b) => a.localOffset - b.localOffset || a.index - b.index);
  // First on the central values alone, before reading anything: a shared or nested local record (the
  // overlapping zip bomb, many entries inflating one small record) is reported as what it is.
  for (const [i, record] of sorted.entries()) {
    if (record.localOffset + LOCAL_SIZE > directoryStart) {
      throw new ArchiveError(`the local header of ${label(record)} (offset ${record.localOffset}) is not before the central directory (offset ${directoryStart})`);
    }
    const next = sorted[i + 1];
    if (next && next.localOffset < record.localOffset + LOCAL_SIZE + record.compressedSize) throw overlap(record, next);
  }

  const reader = new WindowReader(file, directoryStart);
  const spans: Span[] = [];
  for (const [i, record] of sorted.entries()) {
    const nextOffset = sorted[i + 1]?.localOffset ?? directoryStart;
    const ahead = (at: number) => (nextOffset - at <= WINDOW ? WINDOW : SMALL_READ);
    const start = record.localOffset;
    const headerLength = localHeaderLength(reader.cached(start, LOCAL_SIZE) ?? (await reader.load(start, LOCAL_SIZE, ahead(start))));
    if (headerLength === undefined) throw new ArchiveError(`the local header of ${label(record)} is missing (offset ${start} holds no local file header)`);
    const dataStart = start + headerLength;
    const dataEnd = dataStart + record.compressedSize;
    if (dataEnd > directoryStart) throw new ArchiveError(`the data of ${label(record)} runs into the central directory`);
    const header = parseLocalHeader(reader.cached(start, headerLength) ?? (await reader.load(start, headerLength, ahead(start))), () => label(record));
    let descriptor: DataDescriptor | undefined;
    if ((record.flags & FLAG_DESCRIPTOR) !== 0) {
      // APPNOTE 4.3.9: 8-byte sizes when the entry is Zip64. The signature is optional; readers that look for it
      // and readers that do not agree as long as the values match the central ones (checked below).
      const wide = header.zip64 || record.compressedSize > 0xffffffff || record.uncompressedSize > 0xffffffff;
      const length = Math.min(MAX_DESCRIPTOR, directoryStart - dataEnd);
      const bytes = reader.cached(dataEnd, length) ?? (await reader.load(dataEnd, length, ahead(dataEnd)));
      descriptor = parseDescriptor(bytes, wide);
      if (!descriptor) throw new ArchiveError(`the data descriptor of ${label(record)} runs into the central directory`);
    }
    spans.push({ record, header, descriptor, start, dataStart, end: dataEnd + (descriptor?.length ?? 0) });
  }

  for (const [i, span] of spans.entries()) {
    const next = spans[i + 1];
    if (next && next.start < span.end) throw overlap(span.record, next.record);
  }
  const dataStarts: number[] = [];
  for (const span of [...spans].sort((a, b) => a.record.index - b.record.index)) {
    compareLocal(span);
    dataStarts.push(span.dataStart);
  }

  // Bytes that belong to no entry are where a streaming reader (or one that scans for signatures) could
  // find an entry the directory does not list: before the first entry (a self-extractor stub, or a hidden
  // archive), between entries, or before the directory.
  const first = spans[0];
  if (!first) {
    if (directoryStart !== 0) throw new ArchiveError(`the package has ${directoryStart} bytes before its central directory that belong to no entry`);
    return dataStarts;
  }
  if (first.start !== 0) throw new ArchiveError(`the package has ${first.start} bytes before its first entry ${label(first.record)} that belong to no entry`);
  for (const [i, span] of spans.entries()) {
    const next = spans[i + 1];
    const gapEnd = next ? next.start : directoryStart;
    if (gapEnd !== span.end) {
      const where = next ? `between ${label(span.record)} and ${label(next.record)}` : `between the last entry ${label(span.record)} and the central directory`;
      throw new ArchiveError(`the ${gapEnd - span.end} bytes ${where} belong to no entry`);
    }
  }
  return dataStarts;
}

/** A reader that sees the local header sees the same entry as one that reads the central directory. */
function compareLocal({ record, header, descriptor }: Span): void {
  const local = () => `the local header of ${label(record)}`;
  if (!header.nameBytes.equals(record.nameBytes)) {
    throw new ArchiveError(`${local()} names it '${escapeName(header.nameBytes, (header.flags & FLAG_UTF8) !== 0)}'`);
  }
  if (header.method !== record.method) {
    throw new ArchiveError(`${local()} gives compression method ${header.method}, but the central directory gives ${record.method}`);
  }
  if ((header.flags & FLAGS_SHARED) !== (record.flags & FLAGS_SHARED)) {
    throw new ArchiveError(`${local()} has flags ${hex(header.flags, 4)}, but the central directory has ${hex(record.flags, 4)}`);
  }
  const unicode = unicodePathProblem(header.extras.get(EXTRA_UNICODE_PATH), header.nameBytes, record.name);
  if (unicode) throw new ArchiveError(`${local()} ${unicode}`);
  // With a data descriptor the local values may be zero (unknown when the header was written), never different.
  agree(header, local, descriptor !== undefined, record);
  if (descriptor) agree(descriptor, () => `the data descriptor of ${label(record)}`, false, record);
}

function agree(values: Pick<CentralRecord, 'crc32' | 'compressedSize' | 'uncompressedSize'>, where: () => string, zeroAllowed: boolean, record: CentralRecord): void {
  for (const [field, what] of [['crc32', 'CRC-32'], ['compressedSize', 'compressed size'], ['uncompressedSize', 'size']] as const) {
    const value = values[field];
    if (value !== record[field] && !(zeroAllowed && value === 0)) {
      const format = (n: number) => (field === 'crc32' ? hex(n, 8) : String(n));
      throw new ArchiveError(`${where()} gives its ${what} as ${format(value)}, but the central directory gives ${format(record[field])}`);
    }
  }
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** Serves small reads from one cached window of the file, up to `limit` (the central directory's start). */
class WindowReader {
  private buffer: Buffer = Buffer.alloc(0);
  private start = 0;
  private readonly file: FileHandle;
  private readonly limit: number;

  constructor(file: FileHandle, limit: number) {
    this.file = file;
    this.limit = limit;
  }

  /** The bytes, when the window holds them (no await per entry: most reads of a dense archive hit the window). */
  cached(offset: number, length: number): Buffer | undefined {
    const from = offset - this.start;
    return from >= 0 && from + length <= this.buffer.length ? this.buffer.subarray(from, from + length) : undefined;
  }

  async load(offset: number, length: number, readAhead: number): Promise<Buffer> {
    this.buffer = await readAt(this.file, offset, Math.min(Math.max(length, readAhead), this.limit - offset));
    this.start = offset;
    return this.buffer.subarray(0, length);
  }
}

/** Reads exactly `length` bytes at `offset`. */
export async function readAt(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) throw new ArchiveError('the package is truncated');
    done += bytesRead;
  }
  return buffer;
}
