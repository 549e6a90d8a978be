import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_RETENTION, acceptanceProblem, feedNameProblem, roleAtLeast, type Feed } from './feed.ts';

describe('feeds', () => {
  it('takes lowercase names of letters, digits and dashes, and keeps default for the gallery', () => {
    assert.equal(feedNameProblem('ci'), undefined);
    assert.equal(feedNameProblem('release-2'), undefined);
    assert.match(feedNameProblem('CI') ?? '', /not a feed name/);
    assert.match(feedNameProblem('-x') ?? '', /not a feed name/);
    assert.match(feedNameProblem('a'.repeat(65)) ?? '', /not a feed name/);
    assert.match(feedNameProblem('default') ?? '', /gallery/);
  });

  it('orders roles: an owner contributes and reads, a reader only reads', () => {
    assert.equal(roleAtLeast('owner', 'contributor'), true);
    assert.equal(roleAtLeast('contributor', 'reader'), true);
    assert.equal(roleAtLeast('reader', 'contributor'), false);
    assert.equal(roleAtLeast(undefined, 'reader'), false);
  });

  it('accepts versions by kind, saying why not', () => {
    const feed = (accepts: Feed['accepts']): Feed => ({ feedId: 2, name: 'ci', isPrivate: false, accepts, openPush: false, retention: NO_RETENTION, hardDelete: false, upstreams: [], upstreamBlocked: [], upstreamCredentials: {} });
    assert.equal(acceptanceProblem(feed('any'), true), undefined);
    assert.equal(acceptanceProblem(feed('prerelease'), true), undefined);
    assert.equal(acceptanceProblem(feed('prerelease'), false), "The feed 'ci' accepts only pre-release versions.");
    assert.equal(acceptanceProblem(feed('stable'), true), "The feed 'ci' accepts only stable versions.");
  });
});
