/**
 * The package rules for an uploaded .nupkg, applied to a zip's entry list and a capped entry reader.
 * Every upload is hostile until these pass: entry names that escape the package, duplicate or excess
 * entries, zip bombs, a missing or second nuspec, and files the nuspec names but the package lacks.
 * https://learn.microsoft.com/nuget/reference/nuspec and nuget.org's upload validation.
 */
import { ManifestError, parseNuspec } from './nuspec.ts';
import type { Manifest } from './manifest.ts';
import { clientEntryName, entryFileKey, entryNameProblem } from './entry-name.ts';

export { entryNameProblem } from './entry-name.ts';

/** What a zip entry is, from its attributes: only files and folders belong in a package. */
export type ArchiveEntryType = 'file' | 'directory' | 'symlink' | 'special';

export interface ArchiveEntry {
  /** The name exactly as the archive spells it (decoded from UTF-8; the reader refuses any other encoding). */
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly type: ArchiveEntryType;
}

/** What the package rules need from a zip: its directory, a capped reader, and a full integrity pass. */
export interface PackageArchive {
  /** Size of the archive file in bytes: the zip-bomb limits are relative to it. */
  readonly size: number;
  readonly entries: readonly ArchiveEntry[];
  /** Inflates one entry; fails if it is (or turns out to be) larger than `maxBytes`, or corrupt. */
  read(name: string, maxBytes: number): Promise<Buffer>;
  /** Inflates every entry without keeping it, failing on any size or CRC-32 mismatch. */
  verifyAll(): Promise<void>;
}

export const PACKAGE_LIMITS = {
  /** nuget.org rejects 65,534 or more entries. */
  maxEntries: 65_533,
  maxNuspecBytes: 1024 * 1024,
  /** The sum of declared inflated sizes; a bigger package is treated as a zip bomb. */
  maxInflatedBytes: 4 * 1024 * 1024 * 1024,
  /**
   * The sum of declared inflated sizes may also not pass this floor plus `maxInflationFactor` times the
   * upload's size: real packages (assemblies, XML docs) inflate 2–5×, so this costs them nothing, while a
   * small upload can no longer make every push inflate gigabytes.
   */
  inflationFloorBytes: 64 * 1024 * 1024,
  maxInflationFactor: 20,
  /**
   * Deflate cannot expand its input more than about 1032 times (a 258-byte match per code bit), so an
   * entry declaring more than this per compressed byte is lying about its size, whatever else it holds.
   */
  maxDeflateRatio: 1032,
  maxReadmeBytes: 1024 * 1024,
  maxIconBytes: 1024 * 1024,
  maxLicenseBytes: 1024 * 1024,
} as const;

export class PackageRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageRuleError';
  }
}

export interface InspectedPackage {
  readonly manifest: Manifest;
  readonly nuspecBytes: Buffer;
  readonly readme: Buffer | undefined;
  readonly icon: { readonly bytes: Buffer; readonly contentType: 'image/png' | 'image/jpeg' } | undefined;
  readonly licenseFile: Buffer | undefined;
}

export interface InspectionObserver {
  /** Called once the manifest is read, before the checks that follow it: refusals after this point concern a known package. */
  manifestRead?(manifest: Manifest): void;
}

