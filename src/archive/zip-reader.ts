/**
 * Pallet's own strict zip reader (node:fs and node:zlib only). It opens an uploaded .nupkg and validates
 * it as every reader will see it: one end record, one directory holding exactly the entries it counts,
 * local headers that agree with it, entries that tile the file with no overlap (the overlapping zip bomb)
 * and no hidden bytes, names with one meaning, only stored and deflate data, and each entry's real size and
 * CRC-32. Entry names are returned decoded but not judged: the package rules in `domain/nupkg.ts` do that.
 * Format: APPNOTE.TXT, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *
 *   zip-end.ts      the end record and its Zip64 twin: where the directory is
 *   zip-records.ts  pure parsing of the central directory, local headers, descriptors
 *   zip-names.ts    name decoding and the Unicode Path extra field
 *   zip-layout.ts   local headers against the directory; entries tile the file
 *   zip-inflate.ts  capped inflation with size and CRC-32 checks
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ArchiveEntry, PackageArchive } from '../domain/nupkg.ts';
import { ArchiveError } from './archive-error.ts';
import { INFLATE_WHOLE_MAX_BYTES, inflateEntry, SequentialReader, type LocatedEntry } from './zip-inflate.ts';
import { locateEntries, readAt } from './zip-layout.ts';
import { END_SIZE, LOCATOR_SIZE, MAX_COMMENT, ZIP64_END_SIZE, findEndRecord, parseZip64Locator, resolveDirectory, type Directory } from './zip-end.ts';
import { parseCentralDirectory } from './zip-records.ts';

export { ArchiveError };

/** `inflateWholeMaxBytes`: entries up to this compressed size inflate in one call (tests set 0 to stream every entry). */
export async function openZipArchive(
  filePath: string,
  limits: { maxEntries: number; inflateWholeMaxBytes?: number },
): Promise<PackageArchive & { close(): Promise<void> }> {
  const wholeMaxBytes = limits.inflateWholeMaxBytes ?? INFLATE_WHOLE_MAX_BYTES;
  const file = await open(filePath, 'r');
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= file.close());
  try {
    const { size } = await file.stat();
    const directory = await findDirectory(file, size);
    // The end record states the count: refuse before reading (and holding) a huge central directory.
    if (directory.entries > limits.maxEntries) {
      throw new ArchiveError(`the package has ${directory.entries} entries; the limit is ${limits.maxEntries}`);
    }
    // One read for the whole directory: parsing 65,533 entries stays linear.
    const records = parseCentralDirectory(await readAt(file, directory.offset, directory.size), directory.entries);
    const dataStarts = await locateEntries(file, records, directory.offset);
    const located: LocatedEntry[] = records.map((record, index) => ({ ...record, dataStart: dataStarts[index] as number }));
    const inFileOrder = [...located].sort((a, b) => a.dataStart - b.dataStart);
    const byName = new Map<string, LocatedEntry>();
    for (const entry of located) if (!byName.has(entry.name)) byName.set(entry.name, entry);
    const entries: ArchiveEntry[] = records.map(({ name, compressedSize, uncompressedSize, type }) => ({ name, compressedSize, uncompressedSize, type }));
    return {
      size,
      entries,
      read: async (name, maxBytes) => {
        const entry = byName.get(name);
        if (!entry) throw new ArchiveError(`the package has no entry '${name}'`);
        return inflateEntry(new SequentialReader(file, entry.dataStart + entry.compressedSize), entry, maxBytes, true, wholeMaxBytes);
      },
      // In file order (the entries tile the file, checked above), so the archive is read once, forward.
      verifyAll: async () => {
        const reader = new SequentialReader(file, directory.offset);
        for (const entry of inFileOrder) await inflateEntry(reader, entry, Number.POSITIVE_INFINITY, false, wholeMaxBytes);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Finds the end record in the last 22 + 65,535 bytes, and its Zip64 twin when a locator sits right before it. */
async function findDirectory(file: FileHandle, size: number): Promise<Directory> {
  if (size < END_SIZE) throw new ArchiveError('the package is not a readable zip archive (it has no end-of-central-directory record)');
  const tailLength = Math.min(size, END_SIZE + MAX_COMMENT);
  const tailStart = size - tailLength;
  const tail = await readAt(file, tailStart, tailLength);
  const end = findEndRecord(tail, tailStart);
  if (end.offset < LOCATOR_SIZE) return resolveDirectory(end);
  const locatorStart = end.offset - LOCATOR_SIZE;
  const locator = parseZip64Locator(
    locatorStart >= tailStart ? tail.subarray(locatorStart - tailStart, end.offset - tailStart) : await readAt(file, locatorStart, LOCATOR_SIZE),
  );
  if (!locator) return resolveDirectory(end);
  if (locator.zip64EndOffset + ZIP64_END_SIZE > locatorStart) {
    throw new ArchiveError('the package is not a readable zip archive (its Zip64 locator points past itself)');
  }
  return resolveDirectory(end, { bytes: await readAt(file, locator.zip64EndOffset, ZIP64_END_SIZE), offset: locator.zip64EndOffset });
}
