import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NuGetVersion, VersionSyntaxError, compareVersions } from './nuget-version.ts';

const v = (text: string): NuGetVersion => NuGetVersion.parse(text);

describe('NuGetVersion.parse normalization', () => {
  const table: Array<[input: string, normalized: string, full: string]> = [
    ['1', '1.0.0', '1.0.0'],
    ['1.0', '1.0.0', '1.0.0'],
    ['1.0.0.0', '1.0.0', '1.0.0'],
    ['01.0.0', '1.0.0', '1.0.0'],
    ['1.00', '1.0.0', '1.0.0'],
    ['1.01.1', '1.1.1', '1.1.1'],
    ['1.0.01.0', '1.0.1', '1.0.1'],
    ['01.002', '1.2.0', '1.2.0'],
    ['1.2.3.4', '1.2.3.4', '1.2.3.4'],
    ['1.2.3.0-beta', '1.2.3-beta', '1.2.3-beta'],
    ['1.0.0+meta', '1.0.0', '1.0.0+meta'],
    ['1.0.7+r3456', '1.0.7', '1.0.7+r3456'],
    ['1.0.0-Beta.1+Build.007', '1.0.0-Beta.1', '1.0.0-Beta.1+Build.007'],
    ['1.0.0-alpha-1', '1.0.0-alpha-1', '1.0.0-alpha-1'],
    ['1.0.0--', '1.0.0--', '1.0.0--'],
    ['1.0.0-0A', '1.0.0-0A', '1.0.0-0A'],
    ['1.0.0-0', '1.0.0-0', '1.0.0-0'],
    ['  1.0.0-rc1  ', '1.0.0-rc1', '1.0.0-rc1'],
    ['1 . 2', '1.2.0', '1.2.0'],
    ['2147483647.0.0', '2147483647.0.0', '2147483647.0.0'],
  ];
  for (const [input, normalized, full] of table) {
    it(`'${input}' -> ${normalized} / ${full}`, () => {
      const version = v(input);
      assert.equal(version.normalized, normalized);
      assert.equal(version.full, full);
      assert.equal(version.lower, normalized.toLowerCase());
      assert.equal(version.originalText, input.trim());
      assert.equal(NuGetVersion.tryParse(input)?.normalized, normalized);
    });
  }
});

describe('NuGetVersion fields', () => {
  it('exposes parts, labels in original casing and metadata', () => {
    const version = v('1.2.3.4-Beta.10+Sha.ABC');
    assert.equal(version.major, 1);
    assert.equal(version.minor, 2);
    assert.equal(version.patch, 3);
    assert.equal(version.revision, 4);
    assert.deepEqual(version.releaseLabels, ['Beta', '10']);
    assert.equal(version.metadata, 'Sha.ABC');
    assert.equal(version.isPrerelease, true);
    assert.equal(version.isSemVer2, true);
    assert.equal(version.lower, '1.2.3.4-beta.10');
    assert.equal(String(version), '1.2.3.4-Beta.10');
  });

  it('defaults missing parts to zero and has no labels or metadata', () => {
    const version = v('3');
    assert.deepEqual([version.major, version.minor, version.patch, version.revision], [3, 0, 0, 0]);
    assert.deepEqual(version.releaseLabels, []);
    assert.equal(version.metadata, undefined);
    assert.equal(version.isPrerelease, false);
  });

  it('freezes release labels', () => {
    assert.throws(() => (v('1.0.0-a').releaseLabels as string[]).push('b'), TypeError);
  });

  const semVer2: Array<[string, boolean]> = [
    ['1.0.0', false],
    ['1.0.0-beta', false],
    ['1.0.0-beta1', false],
    ['1.0.0.1-beta', false],
    ['1.0.0-beta.1', true],
    ['1.0.0+meta', true],
    ['1.0.0-beta+meta', true],
  ];
  for (const [input, expected] of semVer2) {
    it(`isSemVer2('${input}') is ${expected}`, () => assert.equal(v(input).isSemVer2, expected));
  }
});

