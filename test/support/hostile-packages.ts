/**
 * A corpus of hostile .nupkg uploads, built byte by byte (nothing binary is committed): XML that stalls a
 * parser, zip bombs of every known shape, entry names that turn into traversal once a client decodes or
 * extracts them, and archives that different readers would read differently. Each comes with the message
 * Pallet must refuse it with.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { nuspecXml } from './nupkg-builder.ts';
import { unicodePathExtra, unixMode, writeZip, type ZipEntry } from './zip-writer.ts';

export interface HostilePackage {
  readonly name: string;
  readonly bytes: Buffer;
  /** What the reason phrase must say (after "The package is invalid: "). */
  readonly refusal: RegExp;
}

const MEBIBYTE = 1024 * 1024;

function nuspecEntry(id: string, text = nuspecXml({ id, version: '1.0.0' })): ZipEntry {
  return { name: `${id}.nuspec`, data: text };
}

/** A valid package with `entries` added after its nuspec. */
function packageWith(id: string, entries: ZipEntry[], options: Parameters<typeof writeZip>[1] = {}): Buffer {
  return writeZip([nuspecEntry(id), ...entries], options);
}

/** A package whose nuspec is `metadataXml` wrapped in a package element (hostile shapes go here). */
function packageWithNuspec(id: string, nuspec: string): Buffer {
  return writeZip([nuspecEntry(id, nuspec)]);
}

/**
 * A raw deflate stream of `bytes` zeros built from one flushed 16 MiB block repeated: a few kilobytes per
 * 16 MiB, so gigabytes fit in a small upload, as in a real bomb. Ends with an empty final block.
 */
export function deflatedZeros(bytes: number): Buffer {
  const block = 16 * MEBIBYTE;
  if (bytes % block !== 0) throw new Error('deflatedZeros takes whole 16 MiB blocks');
  const flushed = deflateRawSync(Buffer.alloc(block), { finishFlush: constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array.from({ length: bytes / block }, () => flushed), Buffer.from([0x03, 0x00])]);
}

