/**
 * The package patterns of nuget.org's scoped API keys: which package ids a key may act on. A pattern is a
 * package id (`Contoso.Utilities`), or a glob where `*` stands for any run of characters, empty included
 * (`Contoso.*`, `*.Abstractions`, `Contoso.*.Core`, `*`). As on nuget.org, `*` is the only wildcard (its
 * matcher escapes the pattern and turns each `*` into `.*`) and matching ignores case, as package ids do.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 *
 * A pattern is plain data, so it can be stored as it is and posted to a worker thread.
 */
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId } from './package-id.ts';

export interface PackageIdPattern {
  /** As written, for showing back to people. */
  readonly text: string;
  /** `text` with ASCII letters lowered (`lowerPackageId`): what ids in their lowercase form are matched against. */
  readonly lower: string;
  /** `'id'` when there is no `*`, so the pattern names exactly one package. */
  readonly kind: 'glob' | 'id';
}

const WILDCARD = '*';

// Anything but what a package id may contain (see package-id.ts) and the wildcard. The `u` flag makes a match
// a whole code point, so the message shows an emoji rather than half of one.
const NOT_PATTERN_CHARACTER = /[^A-Za-z0-9_.*-]/u;

const SEPARATORS = '.-';
const SEPARATOR_PAIR = /[.-]{2}/;

/** The pattern, or an `Error` saying which rule the text breaks. */
export function parsePackageIdPattern(text: string): PackageIdPattern {
  const problem = patternProblem(text);
  if (problem !== undefined) throw new Error(problem);
  return { text, lower: lowerPackageId(text), kind: text.includes(WILDCARD) ? 'glob' : 'id' };
}

function patternProblem(text: string): string | undefined {
  if (text.length === 0) {
    return 'The package pattern is empty; write a package id such as "Contoso.Utilities", or a glob such as "Contoso.*" where "*" matches any run of characters.';
  }
  const quoted = JSON.stringify(text);
  // Checked first, so past the limit the work is this comparison and nothing else.
  if (text.length > MAX_PACKAGE_ID_LENGTH) {
    return `The package pattern ${quoted} is ${text.length} characters long; the limit is ${MAX_PACKAGE_ID_LENGTH}, the longest a package id can be.`;
  }
  const badCharacter = NOT_PATTERN_CHARACTER.exec(text)?.[0];
  if (badCharacter !== undefined) {
    // nuget.org's matcher documents "?" as a wildcard but escapes it like any other character.
    const wildcardHint = badCharacter === '?' ? ' "*" is the only wildcard.' : '';
    return (
      `The package pattern ${quoted} contains ${JSON.stringify(badCharacter)}, which no package id can contain; ` +
      `use ASCII letters, digits, "_", "." and "-", and "*" for any run of characters.${wildcardHint}`
    );
  }
  // A `*` can always stand for a letter, so the pattern can match some id unless its own characters put a
  // separator where an id never has one.
  const neverMatches = `The package pattern ${quoted} can never match a package id:`;
  if (SEPARATORS.includes(text[0] as string)) {
    return `${neverMatches} it starts with "${text[0]}", and an id starts with a letter, digit or "_".`;
  }
  if (SEPARATORS.includes(text[text.length - 1] as string)) {
    return `${neverMatches} it ends with "${text[text.length - 1]}", and an id ends with a letter, digit or "_".`;
  }
  const separatorPair = SEPARATOR_PAIR.exec(text)?.[0];
  if (separatorPair !== undefined) {
    return `${neverMatches} it has "${separatorPair}", and an id never has two of "." and "-" in a row.`;
  }
  return undefined;
}

/** Whether the pattern names the package whose id, lowered by `lowerPackageId`, is `idLower`. */
export function matchesPattern(pattern: PackageIdPattern, idLower: string): boolean {
  const literals = pattern.lower.split(WILDCARD);
  if (literals.length === 1) return idLower === pattern.lower;
  // The first literal run must start the id and the last must end it. Each run between is taken at its
  // leftmost place after the run before, which never loses a match when `*` is the only wildcard: an earlier
  // place leaves the rest of the pattern more of the id to match. So each run is searched for once, left to
  // right, with no backtracking, and no pattern can make matching blow up.
  const first = literals[0] as string;
  const last = literals[literals.length - 1] as string;
  if (!idLower.startsWith(first)) return false;
  let matchedUpTo = first.length;
  for (let index = 1; index < literals.length - 1; index++) {
    const literal = literals[index] as string;
    const found = idLower.indexOf(literal, matchedUpTo);
    if (found === -1) return false;
    matchedUpTo = found + literal.length;
  }
  // The last run must not reuse characters the runs before it already matched (`a*a` does not match `a`).
  return idLower.length - last.length >= matchedUpTo && idLower.endsWith(last);
}