describe('NuGetVersion invalid input', () => {
  const invalid = [
    '',
    '   ',
    'a',
    '1.',
    '.1',
    '1..0',
    '1.0.0-',
    '1.0.0-01',
    '1.0.0-beta.01',
    '1.0.0-beta..1',
    '1.0.0-beta.',
    '1.0.0+',
    '1.0.0+a..b',
    '1.0.0-beta+',
    '1.0.0+a+b',
    '1.2.3.4.5',
    '-1.0',
    '+1.0',
    '1.0.0-be_ta',
    '1.0.0+me_ta',
    '1.0.0-bêta',
    '2147483648.0.0',
    '1.99999999999999999999',
    '1.0a',
    '1 2.0',
    'v1.0.0',
    '1.0.0 -beta x',
    '1.0.0- beta',
  ];
  for (const input of invalid) {
    it(`rejects '${input}'`, () => {
      assert.equal(NuGetVersion.tryParse(input), undefined);
      assert.throws(() => NuGetVersion.parse(input), VersionSyntaxError);
    });
  }

  it('explains the problem in the message', () => {
    assert.throws(() => NuGetVersion.parse('1.0.0-01'), {
      name: 'VersionSyntaxError',
      message: "'1.0.0-01' is not a valid NuGet version: numeric pre-release labels must not have leading zeros",
    });
    assert.throws(() => NuGetVersion.parse('2147483648.0.0'), /larger than 2147483647/);
    assert.throws(() => NuGetVersion.parse('1.2.3.4.5'), /more than four numeric parts/);
    assert.throws(() => NuGetVersion.parse('1.0.0-be_ta'), /'be_ta' may only contain/);
    assert.throws(() => NuGetVersion.parse(''), /empty/);
  });

  it('allows leading zeros in metadata but not in numeric labels', () => {
    assert.equal(v('1.0.0+001').metadata, '001');
    assert.equal(NuGetVersion.tryParse('1.0.0-001'), undefined);
  });
});

describe('compareVersions', () => {
  // Each row: a < b.
  const ascending: Array<[string, string]> = [
    ['1.0.0-beta.1', '1.0.0-beta.2'],
    ['1.0.0-beta.2', '1.0.0-beta.10'],
    ['1.0.0-beta.10', '1.0.0'],
    ['1.0.0-1', '1.0.0-a'],
    ['1.0.0-alpha', '1.0.0-alpha.1'],
    ['1.0.0-alpha.2', '1.0.0-alpha.10'],
    ['1.0.0-rc1', '1.0.0-rc10'],
    ['1.0.0-rc10', '1.0.0-rc2'], // ordinal, not numeric, within a label
    ['1.0.0-alpha', '1.0.0-Beta'],
    ['1.0.0-a', '1.0.0-a-'],
    ['1.0.0-9', '1.0.0-10'],
    ['1.0.0-2147483647', '1.0.0-2147483648'], // too big for int32: alphanumeric
    ['1.0.0-2147483648', '1.0.0-a'], // ordinal: digits before letters
    ['1.0.0', '1.0.0.1'],
    ['1.0.0.1', '1.0.1'],
    ['1.0.0.9', '1.0.0.10'],
    ['1.0.0', '1.0.0.1-beta'],
    ['1.9.0', '1.10.0'],
    ['0.0.1', '1.0.0-alpha'],
  ];
  for (const [a, b] of ascending) {
    it(`${a} < ${b}`, () => {
      assert.equal(compareVersions(v(a), v(b)), -1);
      assert.equal(compareVersions(v(b), v(a)), 1);
      assert.equal(v(a).compareTo(v(b)), -1);
      assert.ok(v(a).sortKey < v(b).sortKey, `${v(a).sortKey} < ${v(b).sortKey}`);
      assert.equal(v(a).equals(v(b)), false);
    });
  }

  const equal: Array<[string, string]> = [
    ['1.0.0-Beta', '1.0.0-beta'],
    ['1.0.0+a', '1.0.0+b'],
    ['1.0.0', '1.0.0+meta'],
    ['1.0', '1.0.0.0'],
    ['01.002', '1.2'],
    ['1.0.0-RC.1+x', '1.0.0-rc.1'],
  ];
  for (const [a, b] of equal) {
    it(`${a} == ${b}`, () => {
      assert.equal(compareVersions(v(a), v(b)), 0);
      assert.equal(v(a).equals(v(b)), true);
      assert.equal(v(a).lower, v(b).lower);
      assert.equal(v(a).sortKey, v(b).sortKey);
    });
  }

  it('treats signed numeric labels as int.TryParse does', () => {
    // "-1" is a legal label and NuGet compares it as the number -1.
    assert.equal(compareVersions(v('1.0.0--1'), v('1.0.0-0')), -1);
    assert.equal(compareVersions(v('1.0.0--01'), v('1.0.0--1')), 0);
    assert.equal(v('1.0.0--01').sortKey, v('1.0.0--1').sortKey);
    // NuGet's Equals compares label text, so these are distinct identities.
    assert.equal(v('1.0.0--01').equals(v('1.0.0--1')), false);
  });
});

