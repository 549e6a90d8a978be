import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NuGetVersion } from './nuget-version.ts';
import { RangeSyntaxError, VersionRange } from './version-range.ts';

const v = (text: string): NuGetVersion => NuGetVersion.parse(text);

describe('VersionRange.parse and normalized', () => {
  // [input, normalized, min, isMinInclusive, max, isMaxInclusive]
  const table: Array<[string, string, string | undefined, boolean, string | undefined, boolean]> = [
    ['1.0', '[1.0.0, )', '1.0.0', true, undefined, false],
    ['  1.0.0-beta  ', '[1.0.0-beta, )', '1.0.0-beta', true, undefined, false],
    ['1.0.0-alpha.1', '[1.0.0-alpha.1, )', '1.0.0-alpha.1', true, undefined, false],
    ['[1.0]', '[1.0.0, 1.0.0]', '1.0.0', true, '1.0.0', true],
    ['[1.0, 1.0]', '[1.0.0, 1.0.0]', '1.0.0', true, '1.0.0', true],
    ['(1.0,)', '(1.0.0, )', '1.0.0', false, undefined, false],
    ['[1.0,)', '[1.0.0, )', '1.0.0', true, undefined, false],
    ['[1.0,]', '[1.0.0, )', '1.0.0', true, undefined, false],
    ['[1.0,2.0)', '[1.0.0, 2.0.0)', '1.0.0', true, '2.0.0', false],
    ['[1.0, 2.0]', '[1.0.0, 2.0.0]', '1.0.0', true, '2.0.0', true],
    ['(1.0, 2.0)', '(1.0.0, 2.0.0)', '1.0.0', false, '2.0.0', false],
    ['(,2.0]', '(, 2.0.0]', undefined, false, '2.0.0', true],
    ['[,2.0)', '(, 2.0.0)', undefined, false, '2.0.0', false],
    [' [ 1.0 , 2.0 ) ', '[1.0.0, 2.0.0)', '1.0.0', true, '2.0.0', false],
    ['[1.0.0-alpha+githash, )', '[1.0.0-alpha, )', '1.0.0-alpha', true, undefined, false],
    ['[01.02.03.00, 1.2.3.4]', '[1.2.3, 1.2.3.4]', '1.2.3', true, '1.2.3.4', true],
    // Equal bounds both excluded: NuGet accepts it (it matches nothing).
    ['(1.0, 1.0)', '(1.0.0, 1.0.0)', '1.0.0', false, '1.0.0', false],
    // All versions.
    ['', '(, )', undefined, false, undefined, false],
    ['   ', '(, )', undefined, false, undefined, false],
    ['(, )', '(, )', undefined, false, undefined, false],
    ['[, ]', '(, )', undefined, false, undefined, false],
    ['[ ]', '(, )', undefined, false, undefined, false],
  ];
  for (const [input, normalized, min, minInc, max, maxInc] of table) {
    it(`'${input}' -> ${normalized}`, () => {
      const range = VersionRange.parse(input);
      assert.equal(range.normalized, normalized);
      assert.equal(String(range), normalized);
      assert.equal(range.minVersion?.normalized, min);
      assert.equal(range.isMinInclusive, minInc);
      assert.equal(range.maxVersion?.normalized, max);
      assert.equal(range.isMaxInclusive, maxInc);
      assert.equal(VersionRange.tryParse(input)?.normalized, normalized);
      // The normalized form parses back to the same range.
      assert.equal(VersionRange.parse(normalized).normalized, normalized);
    });
  }

  it('exposes VersionRange.all', () => {
    assert.equal(VersionRange.all.normalized, '(, )');
    assert.equal(VersionRange.all.minVersion, undefined);
    assert.equal(VersionRange.all.maxVersion, undefined);
    assert.equal(VersionRange.all.satisfies(v('0.0.0-a')), true);
  });
});