export function hostilePackages(): HostilePackage[] {
  const wrap = (metadata: string) => `<?xml version="1.0"?><package><metadata>${metadata}</metadata></package>`;
  const zeros3GiB = deflatedZeros(3 * 1024 * MEBIBYTE);
  const zeros1GiB = deflatedZeros(1024 * MEBIBYTE);
  const zeros48MiB = deflatedZeros(48 * MEBIBYTE);
  const zeros16MiB = deflatedZeros(16 * MEBIBYTE);
  // Entry 1 (after the nuspec) holds 16 MiB of zeros; 250 more directory records point at its one record.
  const sharedRecord: ZipEntry[] = [
    { name: 'content/shared.bin', data: zeros16MiB, method: 8, crc32: 0, declaredUncompressedSize: 16 * MEBIBYTE },
    ...Array.from({ length: 250 }, (_, index): ZipEntry => ({ name: `content/copy${index}.bin`, data: '', pointsAtLocalOf: 1 })),
  ];

  return [
    // XML that makes a parser's cost grow faster than the document.
    { name: 'a nuspec nesting 300,000 elements deep', bytes: packageWithNuspec('Hostile.Deep', wrap('<a>'.repeat(300_000))), refusal: /nested more than 32 levels deep/ },
    { name: 'a nuspec with 200,000 elements', bytes: packageWithNuspec('Hostile.Wide', wrap('<b/>'.repeat(200_000))), refusal: /more than 10000 elements/ },
    { name: 'a nuspec element with 50,000 attributes', bytes: packageWithNuspec('Hostile.Attributes', wrap(`<id ${Array.from({ length: 50_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`)), refusal: /more than 32 attributes/ },
    { name: 'a nuspec with 900 KB of text in one element', bytes: packageWithNuspec('Hostile.Text', wrap(`<description>${'x'.repeat(900_000)}</description>`)), refusal: /text of <description> is longer than 131072/ },
    {
      name: 'a nuspec with entities that expand a billion times',
      bytes: packageWithNuspec('Hostile.Laughs', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><package><metadata><id>&lol9;</id></metadata></package>`),
      refusal: /DOCTYPE declaration is not allowed/,
    },
    // Zip bombs.
    {
      name: 'one entry of 3 GiB of zeros in a 3 MB upload',
      bytes: packageWith('Hostile.Zeros', [{ name: 'content/zeros.bin', data: zeros3GiB, method: 8, crc32: 0, declaredUncompressedSize: 3 * 1024 * MEBIBYTE }]),
      refusal: /the package inflates to \d+ bytes from \d+; the limit for a package of this size is \d+ bytes \(a zip bomb\?\)/,
    },
    {
      name: 'an entry that claims 1 MiB and inflates to 1 GiB',
      bytes: packageWith('Hostile.Liar', [{ name: 'lib/liar.dll', data: zeros1GiB, method: 8, crc32: 0, declaredUncompressedSize: MEBIBYTE }]),
      refusal: /'lib\/liar\.dll' is corrupt: it inflates past the 1048576 bytes its headers declare/,
    },
    {
      name: 'an entry that declares more than deflate can expand its bytes to',
      bytes: packageWith('Hostile.Impossible', [{ name: 'lib/x.dll', data: 'x', declaredUncompressedSize: 0xfffffff0 }]),
      refusal: /declares 4294967280 bytes from 3 compressed bytes, more than deflate can expand them/,
    },
    {
      name: '48 MiB of zeros with a wrong CRC-32, found only once inflated',
      bytes: packageWith('Hostile.LateCrc', [{ name: 'content/zeros.bin', data: zeros48MiB, method: 8, crc32: 0x1234, declaredUncompressedSize: 48 * MEBIBYTE }]),
      refusal: /'content\/zeros\.bin' is corrupt: its CRC-32 does not match its header/,
    },
    {
      name: '251 directory entries sharing one compressed record (a 30 KB upload that inflates to 4 GB)',
      bytes: packageWith('Hostile.Overlap', sharedRecord),
      refusal: /overlap: one compressed record is shared by several entries/,
    },
    {
      name: 'an entry whose local record sits inside another entry’s data',
      bytes: packageWith('Hostile.Nested', [{ name: 'content/outer.bin', data: Buffer.alloc(4096, 1), method: 'store' }, { name: 'content/inner.bin', data: 'inner', method: 'store', insideDataOf: 1 }]),
      refusal: /overlap/,
    },
    // Names that become dangerous on the client.
    { name: 'an entry %2e%2e/ that NuGet decodes to ../', bytes: packageWith('Hostile.Dots', [{ name: '%2e%2e/%2e%2e/evil.dll', data: 'MZ' }]), refusal: /escapes the package folder.*decodes to '\.\.\/\.\.\/evil\.dll'/ },
    { name: 'an entry ..%2f', bytes: packageWith('Hostile.Slash', [{ name: 'lib/..%2f..%2fevil.dll', data: 'MZ' }]), refusal: /escapes the package folder/ },
    { name: 'an entry with %5c separators', bytes: packageWith('Hostile.Backslash', [{ name: 'lib%5c..%5c..%5cevil.dll', data: 'MZ' }]), refusal: /escapes the package folder/ },
    { name: 'a doubly encoded traversal', bytes: packageWith('Hostile.Double', [{ name: '%252e%252e/evil.dll', data: 'MZ' }]), refusal: /escapes the package folder/ },
    { name: 'a Windows alternate data stream', bytes: packageWith('Hostile.Stream', [{ name: 'lib/a.dll:evil', data: 'MZ' }]), refusal: /contains ':'/ },
    { name: 'a segment Windows trims to ..', bytes: packageWith('Hostile.Trim', [{ name: 'lib/.. /.. /evil.dll', data: 'MZ' }]), refusal: /ending in a dot or a space/ },
    { name: 'a symbolic link out of the package', bytes: packageWith('Hostile.Link', [{ name: 'lib/link', data: '../../../../etc/passwd', method: 'store', ...unixMode(0o120777) }]), refusal: /'lib\/link' is a symbolic link/ },
    { name: 'a device file', bytes: packageWith('Hostile.Device', [{ name: 'lib/dev', data: '', method: 'store', ...unixMode(0o020666) }]), refusal: /is a device, pipe or socket/ },
    { name: 'a name that is not UTF-8', bytes: packageWith('Hostile.Bytes', [{ name: 'lib/x.dll', nameBytes: Buffer.from([0x6c, 0x69, 0x62, 0x2f, 0xff, 0xfe, 0x2e, 0x64, 0x6c, 0x6c]), data: 'MZ' }]), refusal: /is not valid UTF-8/ },
    { name: 'a non-ASCII name without the UTF-8 flag', bytes: packageWith('Hostile.Codepage', [{ name: 'lib/é.dll', flags: 0, data: 'MZ' }]), refusal: /has non-ASCII bytes but is not marked as UTF-8/ },
    { name: 'a Unicode Path field naming another file', bytes: packageWith('Hostile.Unicode', [{ name: 'lib/a.dll', data: 'MZ', centralExtra: unicodePathExtra('../evil.dll', 'lib/a.dll') }]), refusal: /Unicode Path extra field .*naming it '\.\.\/evil\.dll'/ },
    {
      name: 'a second nuspec that only NuGet sees (its name is percent-encoded)',
      bytes: writeZip([nuspecEntry('Hostile.Shown'), { name: 'Other%2enuspec', data: nuspecXml({ id: 'Hostile.Hidden', version: '9.9.9' }) }]),
      refusal: /the package has 2 \.nuspec files \(Hostile\.Shown\.nuspec, Other%2enuspec\); it must have exactly one, at its root/,
    },
    {
      name: 'a nuspec NuGet reads as being in a folder',
      bytes: writeZip([{ name: 'sub%2fHostile.Folder.nuspec', data: nuspecXml({ id: 'Hostile.Folder', version: '1.0.0' }) }]),
      refusal: /the package has no \.nuspec file at its root/,
    },
    // Archives that readers disagree about.
    { name: 'a local header that names another file', bytes: packageWith('Hostile.Local', [{ name: 'lib/a.dll', localName: '../evil.dll', data: 'MZ' }]), refusal: /the local header of 'lib\/a\.dll' names it '\.\.\/evil\.dll'/ },
    { name: 'an end record that counts one entry fewer', bytes: packageWith('Hostile.Count', [{ name: 'lib/hidden.dll', data: 'MZ' }], { declaredEntryCount: 1 }), refusal: /counts 1 entry, but the directory holds more \(2\)/ },
    { name: 'a fake end record in the archive comment', bytes: packageWith('Hostile.Comment', [{ name: 'lib/a.dll', data: 'MZ' }], { comment: Buffer.concat([Buffer.from('PK\u0005\u0006', 'latin1'), Buffer.alloc(18)]) }), refusal: /comment contains an end-of-central-directory signature/ },
    { name: 'bytes before the first entry', bytes: packageWith('Hostile.Prefix', [{ name: 'lib/a.dll', data: 'MZ' }], { prefix: Buffer.alloc(512, 0x41) }), refusal: /512 bytes before its first entry/ },
    {
      name: 'a stored entry with a data descriptor',
      bytes: packageWith('Hostile.StoredDescriptor', [{ name: 'lib/a.dll', data: 'MZ', method: 'store', dataDescriptor: 'signed' }]),
      refusal: /is stored uncompressed with a data descriptor/,
    },
    { name: 'an encrypted entry', bytes: packageWith('Hostile.Encrypted', [{ name: 'lib/a.dll', data: 'MZ', flags: 0x0801 }]), refusal: /is encrypted/ },
    { name: 'an unsupported compression method', bytes: packageWith('Hostile.Lzma', [{ name: 'lib/a.dll', data: 'MZ', method: 14, crc32: 0, declaredUncompressedSize: 2 }]), refusal: /compression method 14/ },
  ];
}
