/**
 * Finds the central directory: the end-of-central-directory record (APPNOTE 4.3.16), and the Zip64 end
 * record and locator (4.3.14, 4.3.15) when they are there. Pure parsing from Buffers.
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import { ArchiveError } from './archive-error.ts';
import { MAX16, MAX32, MULTI_DISK, SIG, u64 } from './zip-records.ts';

export const END_SIZE = 22;
export const MAX_COMMENT = 0xffff;
export const LOCATOR_SIZE = 20;
export const ZIP64_END_SIZE = 56;

export interface EndRecord {
  /** Offset of the end record in the file. */
  readonly offset: number;
  readonly disk: number;
  readonly directoryDisk: number;
  readonly entriesOnDisk: number;
  readonly entries: number;
  readonly directorySize: number;
  readonly directoryOffset: number;
}

const END_SIGNATURE = Buffer.alloc(4);
END_SIGNATURE.writeUInt32LE(SIG.end);

/** Finds the end-of-central-directory record in the file's last bytes (`tail` starts at `tailStart`). */
export function findEndRecord(tail: Buffer, tailStart: number): EndRecord {
  const candidates: number[] = [];
  // Every place the signature occurs, last first (a native search, not a byte-by-byte loop over 64 KiB).
  for (let p = tail.length >= END_SIZE ? tail.lastIndexOf(END_SIGNATURE, tail.length - END_SIZE) : -1; p >= 0; p = p === 0 ? -1 : tail.lastIndexOf(END_SIGNATURE, p - 1)) {
    // The record's comment must reach exactly to the end of the file: anything else is not the record.
    if (p + END_SIZE + tail.readUInt16LE(p + 20) === tail.length) candidates.push(p);
  }
  if (candidates.length === 0) throw new ArchiveError('the package is not a readable zip archive (it has no end-of-central-directory record)');
  const p = candidates[0] as number;
  // Readers that take the last signature they find (without checking the comment length) would read a fake
  // record hidden in the comment and so a different directory.
  if (candidates.length > 1 || tail.indexOf(END_SIGNATURE, p + 1) !== -1) {
    throw new ArchiveError('the archive comment contains an end-of-central-directory signature; readers could disagree where the directory is');
  }
  return {
    offset: tailStart + p,
    disk: tail.readUInt16LE(p + 4),
    directoryDisk: tail.readUInt16LE(p + 6),
    entriesOnDisk: tail.readUInt16LE(p + 8),
    entries: tail.readUInt16LE(p + 10),
    directorySize: tail.readUInt32LE(p + 12),
    directoryOffset: tail.readUInt32LE(p + 16),
  };
}

/** The Zip64 end-of-central-directory locator (20 bytes just before the end record), if that is what they are. */
export function parseZip64Locator(bytes: Buffer): { zip64EndOffset: number } | undefined {
  if (bytes.length < LOCATOR_SIZE || bytes.readUInt32LE(0) !== SIG.zip64Locator) return undefined;
  if (bytes.readUInt32LE(4) !== 0 || bytes.readUInt32LE(16) > 1) throw new ArchiveError(MULTI_DISK);
  return { zip64EndOffset: u64(bytes, 8, 'the Zip64 end-of-directory offset') };
}

export interface Directory {
  readonly entries: number;
  readonly offset: number;
  readonly size: number;
  /** Where the directory must end: the Zip64 end record if there is one, else the end record. */
  readonly end: number;
}

/**
 * Combines the end record with its Zip64 twin (`zip64` holds the 56-byte fixed part at `zip64Offset`, whose
 * record must end exactly at the locator). Readers that know Zip64 and readers that do not must agree.
 */
export function resolveDirectory(end: EndRecord, zip64?: { bytes: Buffer; offset: number }): Directory {
  let directory: Directory & { disk: number; directoryDisk: number; entriesOnDisk: number };
  if (!zip64) {
    directory = { ...end, offset: end.directoryOffset, size: end.directorySize, end: end.offset };
  } else {
    const z = zip64.bytes;
    if (z.length < ZIP64_END_SIZE || z.readUInt32LE(0) !== SIG.zip64End) {
      throw new ArchiveError('the package is not a readable zip archive (its Zip64 locator points at no Zip64 end-of-directory record)');
    }
    // A gap between the Zip64 record and its locator could hold a second record for readers that search for it.
    if (zip64.offset + 12 + u64(z, 4, 'the Zip64 end record size') !== end.offset - LOCATOR_SIZE) {
      throw new ArchiveError('the Zip64 end-of-directory record does not end where its locator begins');
    }
    const pick = (name: string, short: number, max: number, long: number): number => {
      if (short === max || short === long) return long;
      throw new ArchiveError(`the end-of-directory record and its Zip64 twin disagree about ${name} (${short} and ${long})`);
    };
    directory = {
      disk: pick('the disk number', end.disk, MAX16, z.readUInt32LE(16)),
      directoryDisk: pick('the directory disk', end.directoryDisk, MAX16, z.readUInt32LE(20)),
      entriesOnDisk: pick('the number of entries', end.entriesOnDisk, MAX16, u64(z, 24, 'the number of entries')),
      entries: pick('the number of entries', end.entries, MAX16, u64(z, 32, 'the number of entries')),
      size: pick('the directory size', end.directorySize, MAX32, u64(z, 40, 'the directory size')),
      offset: pick('the directory offset', end.directoryOffset, MAX32, u64(z, 48, 'the directory offset')),
      end: zip64.offset,
    };
  }
  if (directory.disk !== 0 || directory.directoryDisk !== 0 || directory.entriesOnDisk !== directory.entries) throw new ArchiveError(MULTI_DISK);
  // Readers that locate the directory by its offset and readers that step back from the end record by its
  // size (Info-ZIP, to allow for prepended bytes) must find the same bytes.
  if (directory.offset + directory.size !== directory.end) {
    throw new ArchiveError(
      `the central directory (offset ${directory.offset}, ${directory.size} bytes) does not end where the end-of-directory record begins (offset ${directory.end})`,
    );
  }
  return { entries: directory.entries, offset: directory.offset, size: directory.size, end: directory.end };
}
