// Property-based tests of package patterns (fast-check): the glob matcher agrees with a reference regex, the
// parser accepts exactly the patterns that can match some valid id, patterns without "*" are exactly the
// valid ids, matching ignores case, and hostile patterns and ids are matched quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId, packageIdProblem } from './package-id.ts';
import { type PackageIdPattern, matchesPattern, parsePackageIdPattern } from './package-id-pattern.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const RUNS = { numRuns: 500 };

/** The meaning of a glob, written the obvious way: escape everything, then let each `*` be `[\s\S]*`. */
function referenceMatches(patternLower: string, idLower: string): boolean {
  const body = patternLower
    .split('*')
    .map((literal) => literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${body}$`).test(idLower);
}

/** Plain data as a store or a worker message would hand it back, not necessarily from the parser. */
function rawPattern(lower: string): PackageIdPattern {
  return { text: lower, lower, kind: lower.includes('*') ? 'glob' : 'id' };
}

// A small alphabet, so random patterns and ids often match, and share the near-misses that break matchers.
const patternText = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 12 });
const idText = fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 14 });

test('the matcher agrees with the reference regex on random patterns and ids', () => {
  fc.assert(
    fc.property(patternText, idText, (pattern, id) => {
      assert.equal(matchesPattern(rawPattern(pattern), id), referenceMatches(pattern, id), `${JSON.stringify(pattern)} ~ ${JSON.stringify(id)}`);
    }),
    { numRuns: 3000 },
  );
});

test('every id matches a pattern made from it by replacing substrings with "*"', () => {
  const idAndCuts = fc
    .string({ unit: fc.constantFrom('a', 'b', 'c', '.', '-'), minLength: 1, maxLength: 20 })
    .chain((id) => fc.tuple(fc.constant(id), fc.array(fc.tuple(fc.nat(id.length), fc.nat(id.length)), { maxLength: 4 })));
  fc.assert(
    fc.property(idAndCuts, ([id, cuts]) => {
      let pattern = id;
      for (const [from, to] of cuts) {
        pattern = pattern.slice(0, Math.min(from, to)) + '*' + pattern.slice(Math.max(from, to));
      }
      assert.equal(matchesPattern(rawPattern(pattern), id), true, `${JSON.stringify(pattern)} ~ ${JSON.stringify(id)}`);
    }),
    RUNS,
  );
});

const WORD = 'abcxyzABCXYZ0189_';
const part = fc.string({ unit: fc.constantFrom(...WORD), minLength: 1, maxLength: 10 });
const validId = fc
  .tuple(part, fc.array(fc.tuple(fc.constantFrom('.', '-'), part), { maxLength: 6 }))
  .map(([first, rest]) => first + rest.map(([separator, p]) => separator + p).join(''))
  .filter((id) => id.length <= MAX_PACKAGE_ID_LENGTH);

// Valid ids with characters changed, inserted or starred, and strings of pattern characters and worse.
const candidatePattern = fc.oneof(
  fc.tuple(validId, fc.nat(), fc.boolean(), fc.constantFrom('*', '**', '.', '-', '..', '.*', '*.', '?', ' ', '/', 'İ', '\u{1F600}')).map(([id, at, replace, inserted]) => {
    const index = at % (id.length + 1);
    return id.slice(0, index) + inserted + id.slice(replace ? index + 1 : index);
  }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '_', '.', '-', '*', '?', ' '), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', '.', '*'), minLength: MAX_PACKAGE_ID_LENGTH - 2, maxLength: MAX_PACKAGE_ID_LENGTH + 2 }),
  fc.string(),
);

test('a pattern is accepted exactly when putting a letter for each "*" gives a valid id, which it then matches', () => {
  fc.assert(
    fc.property(candidatePattern, (text) => {
      const witness = text.replaceAll('*', 'a');
      let pattern: PackageIdPattern | undefined;
      try {
        pattern = parsePackageIdPattern(text);
      } catch (error) {
        assert.ok(error instanceof Error && error.message.length > 0);
      }
      assert.equal(pattern !== undefined, packageIdProblem(witness) === undefined, JSON.stringify(text));
      if (pattern !== undefined) {
        assert.equal(matchesPattern(pattern, lowerPackageId(witness)), true, JSON.stringify(text));
        assert.equal(pattern.kind, text.includes('*') ? 'glob' : 'id');
      }
    }),
    { numRuns: 1000 },
  );
});

function parsesAsId(text: string): boolean {
  try {
    return parsePackageIdPattern(text).kind === 'id';
  } catch {
    return false;
  }
}

test('a pattern without "*" is accepted exactly when it is a valid id, and matches that id alone', () => {
  fc.assert(
    fc.property(fc.oneof(validId, candidatePattern.filter((text) => !text.includes('*'))), validId, (text, otherId) => {
      const valid = packageIdProblem(text) === undefined;
      assert.equal(parsesAsId(text), valid, JSON.stringify(text));
      if (valid) {
        const pattern = parsePackageIdPattern(text);
        assert.equal(matchesPattern(pattern, lowerPackageId(text)), true);
        assert.equal(matchesPattern(pattern, lowerPackageId(otherId)), lowerPackageId(otherId) === lowerPackageId(text));
      }
    }),
    RUNS,
  );
});

test('matching ignores the case of the pattern and of the id', () => {
  const flipCase = (text: string, mask: readonly boolean[]): string =>
    [...text].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c.toLowerCase())).join('');
  fc.assert(
    fc.property(validId, fc.array(fc.boolean(), { minLength: 1 }), fc.array(fc.boolean(), { minLength: 1 }), fc.nat(), (id, patternMask, idMask, cut) => {
      const at = cut % id.length;
      const patternText = `${flipCase(id.slice(0, at), patternMask)}*`;
      assert.equal(matchesPattern(parsePackageIdPattern(patternText), lowerPackageId(flipCase(id, idMask))), true);
      assert.equal(matchesPattern(parsePackageIdPattern(flipCase(id, patternMask)), lowerPackageId(flipCase(id, idMask))), true);
    }),
    RUNS,
  );
});

test('hostile patterns against long ids are matched quickly (< 250 ms, best of 3)', () => {
  const longest = MAX_PACKAGE_ID_LENGTH;
  const patterns = [
    `*${'a*'.repeat((longest - 2) / 2)}b`,
    `${'a*'.repeat((longest - 2) / 2)}ab`,
    `*${'a'.repeat(longest - 3)}b*`,
    `*${'a'.repeat(longest - 2)}b`,
    '*'.repeat(longest),
  ].map((text) => {
    assert.ok(text.length <= longest, `${text.length}`);
    return rawPattern(text);
  });
  const ids = ['a'.repeat(longest), `${'a'.repeat(longest - 1)}c`, 'a'.repeat(200_000), `${'a'.repeat(200_000)}c`];
  for (const pattern of patterns) {
    for (const id of ids) {
      const best = bestOfThreeMs(() => matchesPattern(pattern, id));
      assert.ok(best < 250, `${JSON.stringify(pattern.text.slice(0, 20))}… against ${id.length} chars took ${best.toFixed(1)} ms`);
    }
  }
});
