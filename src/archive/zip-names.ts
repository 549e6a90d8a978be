/**
 * Entry names as every reader will decode them: UTF-8 only when flagged (APPNOTE 4.4.4 bit 11, appendix D),
 * plain ASCII otherwise, and never a second name in an Info-ZIP Unicode Path extra field (0x7075) that
 * disagrees. https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import { crc32 } from 'node:zlib';
import { ArchiveError } from './archive-error.ts';

/** General-purpose flag bit 11: the name (and comment) is UTF-8. */
export const FLAG_UTF8 = 0x0800;
// ignoreBOM keeps a leading U+FEFF: stripping it would change the name readers see.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a name exactly, or refuses it (showing the undecodable bytes as %XX). */
export function decodeName(bytes: Buffer, flags: number): string {
  if ((flags & FLAG_UTF8) !== 0) {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new ArchiveError(`the entry name '${escapeName(bytes, true)}' is not valid UTF-8`);
    }
  }
  // Unflagged names have no defined encoding: .NET Core reads them as UTF-8, .NET Framework, mono and
  // Windows tools as the OEM code page (437, 850, …). Only ASCII means the same to all of them.
  if (bytes.some((byte) => byte >= 0x80)) {
    throw new ArchiveError(
      `the entry name '${escapeName(bytes, false)}' has non-ASCII bytes but is not marked as UTF-8, so readers would decode it differently`,
    );
  }
  return bytes.toString('latin1');
}

/** A name for a message: control characters shown as %XX so a message stays one readable line. */
export function shown(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Raw name bytes for a message: decodable UTF-8 sequences as text (when `asUtf8`), every other byte and '%' as %XX. */
export function escapeName(bytes: Buffer, asUtf8: boolean): string {
  const pct = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      out += b < 0x20 || b === 0x7f || b === 0x25 ? pct(b) : String.fromCharCode(b);
      i += 1;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (asUtf8 && length > 0 && i + length <= bytes.length) {
      try {
        out += utf8.decode(bytes.subarray(i, i + length));
        i += length;
        continue;
      } catch {
        // not a valid sequence: escape its first byte and go on
      }
    }
    out += pct(b);
    i += 1;
  }
  return out;
}

/**
 * Some readers (Info-ZIP, 7-Zip, libarchive) take an entry's name from its Unicode Path field instead of
 * the header: that field must be well formed, belong to this name (its CRC-32 is the raw name's) and say
 * the same name. Returns the problem (a sentence after the entry's name), or undefined.
 */
export function unicodePathProblem(data: Buffer | undefined, nameBytes: Buffer, name: string): string | undefined {
  if (data === undefined) return undefined;
  if (data.length < 5 || data[0] !== 1) return 'has a malformed Info-ZIP Unicode Path extra field';
  if (data.readUInt32LE(1) !== crc32(nameBytes) >>> 0) {
    return 'has an Info-ZIP Unicode Path extra field whose CRC-32 does not match its name; readers disagree whether to use it';
  }
  let other: string;
  try {
    other = utf8.decode(data.subarray(5));
  } catch {
    return `has an Info-ZIP Unicode Path extra field naming it '${escapeName(data.subarray(5), true)}', which is not valid UTF-8`;
  }
  if (other !== name) return `has an Info-ZIP Unicode Path extra field naming it '${shown(other)}'; readers that use it would see that name`;
  return undefined;
}
