// Dependency version ranges ("1.0", "[1.0,2.0)", "(,2.0]", "[1.0]"), matching
// NuGet.Versioning's VersionRange, minus floating ranges: a package must pin
// what it depends on, so Pallet rejects '*' outright.
//
// `normalized` is NuGet's ToNormalizedString ("N" format), which is what
// nuget.org writes into the catalog and registration `range` fields. It does
// not use shorthand, so an exact range "[1.0]" normalizes to "[1.0.0, 1.0.0]".

import { NuGetVersion, VersionSyntaxError } from './nuget-version.ts';

/**
 * Room for two bounds of the longest version nuget.org accepts (64 characters each) with brackets,
 * a comma and generous whitespace. Checked on the trimmed text before anything else, so past it
 * parsing is one trim and a length check, and within it every step is bounded by the cap.
 */
export const MAX_VERSION_RANGE_LENGTH = 256;

export class RangeSyntaxError extends Error {
  readonly text: string;

  constructor(text: string, reason: string) {
    super(`'${text}' is not a valid version range: ${reason}`);
    this.name = 'RangeSyntaxError';
    this.text = text;
  }
}

export class VersionRange {
  /** Every version, prerelease or not: a dependency without a version. */
  static readonly all: VersionRange = new VersionRange(undefined, false, undefined, false);

  readonly minVersion: NuGetVersion | undefined;
  /** False when there is no lower bound, as in NuGet. */
  readonly isMinInclusive: boolean;
  readonly maxVersion: NuGetVersion | undefined;
  /** False when there is no upper bound, as in NuGet. */
  readonly isMaxInclusive: boolean;

  constructor(
    minVersion: NuGetVersion | undefined,
    isMinInclusive: boolean,
    maxVersion: NuGetVersion | undefined,
    isMaxInclusive: boolean,
  ) {
    this.minVersion = minVersion;
    this.isMinInclusive = minVersion !== undefined && isMinInclusive;
    this.maxVersion = maxVersion;
    this.isMaxInclusive = maxVersion !== undefined && isMaxInclusive;
  }

  static parse(text: string): VersionRange {
    const result = parseRange(text);
    if (typeof result === 'string') throw new RangeSyntaxError(text.trim(), result);
    return result;
  }

  static tryParse(text: string): VersionRange | undefined {
    const result = parseRange(text);
    return typeof result === 'string' ? undefined : result;
  }

  /** Bounds compare without build metadata, as NuGet's Satisfies does. */
  satisfies(version: NuGetVersion): boolean {
    if (this.minVersion !== undefined) {
      const c = this.minVersion.compareTo(version);
      if (this.isMinInclusive ? c > 0 : c >= 0) return false;
    }
    if (this.maxVersion !== undefined) {
      const c = this.maxVersion.compareTo(version);
      if (this.isMaxInclusive ? c < 0 : c <= 0) return false;
    }
    return true;
  }

  /** A SemVer2 bound makes the dependent package SemVer2 too (nuget.org's rule). */
  get hasSemVer2Bound(): boolean {
    return this.minVersion?.isSemVer2 === true || this.maxVersion?.isSemVer2 === true;
  }

  get hasMetadataBound(): boolean {
    return this.minVersion?.metadata !== undefined || this.maxVersion?.metadata !== undefined;
  }

  /** VersionRangeFormatter "N": always the bracketed two-bound form. */
  get normalized(): string {
    const open = this.isMinInclusive ? '[' : '(';
    const close = this.isMaxInclusive ? ']' : ')';
    const min = this.minVersion?.normalized ?? '';
    const max = this.maxVersion?.normalized ?? '';
    return `${open}${min}, ${max}${close}`;
  }

  toString(): string {
    return this.normalized;
  }
}

/** Returns the range, or a reason it is invalid. Follows VersionRange.TryParse. */
function parseRange(input: string): VersionRange | string {
  const text = input.trim();
  // NuGet's parser rejects an empty string, but every caller (the nuspec
  // reader, the registration client) maps a missing version to All first.
  if (text === '') return VersionRange.all;
  if (text.length > MAX_VERSION_RANGE_LENGTH) {
    return `it is ${text.length} characters long; the limit is ${MAX_VERSION_RANGE_LENGTH}`;
  }
  if (text.includes('*')) {
    return "floating versions ('*') are not allowed in package dependencies; give a fixed version or range";
  }

  const first = text[0];
  if (first !== '[' && first !== '(') {
    const min = parseBound(text, 'version');
    if (typeof min === 'string') return min;
    return new VersionRange(min, true, undefined, false);
  }

  const last = text[text.length - 1];
  if (last !== ']' && last !== ')') return "a range that starts with '[' or '(' must end with ']' or ')'";
  const isMinInclusive = first === '[';
  const isMaxInclusive = last === ']';

  const parts = text.slice(1, -1).split(',');
  if (parts.length > 2) return 'a range has at most one comma';
  // NuGet checks for empty, not blank, parts here: "(,)" is rejected while
  // "(, )" and "[ ]" mean all versions. Kept for parity.
  if (parts.every((p) => p === '')) return 'a range needs at least one bound';
  if (parts.length === 1 && !(isMinInclusive && isMaxInclusive)) {
    return "a single version in brackets means an exact match and must be written '[version]'";
  }

  const minText = parts[0] as string;
  const maxText = parts.length === 2 ? (parts[1] as string) : minText;
  const min = minText.trim() === '' ? undefined : parseBound(minText, 'lower bound');
  if (typeof min === 'string') return min;
  const max = maxText.trim() === '' ? undefined : parseBound(maxText, 'upper bound');
  if (typeof max === 'string') return max;

  if (min !== undefined && max !== undefined) {
    const order = min.compareTo(max);
    if (order > 0) return `the lower bound ${min.normalized} is above the upper bound ${max.normalized}`;
    // Equal bounds are fine when both are included (exact) and, as in NuGet,
    // when both are excluded (a range that matches nothing).
    if (order === 0 && isMinInclusive !== isMaxInclusive) {
      return `the bounds are both ${min.normalized} but only one is inclusive`;
    }
  }

  return new VersionRange(min, isMinInclusive, max, isMaxInclusive);
}

function parseBound(text: string, what: string): NuGetVersion | string {
  try {
    return NuGetVersion.parse(text);
  } catch (error) {
    if (error instanceof VersionSyntaxError) return `${what} ${error.message}`;
    throw error;
  }
}
