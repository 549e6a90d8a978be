/**
 * Package entry names as the clients that extract them will read them. NuGet's package reader
 * percent-decodes every entry name (`Uri.UnescapeDataString`, because OPC part names written by old
 * `nuget pack` are URI-encoded), so `%2e%2e/x`, `..%2fx` and `a%5c..%5cx` become traversal on extraction.
 * A name is judged both as stored and as decoded, and two names that decode to one file are duplicates.
 * https://github.com/NuGet/NuGet.Client/blob/dev/src/NuGet.Core/NuGet.Packaging/PackageExtraction/ZipArchiveExtensions.cs
 */

/**
 * The name after NuGet's decoding: each `%XX` run that forms ASCII or valid UTF-8 is decoded; bytes of an
 * invalid UTF-8 sequence stay escaped (in upper-case hex), as `Uri.UnescapeDataString` re-escapes them.
 */
export function clientEntryName(name: string): string {
  if (!name.includes('%')) return name;
  return name.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => decodePercentRun(run));
}

function decodePercentRun(run: string): string {
  const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
  let result = '';
  let index = 0;
  while (index < bytes.length) {
    const first = bytes[index] as number;
    const length = first < 0x80 ? 1 : first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
    const sequence = length === 0 ? undefined : bytes.subarray(index, index + length);
    const decoded = sequence && sequence.length === length ? strictUtf8(sequence) : undefined;
    if (decoded === undefined) {
      result += `%${run.slice(index * 3 + 1, index * 3 + 3).toUpperCase()}`;
      index += 1;
    } else {
      result += decoded;
      index += length;
    }
  }
  return result;
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Identity of the file an entry becomes once extracted: decoded as the client decodes it, both separators
 * alike, any casing (Windows and macOS file systems ignore case).
 */
export function entryFileKey(name: string): string {
  return clientEntryName(name).replace(/\\/g, '/').toLowerCase();
}

/**
 * Why an entry name is unsafe or malformed, as stored or as NuGet decodes it; undefined when it is fine.
 * Mirrors NuGet's UnsafePackageEntryException, plus the Windows rules that turn harmless-looking names into
 * other paths on extraction. The name is judged decoded once (what the client extracts) and twice (what
 * nuget.org's own entry check sees, since it decodes names its reader already decoded), so no package is
 * accepted here that nuget.org would refuse as unsafe.
 */
export function entryNameProblem(name: string): string | undefined {
  const once = clientEntryName(name);
  const twice = clientEntryName(once);
  // The most decoded form first: `%2e./x` is a traversal once decoded, and that is the problem to name.
  for (const form of new Set([twice, once, name])) {
    const problem = storedNameProblem(form);
    if (problem !== undefined) return form === name ? problem : `${problem} (the entry name '${name}' decodes to '${form}')`;
  }
  return undefined;
}

function storedNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the package contains an entry with an empty name';
  if (/[\u0000-\u001f\u007f]/.test(name)) return `the entry name ${JSON.stringify(name)} contains control characters`;
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-z]:/i.test(name)) {
    return `the entry '${name}' has an absolute path; package entries must stay inside the package`;
  }
  if (name.includes(':')) return `the entry name '${name}' contains ':', which Windows reads as a drive or an alternate data stream`;
  if (/[\\/][\\/]/.test(name)) return `the entry name '${name}' contains an empty path segment`;
  // A trailing separator marks a folder entry, so the last segment may be empty.
  const segments = name.replace(/\\/g, '/').replace(/\/$/, '').split('/');
  if (segments.some((segment) => segment === '..')) {
    return `the entry '${name}' escapes the package folder ('..' is not allowed in entry names)`;
  }
  if (segments.some((segment) => segment === '.')) return `the entry name '${name}' contains a '.' path segment`;
  // Windows drops trailing dots and spaces from each segment, so `.. ` is `..` and `a.dll.` is `a.dll` there.
  if (segments.some((segment) => /[. ]$/.test(segment))) {
    return `the entry name '${name}' has a path segment ending in a dot or a space, which Windows would rename on extraction`;
  }
  return undefined;
}
