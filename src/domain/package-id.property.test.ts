// Property-based tests of package ids (fast-check): packageIdProblem agrees with the documented rule
// (ASCII letters, digits and '_' in parts joined by single '.' or '-', at most 100 characters, not
// the "$id$" token), and lowerPackageId lowers ASCII letters and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId, packageIdProblem } from './package-id.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const RUNS = { numRuns: 300 };

const WORD = 'abcxyzABCXYZ0189_';
const part = fc.string({ unit: fc.constantFrom(...WORD), minLength: 1, maxLength: 12 });

/** Valid ids from the grammar: part ([.-] part)*. */
const validId = fc
  .tuple(part, fc.array(fc.tuple(fc.constantFrom('.', '-'), part), { maxLength: 8 }))
  .map(([first, rest]) => first + rest.map(([separator, p]) => separator + p).join(''))
  .filter((id) => id.length <= MAX_PACKAGE_ID_LENGTH);

/** The documented rule, written independently of the module's regex. */
function modelIsValid(id: string): boolean {
  if (id.length === 0 || id.length > MAX_PACKAGE_ID_LENGTH) return false;
  const isWordChar = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
  return id.split(/[.-]/).every((p) => p.length > 0 && [...p].every(isWordChar));
}

/** Near-misses: a valid id with one character inserted or replaced, or a separator at an end. */
const nearMiss = fc.oneof(
  fc
    .tuple(validId, fc.nat(), fc.boolean(), fc.constantFrom('.', '-', '..', '.-', '--', ' ', '/', '\\', '$', '+', '\u0130', 'é', '\u00a0', '\n', '\u0000', 'ǅ', '\u{1F600}'))
    .map(([id, at, replace, inserted]) => {
      const i = at % (id.length + 1);
      return id.slice(0, i) + inserted + id.slice(replace ? i + 1 : i);
    }),
  fc.tuple(validId, fc.constantFrom('.', '-', '_')).chain(([id, s]) => fc.constantFrom(s + id, id + s, s + id + s)),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '.', '-', '$', 'i', 'd', ' '), maxLength: 10 }),
  fc.constantFrom('$id$', '$ID$', '$id', 'id$', '_', '__', '.', '-', 'a'.repeat(MAX_PACKAGE_ID_LENGTH + 1), `${'a.'.repeat(50)}b`),
);

test('packageIdProblem accepts every id the grammar generates', () => {
  fc.assert(
    fc.property(validId, (id) => {
      assert.equal(packageIdProblem(id), undefined, id);
    }),
    RUNS,
  );
});

test('packageIdProblem agrees with the documented rule on near-misses and arbitrary strings', () => {
  const agrees = (id: string): void => {
    const problem = packageIdProblem(id);
    assert.equal(problem === undefined, modelIsValid(id), JSON.stringify(id));
    if (problem !== undefined) assert.ok(problem.length > 0);
  };
  fc.assert(fc.property(nearMiss, agrees), { numRuns: 500 });
  fc.assert(fc.property(fc.string(), agrees), RUNS);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), agrees), RUNS);
});

test('ids longer than the limit are refused for their length, whatever they contain', () => {
  fc.assert(
    fc.property(fc.array(validId, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 500 }), (ids, extra) => {
      const id = `${ids.join('.')}.${'a'.repeat(Math.max(extra, MAX_PACKAGE_ID_LENGTH + extra - ids.join('.').length))}`;
      assert.match(packageIdProblem(id) ?? '', new RegExp(`is ${id.length} characters long; the limit is ${MAX_PACKAGE_ID_LENGTH}`));
    }),
    { numRuns: 100 },
  );
});

test('lowerPackageId lowers ASCII letters only, keeps the length, and is idempotent', () => {
  const check = (id: string): void => {
    const lower = lowerPackageId(id);
    assert.equal(lower.length, id.length);
    for (let i = 0; i < id.length; i++) {
      const c = id[i] as string;
      assert.equal(lower[i], c >= 'A' && c <= 'Z' ? String.fromCharCode(c.charCodeAt(0) + 32) : c);
    }
    assert.equal(lowerPackageId(lower), lower);
  };
  fc.assert(fc.property(fc.string(), check), RUNS);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), check), RUNS);
  fc.assert(fc.property(nearMiss, check), RUNS);
  // Regression examples for the non-ASCII letters JavaScript's toLowerCase would change.
  for (const id of ['\u0130d', 'ǅ', 'ΣΑ', 'K', 'Å']) check(id);
});

test('for valid ids the lowercase form is toLowerCase, and still valid', () => {
  fc.assert(
    fc.property(validId, (id) => {
      assert.equal(lowerPackageId(id), id.toLowerCase());
      assert.equal(lowerPackageId(id), id.toUpperCase().toLowerCase());
      assert.equal(packageIdProblem(lowerPackageId(id)), undefined);
    }),
    RUNS,
  );
});

test('worst-case ids at and far over the limit are checked quickly (< 250 ms, best of 3)', () => {
  const at = (unit: string): string => unit.repeat(MAX_PACKAGE_ID_LENGTH).slice(0, MAX_PACKAGE_ID_LENGTH);
  const hostile = [
    ...['a', '.', '-', 'a.', 'a-', 'a.-', '_'].map(at),
    `${at('a').slice(1)}.`,
    `${at('a.').slice(1)}!`,
    `${at('a-').slice(0, -1)}-`,
    ...['a', 'a.', '.', 'a-'].map((unit) => unit.repeat(200_000)),
  ];
  for (const id of hostile) {
    const best = bestOfThreeMs(() => {
      packageIdProblem(id);
      lowerPackageId(id);
    });
    assert.ok(best < 250, `${JSON.stringify(id.slice(0, 30))}… (${id.length} chars) took ${best.toFixed(1)} ms`);
  }
});