describe('sortKey', () => {
  const versions = [
    '1.0.0', '1.0', '1.0.0.0', '1.0.0+build', '1.0.0.1', '1.0.0.10', '1.0.0.2',
    '1.0.1', '1.1.0', '1.10.0', '1.2.0', '2.0.0', '10.0.0', '0.0.0', '0.0.1',
    '2147483647.2147483647.2147483647.2147483647',
    '1.0.0-alpha', '1.0.0-Alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-alpha.2',
    '1.0.0-alpha.10', '1.0.0-alpha-1', '1.0.0-alpha0', '1.0.0-beta', '1.0.0-beta.2',
    '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0-rc1', '1.0.0-rc10', '1.0.0-rc2', '1.0.0-RC2',
    '1.0.0-0', '1.0.0-1', '1.0.0-9', '1.0.0-10', '1.0.0-2147483647', '1.0.0-2147483648',
    '1.0.0-99999999999', '1.0.0--', '1.0.0--1', '1.0.0--2147483648', '1.0.0-a.b.c.d',
    '1.0.0-a.b.c', '1.0.0-a.1.c', '1.0.0-z', '1.0.0-Z-', '1.0.0-0a', '1.0.0-1.0',
    '1.0.0.1-beta', '1.0.0.1-beta+x', '0.9.9-zzz', '1.0.0-beta+sha.1',
  ].map(v);

  it('orders exactly as compareVersions does', () => {
    // Start from a scrambled order so neither sort sees pre-sorted input.
    const scrambled = versions.map((x, i) => ({ x, k: (i * 7919) % 101 })).sort((a, b) => a.k - b.k).map((e) => e.x);
    const byCompare = [...scrambled].sort(compareVersions);
    const byKey = [...scrambled].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    // Equal versions may land in either order, so compare rank by rank.
    for (let i = 0; i < byCompare.length; i++) {
      assert.equal(compareVersions(byCompare[i]!, byKey[i]!), 0, `rank ${i}: ${byCompare[i]!.full} vs ${byKey[i]!.full}`);
    }
  });

  it('agrees with compareVersions on every pair, including equality', () => {
    for (const a of versions) {
      for (const b of versions) {
        const byKey = a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
        assert.equal(byKey, compareVersions(a, b), `${a.full} vs ${b.full}`);
      }
    }
  });

  it('orders the same under byte comparison (SQLite BINARY collation)', () => {
    for (const a of versions) {
      for (const b of versions) {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a.sortKey, 'utf8'), Buffer.from(b.sortKey, 'utf8')));
        assert.equal(bytes, compareVersions(a, b), `${a.full} vs ${b.full}`);
      }
    }
  });
});

describe('satisfiesLegacyRule', () => {
  const table: Array<[string, boolean]> = [
    ['1.0.0', true],
    ['1.0', true],
    ['1', true],
    ['1.0.0.0', true],
    ['1.0.0-rc1', true],
    ['1.0.0-RC-1', true],
    ['1 . 0', true],
    ['1.0.0-1', false],
    ['1.0.0-01a', false],
    ['1.0.0--', false],
    ['1.0.0-1.2', true], // SemVer2: exempt
    ['1.0.0-1+meta', true], // SemVer2: exempt
    ['1.0.0+meta', true],
  ];
  for (const [input, expected] of table) {
    it(`'${input}' -> ${expected}`, () => assert.equal(v(input).satisfiesLegacyRule, expected));
  }
});
