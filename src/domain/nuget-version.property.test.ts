// Property-based tests of NuGetVersion (fast-check): parsing and normalization round trips, the
// ordering laws, sortKey's byte order, and that no input throws anything but VersionSyntaxError
// or costs more than a length check once it is over MAX_VERSION_LENGTH.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_VERSION_LENGTH, NuGetVersion, VersionSyntaxError, compareVersions } from './nuget-version.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const INT32_MAX = 2147483647;
const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------------------------
// Generators of valid versions, described by what they mean so the properties can check it.

interface VersionSpec {
  /** The text as generated: leading zeros, optional whitespace around numeric parts, metadata. */
  text: string;
  numbers: [number, number, number, number];
  labels: string[];
  metadata: string | undefined;
}

const whitespace = fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '  ') });

const number = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(9, 10, 99, 100, INT32_MAX - 1, INT32_MAX) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: INT32_MAX }) },
);

const numericPart = fc
  .tuple(number, fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), whitespace, whitespace)
  .map(([value, zeros, before, after]) => ({ value, text: `${before}${'0'.repeat(zeros)}${value}${after}` }));

const labelChar = fc.constantFrom(...'0123456789aAbBzZ-');

// Numeric labels follow the no-leading-zero rule; the rest may start with '0' or '-' ('0A', '-01').
const label = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('alpha', 'Alpha', 'beta', 'BETA', 'rc', 'rc1', 'rc10', 'rc2', 'a', 'A', 'z', '-', 'a-', 'a-b') },
  { weight: 3, arbitrary: fc.oneof(fc.constantFrom('0', '1', '2', '9', '10', '11'), fc.integer({ min: 0, max: INT32_MAX }).map(String)) },
  { weight: 1, arbitrary: fc.constantFrom('2147483647', '2147483648', '99999999999') },
  { weight: 1, arbitrary: fc.constantFrom('-1', '-01', '-0', '-2147483648', '-2147483649', '-10') },
  { weight: 3, arbitrary: fc.string({ unit: labelChar, minLength: 1, maxLength: 6 }).filter((s) => !/^[0-9]+$/.test(s)) },
);

const metadataIdentifier = fc.string({ unit: fc.constantFrom(...'0123456789abcXYZ-'), minLength: 1, maxLength: 5 });

function specOf(
  parts: ReadonlyArray<{ value: number; text: string }>,
  labels: readonly string[],
  metadata: string | undefined,
): VersionSpec {
  const values = parts.map((part) => part.value);
  let text = parts.map((part) => part.text).join('.');
  if (labels.length > 0) text += `-${labels.join('.')}`;
  if (metadata !== undefined) text += `+${metadata}`;
  return {
    text,
    numbers: [values[0] ?? 0, values[1] ?? 0, values[2] ?? 0, values[3] ?? 0],
    labels: [...labels],
    metadata,
  };
}

const versionSpec: fc.Arbitrary<VersionSpec> = fc
  .tuple(
    fc.array(numericPart, { minLength: 1, maxLength: 4 }),
    fc.array(label, { maxLength: 3 }),
    fc.option(fc.array(metadataIdentifier, { minLength: 1, maxLength: 3 }).map((ids) => ids.join('.')), { freq: 3 }),
  )
  .map(([parts, labels, metadata]) => specOf(parts, labels, metadata ?? undefined))
  // Longer texts are refused by the length cap; that has its own property below.
  .filter((spec) => spec.text.trim().length <= MAX_VERSION_LENGTH);

// A narrow generator, so that pairs and triples often tie or differ only in one place.
const narrowSpec: fc.Arbitrary<VersionSpec> = fc
  .tuple(
    fc.array(fc.constantFrom({ value: 0, text: '0' }, { value: 1, text: '1' }, { value: 1, text: '01' }), { minLength: 1, maxLength: 4 }),
    fc.array(
      fc.constantFrom('a', 'A', 'b', 'B', '1', '2', '10', '-1', '-01', '-0', '0', 'a-', '-', '-a', '2147483647', '2147483648', '-2147483648', '-2147483649'),
      { maxLength: 3 },
    ),
    fc.option(fc.constantFrom('m', 'M', '1'), { freq: 3 }),
  )
  .map(([parts, labels, metadata]) => specOf(parts, labels, metadata ?? undefined));

