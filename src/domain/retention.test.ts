import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { versionsToRelease, type RetainedVersion, type RetentionRules } from './retention.ts';

const NOW = new Date('2026-12-02T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function version(idLower: string, versionLower: string, options: Partial<RetainedVersion> = {}): RetainedVersion {
  return { idLower, versionLower, isPrerelease: versionLower.includes('-'), publishedAt: daysAgo(100), pinned: false, dependencies: [], ...options };
}

const names = (released: RetainedVersion[]) => released.map((each) => `${each.idLower} ${each.versionLower}`);

describe('versionsToRelease', () => {
  const keepTwo: RetentionRules = { keepNewest: 2, keepDays: undefined, includeStable: false };

  it('keeps the newest pre-releases per id and every stable version, and lets the rest go', () => {
    const versions = [version('a', '1.0.0-ci1'), version('a', '1.0.0-ci2'), version('a', '1.0.0-ci3'), version('a', '1.0.0'), version('b', '2.0.0-ci1')];
    assert.deepEqual(names(versionsToRelease(versions, keepTwo, NOW)), ['a 1.0.0-ci1']);
  });

  it('keeps versions younger than the age rule, and covers stable versions only when told', () => {
    const versions = [version('a', '1.0.0-ci1', { publishedAt: daysAgo(3) }), version('a', '1.0.0-ci2', { publishedAt: daysAgo(40) }), version('a', '0.9.0', { publishedAt: daysAgo(40) })];
    assert.deepEqual(names(versionsToRelease(versions, { keepNewest: undefined, keepDays: 30, includeStable: false }, NOW)), ['a 1.0.0-ci2']);
    assert.deepEqual(names(versionsToRelease(versions, { keepNewest: undefined, keepDays: 30, includeStable: true }, NOW)), ['a 0.9.0', 'a 1.0.0-ci2']);
  });

  it('never lets a pinned version go, nor what a kept version depends on (and what that needs)', () => {
    const versions = [
      version('app', '1.0.0-ci9', { dependencies: [{ idLower: 'core', range: '[1.0.0-ci1, 1.0.0-ci2]' }] }),
      version('core', '1.0.0-ci1', { dependencies: [{ idLower: 'base', range: '0.1.0-ci1' }] }),
      version('core', '1.0.0-ci2'),
      version('core', '1.0.0-ci3'),
      version('core', '1.0.0-ci4'),
      version('base', '0.1.0-ci1'),
      version('base', '0.1.0-ci2'),
      version('base', '0.1.0-ci3'),
      version('old', '0.0.1-ci1', { pinned: true }),
      version('old', '0.0.1-ci2'),
      version('old', '0.0.1-ci3'),
    ];
    const released = names(versionsToRelease(versions, keepTwo, NOW));
    assert.ok(!released.includes('core 1.0.0-ci1'), 'app 1.0.0-ci9 restores core 1.0.0-ci1, the lowest its range allows');
    assert.ok(!released.includes('base 0.1.0-ci1'), 'which needs base 0.1.0-ci1');
    assert.ok(!released.includes('old 0.0.1-ci1'), 'pinned');
    assert.deepEqual(released, ['core 1.0.0-ci2']);
  });

  it('lets nothing go without a rule', () => {
    assert.deepEqual(versionsToRelease([version('a', '1.0.0-ci1')], { keepNewest: undefined, keepDays: undefined, includeStable: true }, NOW), []);
  });
});
