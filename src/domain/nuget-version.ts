// NuGet package versions: parsing, normalization and ordering, matching
// NuGet.Versioning's NuGetVersion and VersionComparer.Default so that Pallet
// agrees with the NuGet client and nuget.org on identity and sort order.
//
// Identity: two versions are the same package version when their numbers
// (revision included) match and their release labels match ignoring case;
// build metadata never matters. `lower` is the string form of that identity.

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

/**
 * nuget.org refuses versions longer than 64 characters (protocol notes §9.4), so no real version
 * is longer. Checked on the trimmed text before anything else: past it, parsing is one trim and a
 * length check, and within it every step below is bounded by the cap.
 */
export const MAX_VERSION_LENGTH = 64;

// System.Version parses each part with int.TryParse(NumberStyles.Integer),
// which tolerates surrounding ASCII whitespace, so NuGet accepts "1 . 0".
// Signs cannot reach it: '-' and '+' already split the string into sections.
const NUMERIC_PART = /^[\t\n\v\f\r ]*([0-9]+)[\t\n\v\f\r ]*$/;
const IDENTIFIER_CHARS = /^[0-9A-Za-z-]+$/;
const ALL_DIGITS = /^[0-9]+$/;

// NuGet 2.x's SemanticVersion pattern, which nuget.org still enforces for
// versions that are not SemVer 2.0.0.
const LEGACY_VERSION = /^[0-9]+(\s*\.\s*[0-9]+){0,3}(-[a-z][0-9a-z-]*)?$/i;

export class VersionSyntaxError extends Error {
  readonly text: string;

  constructor(text: string, reason: string) {
    super(`'${text}' is not a valid NuGet version: ${reason}`);
    this.name = 'VersionSyntaxError';
    this.text = text;
  }
}

export class NuGetVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly revision: number;
  readonly releaseLabels: readonly string[];
  readonly metadata: string | undefined;
  readonly originalText: string;

  private constructor(
    parts: readonly [number, number, number, number],
    releaseLabels: readonly string[],
    metadata: string | undefined,
    originalText: string,
  ) {
    [this.major, this.minor, this.patch, this.revision] = parts;
    this.releaseLabels = Object.freeze([...releaseLabels]);
    this.metadata = metadata;
    this.originalText = originalText;
  }

  static parse(text: string): NuGetVersion {
    const result = NuGetVersion.parseOrExplain(text);
    if (typeof result === 'string') throw new VersionSyntaxError(text.trim(), result);
    return result;
  }

  static tryParse(text: string): NuGetVersion | undefined {
    const result = NuGetVersion.parseOrExplain(text);
    return typeof result === 'string' ? undefined : result;
  }

  get isPrerelease(): boolean {
    return this.releaseLabels.length > 0;
  }

  get isSemVer2(): boolean {
    return this.metadata !== undefined || this.releaseLabels.length > 1;
  }

  /** ToNormalizedString: the form NuGet shows and uses in URLs (before lowercasing). */
  get normalized(): string {
    let text = `${this.major}.${this.minor}.${this.patch}`;
    if (this.revision > 0) text += `.${this.revision}`;
    if (this.releaseLabels.length > 0) text += `-${this.releaseLabels.join('.')}`;
    return text;
  }

  /** ToFullString: normalized plus build metadata. */
  get full(): string {
    return this.metadata === undefined ? this.normalized : `${this.normalized}+${this.metadata}`;
  }

  /** Identity key and URL form (flat container, registration leaves). */
  get lower(): string {
    return this.normalized.toLowerCase();
  }

  /**
   * A string whose binary ordering is compareVersions ordering, for SQL
   * ORDER BY under a BINARY collation. Numbers are fixed width so no
   * separators are needed between them; '.' is there only for readability.
   */
  get sortKey(): string {
    const numbers = [this.major, this.minor, this.patch, this.revision]
      .map((n) => pad10(n))
      .join('.');
    // '~' sorts above '!', so a release sorts above every prerelease of the
    // same numbers. \u0001 sorts below every label character, so a label
    // list that is a prefix of another sorts first, as NuGet requires.
    if (this.releaseLabels.length === 0) return `${numbers}~`;
    return `${numbers}!${this.releaseLabels.map(labelSortKey).join('\u0001')}`;
  }

  /**
   * nuget.org rejects non-SemVer2 versions that NuGet 2.x could not parse,
   * e.g. a single prerelease label starting with a digit ('1.0.0-1').
   */
  get satisfiesLegacyRule(): boolean {
    // The rule is checked against NuGet's ToString(), which is the original text with spaces
    // removed: '1.0 -beta' is checked as '1.0-beta'. (The pattern has no space before the '-', so
    // testing originalText as is refused it.)
    return this.isSemVer2 || LEGACY_VERSION.test(this.originalText.replaceAll(' ', ''));
  }

  compareTo(other: NuGetVersion): number {
    return compareVersions(this, other);
  }

  /**
   * NuGet's VersionComparer.Default.Equals. It compares labels as strings, so
   * it can disagree with compareTo for numeric labels with a sign ('-01' vs
   * '-1'); that quirk is NuGet's, and keeps equals consistent with `lower`.
   */
  equals(other: NuGetVersion): boolean {
    return (
      this.major === other.major &&
      this.minor === other.minor &&
      this.patch === other.patch &&
      this.revision === other.revision &&
      this.releaseLabels.length === other.releaseLabels.length &&
      this.releaseLabels.every((label, i) => label.toLowerCase() === other.releaseLabels[i]?.toLowerCase())
    );
  }

  toString(): string {
    return this.normalized;
  }

  /** Returns the version, or a reason it is invalid. */
  private static parseOrExplain(input: string): NuGetVersion | string {
    const text = input.trim();
    if (text === '') return 'it is empty';
    if (text.length > MAX_VERSION_LENGTH) {
      return `it is ${text.length} characters long; the limit is ${MAX_VERSION_LENGTH}`;
    }

    // As NuGet's ParseSections: the first '-' or '+' ends the numbers, and the
    // first '+' after a '-' ends the release labels.
    const numbersEnd = text.search(/[-+]/);
    const numbersText = numbersEnd < 0 ? text : text.slice(0, numbersEnd);
    let labelsText: string | undefined;
    let metadataText: string | undefined;
    if (numbersEnd >= 0) {
      const rest = text.slice(numbersEnd + 1);
      if (text[numbersEnd] === '+') {
        metadataText = rest;
      } else {
        const plus = rest.indexOf('+');
        labelsText = plus < 0 ? rest : rest.slice(0, plus);
        metadataText = plus < 0 ? undefined : rest.slice(plus + 1);
      }
    }

    if (numbersText === '') return 'it must start with a number';
    const numberParts = numbersText.split('.');
    if (numberParts.length > 4) return 'it has more than four numeric parts';
    const numbers: [number, number, number, number] = [0, 0, 0, 0];
    for (const [i, part] of numberParts.entries()) {
      const digits = NUMERIC_PART.exec(part)?.[1];
      if (digits === undefined) {
        return part.trim() === ''
          ? 'a numeric part is empty'
          : `numeric part '${part}' is not a whole number`;
      }
      const value = Number(digits);
      if (value > INT32_MAX) return `numeric part '${part.trim()}' is larger than ${INT32_MAX}`;
      numbers[i] = value;
    }

    const releaseLabels: string[] = [];
    if (labelsText !== undefined) {
      for (const label of labelsText.split('.')) {
        if (label === '') return 'pre-release labels must not be empty';
        if (!IDENTIFIER_CHARS.test(label)) {
          return `pre-release label '${label}' may only contain ASCII letters, digits and '-'`;
        }
        if (label.length > 1 && label.startsWith('0') && ALL_DIGITS.test(label)) {
          return 'numeric pre-release labels must not have leading zeros';
        }
        releaseLabels.push(label);
      }
    }

    if (metadataText !== undefined) {
      for (const identifier of metadataText.split('.')) {
        if (identifier === '') return 'build metadata identifiers must not be empty';
        if (!IDENTIFIER_CHARS.test(identifier)) {
          return `build metadata '${metadataText}' may only contain ASCII letters, digits, '-' and '.'`;
        }
      }
    }

    return new NuGetVersion(numbers, releaseLabels, metadataText, text);
  }
}