const anySpec = fc.oneof(versionSpec, narrowSpec);

// ---------------------------------------------------------------------------------------------
// An independent model of §9.3's comparison: int.TryParse numbers (BigInt, so no float surprises)
// and OrdinalIgnoreCase by folding to upper case, as .NET does.

function modelNumericLabel(text: string): bigint | undefined {
  if (!/^-?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= -2147483648n && value <= 2147483647n ? value : undefined;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function modelCompare(a: VersionSpec, b: VersionSpec): number {
  for (let i = 0; i < 4; i++) {
    const d = sign((a.numbers[i] as number) - (b.numbers[i] as number));
    if (d !== 0) return d;
  }
  if (a.labels.length === 0 || b.labels.length === 0) return sign(b.labels.length - a.labels.length);
  for (let i = 0; i < Math.min(a.labels.length, b.labels.length); i++) {
    const x = a.labels[i] as string;
    const y = b.labels[i] as string;
    const xn = modelNumericLabel(x);
    const yn = modelNumericLabel(y);
    let d: number;
    if (xn !== undefined && yn !== undefined) d = xn < yn ? -1 : xn > yn ? 1 : 0;
    else if (xn !== undefined) d = -1;
    else if (yn !== undefined) d = 1;
    else {
      const xu = x.toUpperCase();
      const yu = y.toUpperCase();
      d = xu < yu ? -1 : xu > yu ? 1 : 0;
    }
    if (d !== 0) return d;
  }
  return sign(a.labels.length - b.labels.length);
}

function modelNormalized(spec: VersionSpec): string {
  const [major, minor, patch, revision] = spec.numbers;
  let text = `${major}.${minor}.${patch}`;
  if (revision > 0) text += `.${revision}`;
  if (spec.labels.length > 0) text += `-${spec.labels.join('.')}`;
  return text;
}

const parse = (spec: VersionSpec): NuGetVersion => NuGetVersion.parse(spec.text);

function byteOrder(a: NuGetVersion, b: NuGetVersion): number {
  return sign(Buffer.compare(Buffer.from(a.sortKey, 'utf8'), Buffer.from(b.sortKey, 'utf8')));
}

/** Labels that int.TryParse reads as a signed number: the one place NuGet's equals and compare differ. */
const hasSignedNumericLabel = (v: NuGetVersion): boolean => v.releaseLabels.some((l) => /^-[0-9]+$/.test(l));

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

// ---------------------------------------------------------------------------------------------

describe('NuGetVersion properties: valid versions', () => {
  it('parses generated versions into the parts, labels and metadata they were built from', () => {
    fc.assert(
      fc.property(versionSpec, (spec) => {
        const version = parse(spec);
        assert.deepEqual([version.major, version.minor, version.patch, version.revision], spec.numbers);
        assert.deepEqual(version.releaseLabels, spec.labels);
        assert.equal(version.metadata, spec.metadata);
        assert.equal(version.originalText, spec.text.trim());
        assert.equal(version.normalized, modelNormalized(spec));
        assert.equal(NuGetVersion.tryParse(spec.text)?.full, version.full);
      }),
      RUNS,
    );
  });

  it('round-trips through normalized and full, and normalized is idempotent', () => {
    fc.assert(
      fc.property(anySpec, (spec) => {
        const version = parse(spec);
        const again = NuGetVersion.parse(version.normalized);
        assert.equal(again.normalized, version.normalized);
        assert.ok(again.equals(version) && version.equals(again));
        assert.equal(compareVersions(again, version), 0);
        assert.equal(again.metadata, undefined);
        assert.equal(again.full, again.normalized);
        assert.equal(again.lower, version.lower);
        assert.equal(again.sortKey, version.sortKey);

        const fromFull = NuGetVersion.parse(version.full);
        assert.equal(fromFull.full, version.full);
        assert.equal(fromFull.metadata, version.metadata);
        assert.ok(fromFull.equals(version));
      }),
      RUNS,
    );
  });

  it('derives lower, full, isPrerelease and isSemVer2 from the parts', () => {
    fc.assert(
      fc.property(anySpec, (spec) => {
        const version = parse(spec);
        assert.equal(version.lower, version.normalized.toLowerCase());
        assert.equal(version.full, version.normalized + (spec.metadata === undefined ? '' : `+${spec.metadata}`));
        assert.equal(String(version), version.normalized);
        assert.equal(version.isPrerelease, spec.labels.length > 0);
        assert.equal(version.isSemVer2, spec.metadata !== undefined || spec.labels.length > 1);
      }),
      RUNS,
    );
  });
});

describe('NuGetVersion properties: nuget.org legacy rule', () => {
  it('exempts SemVer 2.0.0 versions; otherwise a single label must start with an ASCII letter', () => {
    fc.assert(
      // Spaces only: NuGet's ToString() drops spaces but keeps tabs, and the pattern allows no
      // whitespace before the '-', so '1.0\t-beta' fails the rule there too (asserted below).
      fc.property(anySpec.filter((spec) => !spec.text.includes('\t')), (spec) => {
        const version = parse(spec);
        const expected = version.isSemVer2 || version.releaseLabels.every((l) => /^[A-Za-z]/.test(l));
        assert.equal(version.satisfiesLegacyRule, expected, JSON.stringify(spec.text));
      }),
      // Regression: '1.0 -beta' was refused, as the pattern was run on the text with its space.
      { ...RUNS, examples: [[specOf([{ value: 1, text: '1' }, { value: 0, text: '0 ' }], ['beta'], undefined)]] },
    );
    assert.equal(NuGetVersion.parse('1.0.0  -rc1').satisfiesLegacyRule, true);
    assert.equal(NuGetVersion.parse('1 . 0 -1').satisfiesLegacyRule, false);
    assert.equal(NuGetVersion.parse('1.0\t-beta').satisfiesLegacyRule, false);
    assert.equal(NuGetVersion.parse('1\t.\t0-beta').satisfiesLegacyRule, true);
  });
});

describe('NuGetVersion properties: ordering', () => {
  const pair = fc.oneof(
    fc.tuple(anySpec, anySpec),
    fc.tuple(narrowSpec, narrowSpec),
    // Same numbers, different labels.
    fc.tuple(anySpec, fc.array(label, { maxLength: 3 })).map(([a, labels]): [VersionSpec, VersionSpec] => [
      a,
      { ...a, text: modelNormalized({ ...a, labels }), labels, metadata: undefined },
    ]),
    // One label list a prefix of the other.
    fc.tuple(anySpec, fc.nat({ max: 3 })).map(([a, keep]): [VersionSpec, VersionSpec] => {
      const labels = a.labels.slice(0, keep);
      return [a, { ...a, text: modelNormalized({ ...a, labels }), labels, metadata: undefined }];
    }),
    // Labels cut after one that the other version extends by a character ('a.b' vs 'a-', '1' vs '1a').
    fc.tuple(anySpec, fc.nat({ max: 2 }), fc.constantFrom('-', '0', '9', 'a', 'Z')).map(([a, keep, extra]): [VersionSpec, VersionSpec] => {
      const labels = [...a.labels.slice(0, keep), `${a.labels[keep] ?? 'a'}${extra}`];
      return [a, { ...a, text: modelNormalized({ ...a, labels }), labels, metadata: undefined }];
    }).filter(([, b]) => !b.labels.some((l) => /^0[0-9]+$/.test(l))),
  );

  it('agrees with an independent model of NuGet comparison', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        assert.equal(compareVersions(parse(a), parse(b)), modelCompare(a, b), `${a.text} vs ${b.text}`);
      }),
      RUNS,
    );
  });

  it('is a total preorder: reflexive, antisymmetric and transitive', () => {
    fc.assert(
      fc.property(fc.array(anySpec, { minLength: 1, maxLength: 7 }), (specs) => {
        const versions = specs.map(parse);
        for (const a of versions) {
          assert.equal(compareVersions(a, a), 0);
          for (const b of versions) {
            const ab = compareVersions(a, b);
            assert.ok(ab === -1 || ab === 0 || ab === 1);
            assert.equal(compareVersions(b, a), -ab || 0);
            assert.equal(a.compareTo(b), ab);
            for (const c of versions) {
              const bc = compareVersions(b, c);
              if (ab <= 0 && bc <= 0) assert.ok(compareVersions(a, c) <= 0, `${a.full} <= ${b.full} <= ${c.full}`);
              if (ab === 0 && bc === 0) assert.equal(compareVersions(a, c), 0);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is consistent with equality, which ignores metadata and label case', () => {
    fc.assert(
      fc.property(pair, fc.option(metadataIdentifier), ([aSpec, bSpec], otherMetadata) => {
        const a = parse(aSpec);
        const b = parse(bSpec);
        // Same version with labels in other case and other (or no) metadata: one identity.
        const variant = NuGetVersion.parse(swapCase(a.normalized) + (otherMetadata === null ? '' : `+${otherMetadata}`));
        assert.ok(variant.equals(a) && a.equals(variant));
        assert.equal(compareVersions(variant, a), 0);
        assert.equal(variant.lower, a.lower);
        assert.equal(variant.sortKey, a.sortKey);

        assert.equal(a.equals(b), a.lower === b.lower, 'equals is identity by lower');
        if (a.equals(b)) assert.equal(compareVersions(a, b), 0);
        // The converse fails only for NuGet's documented quirk: '-01' and '-1' compare equal as numbers.
        if (!hasSignedNumericLabel(a) && !hasSignedNumericLabel(b)) {
          assert.equal(compareVersions(a, b) === 0, a.equals(b), `${a.full} vs ${b.full}`);
        }
      }),
      RUNS,
    );
  });

  it('puts a release above every prerelease of the same numbers', () => {
    fc.assert(
      fc.property(anySpec, fc.array(label, { minLength: 1, maxLength: 3 }), (spec, labels) => {
        const release = NuGetVersion.parse(modelNormalized({ ...spec, labels: [] }));
        const prerelease = NuGetVersion.parse(modelNormalized({ ...spec, labels }));
        assert.equal(compareVersions(release, prerelease), 1);
        assert.equal(compareVersions(prerelease, release), -1);
        assert.ok(release.sortKey > prerelease.sortKey);
      }),
      RUNS,
    );
  });

  it('sortKey byte order (SQLite BINARY) and string order both equal compareVersions, pair by pair', () => {
    fc.assert(
      fc.property(pair, ([aSpec, bSpec]) => {
        const a = parse(aSpec);
        const b = parse(bSpec);
        assert.match(a.sortKey, /^[\x01-\x7f]+$/, 'ASCII only, so UTF-8 bytes and UTF-16 units order alike');
        assert.equal(byteOrder(a, b), compareVersions(a, b), `${a.full} vs ${b.full}: ${a.sortKey} vs ${b.sortKey}`);
        assert.equal(a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0, compareVersions(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('sorting by sortKey gives the same ranks as sorting by compareVersions', () => {
    fc.assert(
      fc.property(fc.array(anySpec, { maxLength: 30 }), (specs) => {
        const versions = specs.map(parse);
        const byCompare = [...versions].sort(compareVersions);
        const byKey = [...versions].sort(byteOrder);
        byCompare.forEach((v, i) => assert.equal(compareVersions(v, byKey[i] as NuGetVersion), 0));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** Near-misses: version-shaped text from the characters that matter, plus known edge cases. */
const nearMiss = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789..--++ aZ\t_'), maxLength: 24 }),
  fc
    .tuple(versionSpec, fc.nat(), fc.constantFrom('', '.', '-', '+', '..', '-.', '.-', ' ', '_', '0', '00', 'é', '\u0000', '*'))
    .map(([spec, at, insert]) => {
      const i = at % (spec.text.length + 1);
      return spec.text.slice(0, i) + insert + spec.text.slice(i);
    }),
  fc.constantFrom(
    '1.0.0-', '1..0', '01.0.0-01', '1.0.0-beta.01', '1.0.0+', '1.0.0-+', '1.0.0-+a', '-', '+', '.', '1.', '.1',
    '2147483648', '1.2147483648', '99999999999999999999.0', '1e3', '0x10', '1.0.0-\u0130', '\u00a01.0\u00a0', '\ufeff1.0',
    '1.0.0+a+b', '1.2.3.4.5', '1 2', '1.0.0 -beta', 'Infinity', 'NaN', '1.0.0-' + 'a'.repeat(58),
  ),
);

function assertOnlyDomainErrors(text: string): void {
  const tried = NuGetVersion.tryParse(text);
  let parsed: NuGetVersion | undefined;
  try {
    parsed = NuGetVersion.parse(text);
  } catch (error) {
    assert.ok(error instanceof VersionSyntaxError, `parse(${JSON.stringify(text)}) threw ${String(error)}`);
    assert.equal(error.name, 'VersionSyntaxError');
    assert.equal(tried, undefined, 'tryParse and parse agree');
    return;
  }
  assert.ok(tried !== undefined, 'tryParse and parse agree');
  assert.equal(tried.full, parsed.full);
  // Whatever is accepted has a normalized form that parses back to the same version.
  assert.equal(NuGetVersion.parse(parsed.normalized).normalized, parsed.normalized);
  assert.ok(text.trim().length <= MAX_VERSION_LENGTH);
  // satisfiesLegacyRule and sortKey must not throw either.
  void parsed.satisfiesLegacyRule;
  void parsed.sortKey;
}

describe('NuGetVersion properties: arbitrary input', () => {
  it('never throws anything but VersionSyntaxError, for ASCII, full Unicode and near-miss strings', () => {
    fc.assert(fc.property(fc.string(), assertOnlyDomainErrors), RUNS);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), assertOnlyDomainErrors), RUNS);
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii' }), assertOnlyDomainErrors), RUNS);
    fc.assert(fc.property(nearMiss, assertOnlyDomainErrors), { numRuns: 500 });
  });

  it('handles huge and long inputs', () => {
    for (const text of ['9'.repeat(400), `1.${'0'.repeat(10_000)}`, '1'.repeat(10_000), '.'.repeat(10_000), `1.0.0-${'a'.repeat(10_000)}`]) {
      assertOnlyDomainErrors(text);
      assert.equal(NuGetVersion.tryParse(text), undefined);
    }
  });
});

describe('NuGetVersion properties: cost', () => {
  it(`refuses text longer than ${MAX_VERSION_LENGTH} characters (after trimming) before parsing it`, () => {
    fc.assert(
      fc.property(versionSpec, fc.integer({ min: 1, max: 200 }), (spec, extra) => {
        // Padding a valid version's metadata past the cap: still well-formed, but refused.
        const text = `${spec.text}${spec.metadata === undefined ? '+' : '.'}${'0'.repeat(Math.max(extra, MAX_VERSION_LENGTH - spec.text.trim().length + extra))}`;
        assert.throws(() => NuGetVersion.parse(text), (error: unknown) => {
          assert.ok(error instanceof VersionSyntaxError);
          assert.match(error.message, new RegExp(`characters long; the limit is ${MAX_VERSION_LENGTH}`));
          return true;
        });
      }),
      { numRuns: 100 },
    );
    assert.ok(NuGetVersion.tryParse(`1.0.0-${'a'.repeat(MAX_VERSION_LENGTH - 6)}`), 'exactly at the cap is fine');
    assert.equal(NuGetVersion.tryParse(`1.0.0-${'a'.repeat(MAX_VERSION_LENGTH - 5)}`), undefined);
    assert.ok(NuGetVersion.tryParse(`  ${'1'.repeat(MAX_VERSION_LENGTH)}  `) === undefined, 'int32 overflow, not the cap');
    assert.ok(NuGetVersion.tryParse(`   1.0.0   `), 'surrounding whitespace does not count');
  });

  it('parses worst-case inputs at and far over the cap quickly (< 250 ms, best of 3)', () => {
    const at = (unit: string): string => unit.repeat(Math.ceil(MAX_VERSION_LENGTH / unit.length)).slice(0, MAX_VERSION_LENGTH);
    const hostile = [
      ...['.', '-', '+', '0', '9', ' ', '1.', '1 ', ' 1', '-.', '.-', '0.', 'a.', '-0', '1-', '+.'].map(at),
      `1.0.0-${at('a.')}`.slice(0, MAX_VERSION_LENGTH),
      `${at(' ')}x`.slice(-MAX_VERSION_LENGTH),
      `1${at(' ').slice(2)}x`,
      ...['.', '-', '9', ' 1', '1.', 'a.', '\t'].map((unit) => unit.repeat(200_000)),
      `${' '.repeat(200_000)}1${' '.repeat(200_000)}`,
    ];
    for (const text of hostile) {
      const best = bestOfThreeMs(() => NuGetVersion.tryParse(text));
      assert.ok(best < 250, `${JSON.stringify(text.slice(0, 30))}… (${text.length} chars) took ${best.toFixed(1)} ms`);
    }
  });
});

