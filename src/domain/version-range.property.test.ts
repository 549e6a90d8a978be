// Property-based tests of VersionRange (fast-check): generated ranges parse to the bounds they were
// built from and round-trip through `normalized`, `satisfies` agrees with the bounds, '*' is always
// refused, and no input throws anything but RangeSyntaxError or costs more than a length check
// once it is over MAX_VERSION_RANGE_LENGTH.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_VERSION_LENGTH, NuGetVersion, compareVersions } from './nuget-version.ts';
import { MAX_VERSION_RANGE_LENGTH, RangeSyntaxError, VersionRange } from './version-range.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------------------------
// Versions for bounds: narrow, so that bounds often tie; written with leading zeros and metadata.

const versionText = fc
  .tuple(
    fc.array(fc.constantFrom('0', '1', '01', '2', '10'), { minLength: 1, maxLength: 4 }),
    fc.array(fc.constantFrom('a', 'A', 'b', '1', '2', '10', 'rc', '-1'), { maxLength: 2 }),
    fc.option(fc.constantFrom('m', 'M.1', 'sha-0'), { freq: 4 }),
  )
  .map(([parts, labels, metadata]) => {
    let text = parts.join('.');
    if (labels.length > 0) text += `-${labels.join('.')}`;
    if (metadata !== null) text += `+${metadata}`;
    return text;
  });

const wideVersionText = fc.oneof(
  versionText,
  fc.constantFrom('2147483647.2147483647.2147483647.2147483647', `1.0.0-${'a'.repeat(MAX_VERSION_LENGTH - 6)}`, '0.0.0-0', '1.0.0--'),
);

const ws = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '  ', '\t') });

/** A valid range as text, with what it must parse to. */
interface RangeSpec {
  text: string;
  min: NuGetVersion | undefined;
  minInclusive: boolean;
  max: NuGetVersion | undefined;
  maxInclusive: boolean;
}

const bare: fc.Arbitrary<RangeSpec> = fc.tuple(ws, wideVersionText, ws).map(([a, version, b]) => ({
  text: `${a}${version}${b}`,
  min: NuGetVersion.parse(version),
  minInclusive: true,
  max: undefined,
  maxInclusive: false,
}));

const exact: fc.Arbitrary<RangeSpec> = fc.tuple(ws, ws, wideVersionText, ws, ws).map(([a, b, version, c, d]) => ({
  text: `${a}[${b}${version}${c}]${d}`,
  min: NuGetVersion.parse(version),
  minInclusive: true,
  max: NuGetVersion.parse(version),
  maxInclusive: true,
}));

const twoBound: fc.Arbitrary<RangeSpec> = fc
  .tuple(
    fc.constantFrom('[', '('),
    fc.option(wideVersionText, { freq: 4 }),
    fc.option(wideVersionText, { freq: 4 }),
    fc.constantFrom(']', ')'),
    fc.array(ws, { minLength: 6, maxLength: 6 }),
  )
  .map(([open, first, second, close, [w0, w1, w2, w3, w4, w5]]) => {
    let minText = first ?? undefined;
    let maxText = second ?? undefined;
    // Order the bounds so the range is valid.
    if (minText !== undefined && maxText !== undefined && compareVersions(NuGetVersion.parse(minText), NuGetVersion.parse(maxText)) > 0) {
      [minText, maxText] = [maxText, minText];
    }
    return { open, close, minText, maxText, w: [w0, w1, w2, w3, w4, w5] as string[] };
  })
  .filter(({ open, close, minText, maxText }) => {
    if (minText === undefined || maxText === undefined) return true;
    const equal = compareVersions(NuGetVersion.parse(minText), NuGetVersion.parse(maxText)) === 0;
    return !equal || (open === '[') === (close === ']');
  })
  .map(({ open, close, minText, maxText, w: [w0, w1, w2, w3, w4, w5] }) => {
    const min = minText === undefined ? undefined : NuGetVersion.parse(minText);
    const max = maxText === undefined ? undefined : NuGetVersion.parse(maxText);
    const inner = `${w1}${minText ?? ''}${w2},${w3}${maxText ?? ''}${w4}`;
    // "(,)" needs a bound; "(, )" means all versions, as in NuGet.
    const text = `${w0}${open}${inner === ',' ? ', ' : inner}${close}${w5}`;
    return { text, min, minInclusive: min !== undefined && open === '[', max, maxInclusive: max !== undefined && close === ']' };
  });