describe('VersionRange invalid input', () => {
  const invalid: Array<[string, RegExp]> = [
    ['1.0.*', /floating versions/],
    ['*', /floating versions/],
    ['[1.0.*, 2.0)', /floating versions/],
    ['1.0.0-*', /floating versions/],
    ['[1.0)', /exact match/],
    ['(1.0]', /exact match/],
    ['(1.0)', /exact match/],
    ['[2.0, 1.0]', /lower bound 2\.0\.0 is above the upper bound 1\.0\.0/],
    ['[1.0, 1.0)', /only one is inclusive/],
    ['(1.0, 1.0]', /only one is inclusive/],
    ['[1.0.0+a, 1.0.0+b)', /only one is inclusive/],
    ['(,)', /at least one bound/],
    ['[,]', /at least one bound/],
    ['()', /at least one bound/],
    ['[]', /at least one bound/],
    ['[1.0, 2.0, 3.0]', /at most one comma/],
    ['[1.0, 2.0', /must end with/],
    ['[', /must end with/],
    ['1.0, 2.0', /not a valid NuGet version/],
    ['1.0]', /not a valid NuGet version/],
    ['[1.0.0-01, )', /lower bound '1\.0\.0-01' is not a valid NuGet version: numeric pre-release labels/],
    ['[1.0, x]', /upper bound 'x' is not a valid NuGet version/],
    ['(, 1.2.3.4.5)', /more than four numeric parts/],
    ['abc', /not a valid NuGet version/],
    ['>= 1.0', /not a valid NuGet version/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects '${input}'`, () => {
      assert.equal(VersionRange.tryParse(input), undefined);
      assert.throws(() => VersionRange.parse(input), (error: unknown) => {
        assert.ok(error instanceof RangeSyntaxError);
        assert.match(error.message, message);
        assert.ok(error.message.startsWith(`'${input.trim()}' is not a valid version range: `), error.message);
        return true;
      });
    });
  }
});

describe('VersionRange.satisfies', () => {
  // [range, version, expected]
  const table: Array<[string, string, boolean]> = [
    ['1.0', '1.0.0', true],
    ['1.0', '0.9.9', false],
    ['1.0', '1.0.0-beta', false],
    ['1.0', '1.0.1-beta', true], // no prerelease filtering in Satisfies
    ['1.0', '99.0.0', true],
    ['1.0.0+meta', '1.0.0', true],
    ['[1.0]', '1.0.0', true],
    ['[1.0]', '1.0.0+other', true],
    ['[1.0]', '1.0.0.0', true],
    ['[1.0]', '1.0.0.1', false],
    ['[1.0.0-Beta]', '1.0.0-beta', true],
    ['(1.0,)', '1.0.0', false],
    ['(1.0,)', '1.0.0.1', true],
    ['[1.0,2.0)', '1.5.0', true],
    ['[1.0,2.0)', '2.0.0', false],
    ['[1.0,2.0)', '2.0.0-beta', true],
    ['[1.0,2.0]', '2.0.0', true],
    ['[1.0,2.0]', '2.0.0+meta', true],
    ['(,2.0]', '0.0.0', true],
    ['(,2.0]', '2.0.1', false],
    ['(,2.0)', '2.0.0', false],
    ['(1.0, 1.0)', '1.0.0', false],
    ['', '0.0.0-alpha', true],
    ['[1.0.0-beta.2, 1.0.0-beta.10]', '1.0.0-beta.9', true],
    ['[1.0.0-beta.2, 1.0.0-beta.10]', '1.0.0-beta.11', false],
  ];
  for (const [range, version, expected] of table) {
    it(`'${range}' ${expected ? 'includes' : 'excludes'} ${version}`, () => {
      assert.equal(VersionRange.parse(range).satisfies(v(version)), expected);
    });
  }
});

describe('VersionRange bound flags', () => {
  const table: Array<[string, boolean, boolean]> = [
    ['1.0', false, false],
    ['', false, false],
    ['1.0.0-beta', false, false],
    ['1.0.0-beta.1', true, false],
    ['[1.0, 2.0.0-rc.1)', true, false],
    ['1.0.0+meta', true, true],
    ['(, 2.0.0+meta]', true, true],
  ];
  for (const [range, semVer2, metadata] of table) {
    it(`'${range}': hasSemVer2Bound=${semVer2}, hasMetadataBound=${metadata}`, () => {
      const parsed = VersionRange.parse(range);
      assert.equal(parsed.hasSemVer2Bound, semVer2);
      assert.equal(parsed.hasMetadataBound, metadata);
    });
  }
});
