import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexVersionsOf, pageVersionsOf, upstreamVersionOf } from './upstream-registration.ts';

const leaf = (catalogEntry: Record<string, unknown>) => ({ '@id': 'https://up.example/leaf.json', catalogEntry, packageContent: 'https://up.example/x.nupkg' });

describe('reading an upstream registration', () => {
  it('takes the metadata clients show, with ranges normalized and the SemVer 2.0.0 rule applied', () => {
    const version = upstreamVersionOf(
      leaf({
        id: 'Up.Lib',
        version: '1.2.0+build.7',
        authors: 'Ann, Bo',
        description: 'Does things.',
        published: '2026-03-01T10:00:00Z',
        tags: ['json', 'fast'],
        licenseExpression: 'MIT',
        projectUrl: 'https://example.org/up',
        requireLicenseAcceptance: true,
        dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Other', range: '1.0' }, { id: 'Any' }] }, {}],
      }),
      'up.lib',
    );
    assert.ok(version);
    assert.deepEqual(
      { ...version, publishedAt: version.publishedAt.toISOString() },
      {
        idLower: 'up.lib',
        registrationId: 'Up.Lib',
        versionLower: '1.2.0',
        versionNormalized: '1.2.0',
        versionFull: '1.2.0+build.7',
        isSemVer2: true,
        listed: true,
        publishedAt: '2026-03-01T10:00:00.000Z',
        iconBlob: undefined,
        licenseBlob: undefined,
        readmeBlob: undefined,
        details: {
          authors: 'Ann, Bo',
          dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Other', range: '[1.0.0, )' }, { id: 'Any', range: '(, )' }] }, { dependencies: [] }],
          description: 'Does things.',
          iconUrl: undefined,
          language: undefined,
          licenseExpression: 'MIT',
          licenseUrl: undefined,
          minClientVersion: undefined,
          projectUrl: 'https://example.org/up',
          requireLicenseAcceptance: true,
          summary: undefined,
          tags: ['json', 'fast'],
          title: undefined,
        },
      },
    );
  });

  it('counts a SemVer 2.0.0 dependency bound, and reads listing from `listed` or a 1900 publish date', () => {
    const bound = upstreamVersionOf(leaf({ id: 'A', version: '1.0.0', dependencyGroups: [{ dependencies: [{ id: 'B', range: '[2.0.0-beta.1, )' }] }] }), 'a');
    assert.equal(bound?.isSemVer2, true);
    assert.equal(upstreamVersionOf(leaf({ id: 'A', version: '1.0.0', listed: false, published: '2026-01-01T00:00:00Z' }), 'a')?.listed, false);
    assert.equal(upstreamVersionOf(leaf({ id: 'A', version: '1.0.0', published: '1900-01-01T00:00:00+00:00' }), 'a')?.listed, false);
    assert.equal(upstreamVersionOf(leaf({ id: 'A', version: '1.0.0', authors: ['Ann', 'Bo'], tags: 'one two' }), 'a')?.details.authors, 'Ann, Bo');
    assert.deepEqual(upstreamVersionOf(leaf({ id: 'A', version: '1.0.0', tags: 'one two' }), 'a')?.details.tags, ['one', 'two']);
  });

  it('leaves out what is not a valid version of the id asked for, and links that are not http(s)', () => {
    assert.equal(upstreamVersionOf(leaf({ id: 'Other.Lib', version: '1.0.0' }), 'up.lib'), undefined, 'another id');
    assert.equal(upstreamVersionOf(leaf({ id: 'Up.Lib', version: 'not-a-version' }), 'up.lib'), undefined);
    assert.equal(upstreamVersionOf(leaf({ id: 'Up.Lib' }), 'up.lib'), undefined);
    assert.equal(upstreamVersionOf({ catalogEntry: 'text' }, 'up.lib'), undefined);
    assert.equal(upstreamVersionOf(null, 'up.lib'), undefined);
    assert.equal(upstreamVersionOf(leaf({ id: 'Up.Lib', version: '1.0.0', dependencyGroups: [{ dependencies: [{ id: 'B', range: '[1.0' }] }] }), 'up.lib'), undefined, 'a range that does not parse');
    assert.equal(upstreamVersionOf(leaf({ id: 'Up.Lib', version: '1.0.0', dependencyGroups: [{ dependencies: [{ range: '1.0' }] }] }), 'up.lib'), undefined, 'a dependency without an id');
    const links = upstreamVersionOf(leaf({ id: 'Up.Lib', version: '1.0.0', iconUrl: 'javascript:alert(1)', projectUrl: 'file:///etc/passwd', licenseUrl: 'not a url' }), 'up.lib');
    assert.deepEqual([links?.details.iconUrl, links?.details.projectUrl, links?.details.licenseUrl], [undefined, undefined, undefined]);
    assert.equal(upstreamVersionOf(leaf({ id: 'Up.Lib', version: '1.0.0', published: 'yesterday' }), 'up.lib')?.publishedAt.getTime(), 0);
  });

  it('reads inlined pages and names the pages an index does not inline', () => {
    const index = {
      items: [
        { '@id': 'https://up.example/reg/up.lib/index.json#page/1.0.0/1.1.0', items: [leaf({ id: 'Up.Lib', version: '1.0.0' }), leaf({ id: 'Up.Lib', version: '1.1.0' }), leaf({ id: 'Evil', version: '6.6.6' })] },
        { '@id': 'https://up.example/reg/up.lib/page/2.0.0/3.0.0.json', lower: '2.0.0', upper: '3.0.0' },
        { '@id': 'ftp://up.example/page.json' },
        'junk',
      ],
    };
    const read = indexVersionsOf(index, 'up.lib');
    assert.deepEqual(read.versions.map((version) => version.versionLower), ['1.0.0', '1.1.0']);
    assert.deepEqual(read.pageUrls, ['https://up.example/reg/up.lib/page/2.0.0/3.0.0.json']);
    assert.deepEqual(pageVersionsOf({ items: [leaf({ id: 'up.lib', version: '2.0.0' })] }, 'up.lib').map((version) => version.versionLower), ['2.0.0']);
    assert.deepEqual(indexVersionsOf('junk', 'up.lib'), { versions: [], pageUrls: [] });
  });
});