const rangeSpec = fc.oneof(bare, exact, twoBound).filter((spec) => spec.text.trim().length <= MAX_VERSION_RANGE_LENGTH);

function modelNormalized(spec: RangeSpec): string {
  return `${spec.minInclusive ? '[' : '('}${spec.min?.normalized ?? ''}, ${spec.max?.normalized ?? ''}${spec.maxInclusive ? ']' : ')'}`;
}

function modelSatisfies(spec: RangeSpec, version: NuGetVersion): boolean {
  if (spec.min !== undefined) {
    const c = compareVersions(version, spec.min);
    if (spec.minInclusive ? c < 0 : c <= 0) return false;
  }
  if (spec.max !== undefined) {
    const c = compareVersions(version, spec.max);
    if (spec.maxInclusive ? c > 0 : c >= 0) return false;
  }
  return true;
}

function assertBounds(range: VersionRange, spec: RangeSpec): void {
  assert.equal(range.minVersion?.full, spec.min?.full);
  assert.equal(range.maxVersion?.full, spec.max?.full);
  assert.equal(range.isMinInclusive, spec.minInclusive);
  assert.equal(range.isMaxInclusive, spec.maxInclusive);
}

function expectRefusal(text: string, message: RegExp): void {
  assert.equal(VersionRange.tryParse(text), undefined, JSON.stringify(text));
  assert.throws(() => VersionRange.parse(text), (error: unknown) => {
    assert.ok(error instanceof RangeSyntaxError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------

describe('VersionRange properties: valid ranges', () => {
  it('parse to the bounds they were built from, and round-trip through normalized', () => {
    fc.assert(
      fc.property(rangeSpec, (spec) => {
        const range = VersionRange.parse(spec.text);
        assertBounds(range, spec);
        assert.equal(range.normalized, modelNormalized(spec));
        assert.equal(VersionRange.tryParse(spec.text)?.normalized, range.normalized);

        const again = VersionRange.parse(range.normalized);
        assert.equal(again.normalized, range.normalized);
        assert.equal(again.isMinInclusive, range.isMinInclusive);
        assert.equal(again.isMaxInclusive, range.isMaxInclusive);
        assert.equal(again.minVersion?.full, range.minVersion?.normalized, 'normalized drops bound metadata');
        assert.equal(again.maxVersion?.full, range.maxVersion?.normalized);
        assert.equal(again.hasMetadataBound, false);
        assert.equal(again.hasSemVer2Bound, (range.minVersion?.releaseLabels.length ?? 0) > 1 || (range.maxVersion?.releaseLabels.length ?? 0) > 1);
      }),
      RUNS,
    );
  });

  it('satisfies exactly the versions between the bounds, by inclusivity, ignoring metadata', () => {
    const probe = (spec: RangeSpec): fc.Arbitrary<NuGetVersion> => {
      const near = [spec.min, spec.max]
        .filter((bound): bound is NuGetVersion => bound !== undefined)
        .flatMap((bound) => [bound.full, bound.normalized, `${bound.normalized}+other`, bound.normalized.toUpperCase(), `${bound.normalized}${bound.isPrerelease ? '.0' : '-0'}`]);
      const candidates = [...near, '0.0.0-0', '99.0.0'].filter((text) => NuGetVersion.tryParse(text) !== undefined);
      return fc.oneof(versionText, fc.constantFrom(...candidates)).map((text) => NuGetVersion.parse(text));
    };
    fc.assert(
      fc.property(
        rangeSpec.chain((spec) => fc.tuple(fc.constant(spec), fc.array(probe(spec), { minLength: 1, maxLength: 8 }))),
        ([spec, versions]) => {
          const range = VersionRange.parse(spec.text);
          const normalized = VersionRange.parse(range.normalized);
          for (const version of versions) {
            assert.equal(range.satisfies(version), modelSatisfies(spec, version), `${spec.text} ∋ ${version.full}`);
            assert.equal(normalized.satisfies(version), range.satisfies(version));
          }
        },
      ),
      RUNS,
    );
  });

  it('an exact range satisfies only its version; a bare version is a minimum', () => {
    fc.assert(
      fc.property(versionText, versionText, (a, b) => {
        const va = NuGetVersion.parse(a);
        const vb = NuGetVersion.parse(b);
        assert.equal(VersionRange.parse(`[${a}]`).satisfies(vb), compareVersions(va, vb) === 0);
        assert.equal(VersionRange.parse(a).satisfies(vb), compareVersions(vb, va) >= 0);
        assert.equal(VersionRange.parse(`(${a},)`).satisfies(vb), compareVersions(vb, va) > 0);
        assert.equal(VersionRange.parse(`(,${a})`).satisfies(vb), compareVersions(vb, va) < 0);
      }),
      RUNS,
    );
  });
});

describe('VersionRange properties: refusals', () => {
  it("refuses floating ranges: any '*' anywhere", () => {
    fc.assert(
      fc.property(rangeSpec, fc.nat(), fc.constantFrom('*', '.*', '-*', '*.*'), (spec, at, star) => {
        const i = at % (spec.text.length + 1);
        expectRefusal(spec.text.slice(0, i) + star + spec.text.slice(i), /floating versions \('\*'\) are not allowed/);
      }),
      RUNS,
    );
  });

  it('refuses bounds out of order, and equal bounds with only one inclusive', () => {
    fc.assert(
      fc.property(versionText, versionText, fc.constantFrom('[', '('), fc.constantFrom(']', ')'), (a, b, open, close) => {
        const order = compareVersions(NuGetVersion.parse(a), NuGetVersion.parse(b));
        const text = `${open}${a}, ${b}${close}`;
        if (order > 0) expectRefusal(text, /is above the upper bound/);
        else if (order === 0 && (open === '[') !== (close === ']')) expectRefusal(text, /only one is inclusive/);
        else assert.ok(VersionRange.tryParse(text), text);
      }),
      RUNS,
    );
  });

  it("refuses one version in brackets other than '[v]', and more than one comma", () => {
    fc.assert(
      fc.property(versionText, fc.constantFrom('[v)', '(v]', '(v)'), (version, shape) => {
        expectRefusal(shape.replace('v', version), /exact match/);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.array(fc.option(versionText), { minLength: 3, maxLength: 5 }), (bounds) => {
        expectRefusal(`[${bounds.map((b) => b ?? '').join(',')}]`, /at most one comma/);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------

const nearMiss = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'[](),,  ..--+*01a'), maxLength: 24 }),
  fc.tuple(rangeSpec, fc.nat(), fc.constantFrom('', '[', ']', '(', ')', ',', ',,', '.', '-', '+', ' ', '\u0000', 'é', '[]')).map(([spec, at, insert]) => {
    const i = at % (spec.text.length + 1);
    return spec.text.slice(0, i) + insert + spec.text.slice(i);
  }),
  fc.constantFrom('[', ']', '(', ')', '[]', '()', '[,]', '(,)', '[ ]', '( )', '[1.0', '1.0]', '[1.0,2.0,3.0]', '[[1.0]]', '[(1.0)]', ',', '1.0,', ' , '),
);

function assertOnlyDomainErrors(text: string): void {
  const tried = VersionRange.tryParse(text);
  let parsed: VersionRange;
  try {
    parsed = VersionRange.parse(text);
  } catch (error) {
    assert.ok(error instanceof RangeSyntaxError, `parse(${JSON.stringify(text)}) threw ${String(error)}`);
    assert.equal(error.name, 'RangeSyntaxError');
    assert.equal(tried, undefined, 'tryParse and parse agree');
    return;
  }
  assert.equal(tried?.normalized, parsed.normalized, 'tryParse and parse agree');
  assert.equal(VersionRange.parse(parsed.normalized).normalized, parsed.normalized);
  assert.ok(text.trim().length <= MAX_VERSION_RANGE_LENGTH);
}

describe('VersionRange properties: arbitrary input', () => {
  it('never throws anything but RangeSyntaxError, for ASCII, full Unicode and near-miss strings', () => {
    fc.assert(fc.property(fc.string(), assertOnlyDomainErrors), RUNS);
    fc.assert(fc.property(fc.string({ unit: 'binary' }), assertOnlyDomainErrors), RUNS);
    fc.assert(fc.property(nearMiss, assertOnlyDomainErrors), { numRuns: 500 });
    for (const text of ['['.repeat(10_000), ','.repeat(10_000), `[${'1.'.repeat(5_000)}]`, `[1.0,${' '.repeat(10_000)}2.0]`]) {
      assertOnlyDomainErrors(text);
    }
  });
});

describe('VersionRange properties: cost', () => {
  it(`refuses text longer than ${MAX_VERSION_RANGE_LENGTH} characters (after trimming) before parsing it`, () => {
    fc.assert(
      fc.property(rangeSpec, fc.integer({ min: 1, max: 300 }), (spec, extra) => {
        // Valid otherwise: the padding is whitespace inside the brackets, or after a bare version.
        const text = spec.text.trim();
        const padding = ' '.repeat(MAX_VERSION_RANGE_LENGTH - text.length + extra);
        const padded = /^[[(]/.test(text) ? `${text.slice(0, 1)}${padding}${text.slice(1)}` : `[${padding}${text}, )`;
        expectRefusal(padded, new RegExp(`characters long; the limit is ${MAX_VERSION_RANGE_LENGTH}`));
      }),
      { numRuns: 100 },
    );
    const longest = `[1.0.0-${'a'.repeat(MAX_VERSION_LENGTH - 6)}, 2.0.0-${'b'.repeat(MAX_VERSION_LENGTH - 6)}]`;
    assert.ok(longest.length <= MAX_VERSION_RANGE_LENGTH, 'room for two bounds of the longest version');
    assert.ok(VersionRange.tryParse(longest));
  });

  it('parses worst-case inputs at and far over the cap quickly (< 250 ms, best of 3)', () => {
    const at = (unit: string, cap = MAX_VERSION_RANGE_LENGTH): string => unit.repeat(Math.ceil(cap / unit.length)).slice(0, cap);
    const hostile = [
      ...['[', ']', '(', ',', '.', '-', '+', '9', ' ', '[,', ',]', '[1.', '1.0,', '(,', '[[', '1 '].map((unit) => at(unit)),
      `[${at('.', MAX_VERSION_RANGE_LENGTH - 2)}]`,
      `[${at('-', MAX_VERSION_RANGE_LENGTH - 2)}]`,
      `[${at('9', MAX_VERSION_RANGE_LENGTH - 2)}]`,
      `[${at(' ', MAX_VERSION_RANGE_LENGTH - 3)},]`,
      `[${at('1.0.0-a.', MAX_VERSION_RANGE_LENGTH - 3)},]`,
      `(${' '.repeat(100)}1.0${' '.repeat(100)},${' '.repeat(40)}2.0)`,
      ...['[', ',', '.', '9', '[1.0,', ' '].map((unit) => unit.repeat(200_000)),
      `${' '.repeat(200_000)}[1.0, 2.0)${' '.repeat(200_000)}`,
    ];
    for (const text of hostile) {
      const best = bestOfThreeMs(() => VersionRange.tryParse(text));
      assert.ok(best < 250, `${JSON.stringify(text.slice(0, 30))}… (${text.length} chars) took ${best.toFixed(1)} ms`);
    }
  });
});