export async function inspectPackage(archive: PackageArchive, observer: InspectionObserver = {}): Promise<InspectedPackage> {
  const entries = archive.entries;
  if (entries.length === 0) throw new PackageRuleError('the package is an empty zip archive');
  if (entries.length > PACKAGE_LIMITS.maxEntries) {
    throw new PackageRuleError(`the package has ${entries.length} entries; the limit is ${PACKAGE_LIMITS.maxEntries}`);
  }

  const seen = new Map<string, string>();
  let inflatedTotal = 0;
  for (const entry of entries) {
    const problem = entryTypeProblem(entry) ?? entryNameProblem(entry.name) ?? compressionProblem(entry);
    if (problem) throw new PackageRuleError(problem);
    const key = entryFileKey(entry.name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new PackageRuleError(earlier === entry.name ? `the package contains '${entry.name}' twice` : `the entries '${earlier}' and '${entry.name}' name the same file`);
    }
    seen.set(key, entry.name);
    inflatedTotal += entry.uncompressedSize;
  }
  const inflatedLimit = Math.min(PACKAGE_LIMITS.maxInflatedBytes, PACKAGE_LIMITS.inflationFloorBytes + PACKAGE_LIMITS.maxInflationFactor * archive.size);
  if (inflatedTotal > inflatedLimit) {
    throw new PackageRuleError(
      `the package inflates to ${inflatedTotal} bytes from ${archive.size}; the limit for a package of this size is ${inflatedLimit} bytes (a zip bomb?)`,
    );
  }

  const files = entries.filter((entry) => entry.type === 'file');
  // Chosen by the name as NuGet decodes it, which is how clients pick the manifest they install from:
  // `sub%2fA.nuspec` is not at the root for them, and `Other%2enuspec` is a nuspec.
  const nuspecs = files.filter((entry) => clientEntryName(entry.name).toLowerCase().endsWith('.nuspec'));
  const rootNuspecs = nuspecs.filter((entry) => !/[\\/]/.test(clientEntryName(entry.name)));
  if (rootNuspecs.length === 0) throw new PackageRuleError('the package has no .nuspec file at its root');
  if (nuspecs.length > 1) {
    throw new PackageRuleError(`the package has ${nuspecs.length} .nuspec files (${nuspecs.map((e) => e.name).join(', ')}); it must have exactly one, at its root`);
  }
  const nuspecEntry = rootNuspecs[0] as ArchiveEntry;

  // The manifest first: most refusals need only it, and it is small.
  const nuspecBytes = await readCapped(archive, nuspecEntry, PACKAGE_LIMITS.maxNuspecBytes, 'the nuspec');
  let manifest: Manifest;
  try {
    manifest = parseNuspec(decodeUtf8(nuspecBytes, nuspecEntry.name));
  } catch (error) {
    if (error instanceof ManifestError) throw new PackageRuleError(`${nuspecEntry.name}: ${error.message}`);
    throw error;
  }
  observer.manifestRead?.(manifest);

  const findEntry = (path: string, element: string): ArchiveEntry => {
    const wanted = entryFileKey(path);
    const entry = files.find((candidate) => entryFileKey(candidate.name) === wanted);
    if (!entry) throw new PackageRuleError(`${element} names '${path}', but the package has no such file`);
    return entry;
  };

  let readme: Buffer | undefined;
  if (manifest.readmePath !== undefined) {
    if (!/\.md$/i.test(manifest.readmePath)) throw new PackageRuleError(`<readme> '${manifest.readmePath}' must be a .md file`);
    const entry = findEntry(manifest.readmePath, '<readme>');
    readme = await readCapped(archive, entry, PACKAGE_LIMITS.maxReadmeBytes, '<readme>');
    if (readme.length === 0) throw new PackageRuleError(`<readme> '${manifest.readmePath}' is empty`);
    decodeUtf8(readme, entry.name);
  }

  let icon: InspectedPackage['icon'];
  if (manifest.iconPath !== undefined) {
    if (!/\.(png|jpe?g)$/i.test(manifest.iconPath)) {
      throw new PackageRuleError(`<icon> '${manifest.iconPath}' must be a .png, .jpg or .jpeg file`);
    }
    const bytes = await readCapped(archive, findEntry(manifest.iconPath, '<icon>'), PACKAGE_LIMITS.maxIconBytes, '<icon>');
    const contentType = imageType(bytes);
    if (!contentType) throw new PackageRuleError(`<icon> '${manifest.iconPath}' is not a PNG or JPEG image`);
    icon = { bytes, contentType };
  }

  let licenseFile: Buffer | undefined;
  if (manifest.license?.type === 'file') {
    const entry = findEntry(manifest.license.path, '<license>');
    licenseFile = await readCapped(archive, entry, PACKAGE_LIMITS.maxLicenseBytes, '<license>');
    decodeUtf8(licenseFile, entry.name);
  }

  // Every entry is inflated once, so a header that lies about sizes or a corrupt stream is caught now,
  // not by the first client that restores the package.
  await archive.verifyAll();

  return { manifest, nuspecBytes, readme, icon, licenseFile };
}

/** Only files and folders: a symbolic link can point an extracting client anywhere on its disk. */
function entryTypeProblem(entry: ArchiveEntry): string | undefined {
  switch (entry.type) {
    case 'file':
    case 'directory':
      return undefined;
    case 'symlink':
      return `the entry '${entry.name}' is a symbolic link; a package may contain only files and folders`;
    case 'special':
      return `the entry '${entry.name}' is a device, pipe or socket; a package may contain only files and folders`;
  }
}

function compressionProblem(entry: ArchiveEntry): string | undefined {
  if (entry.uncompressedSize <= entry.compressedSize * PACKAGE_LIMITS.maxDeflateRatio) return undefined;
  return (
    `the entry '${entry.name}' declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed bytes, ` +
    `more than deflate can expand them (${PACKAGE_LIMITS.maxDeflateRatio}:1): its headers lie`
  );
}

async function readCapped(archive: PackageArchive, entry: ArchiveEntry, maxBytes: number, element: string): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) {
    throw new PackageRuleError(`${element} '${entry.name}' is ${entry.uncompressedSize} bytes; the limit is ${maxBytes}`);
  }
  return archive.read(entry.name, maxBytes);
}

function decodeUtf8(bytes: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new PackageRuleError(`'${name}' is not valid UTF-8 text`);
  }
}

function imageType(bytes: Buffer): 'image/png' | 'image/jpeg' | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}