/** VersionComparer.Default: numbers, then release labels; metadata ignored. */
export function compareVersions(a: NuGetVersion, b: NuGetVersion): number {
  const byNumbers =
    compareNumbers(a.major, b.major) ||
    compareNumbers(a.minor, b.minor) ||
    compareNumbers(a.patch, b.patch) ||
    compareNumbers(a.revision, b.revision);
  if (byNumbers !== 0) return byNumbers;

  const aLabels = a.releaseLabels;
  const bLabels = b.releaseLabels;
  // A release sorts above any prerelease of the same numbers.
  if (aLabels.length === 0 || bLabels.length === 0) {
    return compareNumbers(bLabels.length, aLabels.length);
  }

  const shared = Math.min(aLabels.length, bLabels.length);
  for (let i = 0; i < shared; i++) {
    const result = compareLabels(aLabels[i] as string, bLabels[i] as string);
    if (result !== 0) return result;
  }
  return compareNumbers(aLabels.length, bLabels.length);
}

function compareLabels(a: string, b: string): number {
  const aNumber = labelAsInt32(a);
  const bNumber = labelAsInt32(b);
  if (aNumber !== undefined && bNumber !== undefined) return compareNumbers(aNumber, bNumber);
  if (aNumber !== undefined) return -1;
  if (bNumber !== undefined) return 1;
  // OrdinalIgnoreCase. Labels are ASCII [0-9A-Za-z-] and nothing in that set
  // lies between 'Z' and 'a', so folding to lower case orders like .NET's
  // fold to upper case.
  const aLower = a.toLowerCase();
  const bLower = b.toLowerCase();
  return aLower < bLower ? -1 : aLower > bLower ? 1 : 0;
}

/**
 * int.TryParse as NuGet calls it. Labels can only hold [0-9A-Za-z-], so the
 * only extras it accepts beyond plain digits are a leading '-' sign and, with
 * it, leading zeros ('-01'). Out-of-range numbers are not numeric at all.
 */
function labelAsInt32(label: string): number | undefined {
  if (!/^-?[0-9]+$/.test(label)) return undefined;
  const value = Number(label);
  return value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}

function labelSortKey(label: string): string {
  const number = labelAsInt32(label);
  // Offsetting by 2^31 makes negative labels sort correctly as digits.
  if (number !== undefined) return `0${pad10(number - INT32_MIN)}`;
  return `1${label.toLowerCase()}`;
}

function pad10(n: number): string {
  return String(n).padStart(10, '0');
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
