/**
 * Search (SearchQueryService) and autocomplete (SearchAutocompleteService).
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 * https://learn.microsoft.com/nuget/api/search-autocomplete-service-resource
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg, type NupkgOptions } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';

const NOW = '2024-05-06T07:08:09.000Z';

interface SearchResult {
  id: string;
  version: string;
  versions: { version: string; downloads: number; '@id': string }[];
  packageTypes: { name: string }[];
  registration: string;
  [key: string]: unknown;
}

interface SearchResponse {
  totalHits: number;
  data: SearchResult[];
}

let pallet: InProcessPallet;
const push = (options: NupkgOptions) => pallet.pushOk(buildNupkg({ includeOpcParts: false, ...options }));
const search = async (query: string): Promise<SearchResponse> => {
  const { status, body } = await pallet.json<SearchResponse>(`/v3/search${query}`);
  assert.equal(status, 200, query);
  return body;
};
const ids = (response: SearchResponse) => response.data.map((result) => result.id);

before(async () => {
  pallet = await startInProcess({ now: () => new Date(NOW) });

  // Ranking: an exact id must beat ids that sort before it and match less well.
  await push({ id: 'Alpha.Tool', version: '1.0.0', description: 'Mentions zed in its description.' });
  await push({ id: 'AZed', version: '1.0.0' });
  await push({ id: 'Zed.Extras', version: '1.0.0' });
  await push({ id: 'Zed', version: '1.0.0' });

  // Versions, prerelease and listing.
  await push({ id: 'Versioned.Lib', version: '1.0.0' });
  await push({ id: 'Versioned.Lib', version: '2.0.0', description: 'Second release.' });
  await push({ id: 'Versioned.Lib', version: '3.0.0-beta', description: 'Beta release.' });
  await push({ id: 'Prerelease.Only', version: '0.1.0-alpha' });
  await push({ id: 'SemVer2.Only', version: '1.0.0-beta.1' });
  await push({ id: 'SemVer2.Mixed', version: '1.0.0' });
  await push({ id: 'SemVer2.Mixed', version: '1.1.0+build.9' });
  await push({ id: 'Unlisted.Everything', version: '1.0.0' });
  await push({ id: 'Unlisted.Everything', version: '2.0.0' });
  await push({ id: 'Partly.Unlisted', version: '1.0.0' });
  await push({ id: 'Partly.Unlisted', version: '2.0.0' });
  for (const [id, version] of [['Unlisted.Everything', '1.0.0'], ['Unlisted.Everything', '2.0.0'], ['Partly.Unlisted', '2.0.0']] as const) {
    assert.equal((await pallet.setListed(id, version, false)).statusCode, 200);
  }

  // Fields.
  await push({
    id: 'Contoso.Logging',
    version: '4.5.6',
    title: 'Contoso Fancy Logger',
    authors: 'Jane Doe, John Roe',
    description: 'Structured logging for Contoso apps.',
    summary: 'Logs things.',
    tags: ['logging', 'diagnostics'],
    projectUrl: 'https://example.com/logging',
    license: { type: 'expression', value: 'MIT' },
  });
  await push({ id: 'Contoso.Data', version: '1.0.0', authors: 'Someone Else', tags: ['data'] });
  await push({ id: 'Other.Contoso', version: '1.0.0' });
  await push({ id: 'NotContoso', version: '1.0.0' });
  await push({ id: 'Contoso.Tool', version: '1.0.0', packageTypes: [{ name: 'DotnetTool' }] });
  await push({ id: 'Unicode.Text', version: '1.0.0', description: 'Ein Paket für Straßen und das Café.' });

  // Pushed newest first: the latest version is the highest, not the last pushed.
  await push({ id: 'Late.Older', version: '2.0.0', description: 'The newer one.' });
  await push({ id: 'Late.Older', version: '1.5.0', description: 'The older one.' });
});
after(() => pallet.close());

describe('search: matching and ranking', () => {
  it('matches case-insensitively', async () => {
    for (const q of ['CONTOSO.LOGGING', 'contoso.logging', 'LoGgInG']) {
      const response = await search(`?q=${encodeURIComponent(q)}`);
      assert.ok(ids(response).includes('Contoso.Logging'), q);
    }
    assert.deepEqual(ids(await search('?q=FANCY')), ['Contoso.Logging']);
  });

  it('ranks the exact id first', async () => {
    const response = await search('?q=zed');
    assert.equal(response.data[0]?.id, 'Zed');
    assert.deepEqual(new Set(ids(response)), new Set(['Zed', 'Zed.Extras', 'AZed', 'Alpha.Tool']));
    assert.equal(response.totalHits, 4);
  });

  it('ranks the exact id first whatever its casing in the query', async () => {
    assert.equal((await search('?q=ZED')).data[0]?.id, 'Zed');
  });

  it('returns one result per id, described by its latest matching version', async () => {
    const response = await search('?q=versioned.lib');
    assert.equal(response.totalHits, 1);
    assert.equal(response.data.length, 1);
    const [result] = response.data;
    assert.equal(result?.version, '2.0.0');
    assert.equal(result?.description, 'Second release.');
    assert.deepEqual(result?.versions.map((v) => v.version), ['1.0.0', '2.0.0']);
  });

  it('includes prerelease versions with prerelease=true', async () => {
    const response = await search('?q=versioned.lib&prerelease=true');
    assert.equal(response.data[0]?.version, '3.0.0-beta');
    assert.equal(response.data[0]?.description, 'Beta release.');
    assert.deepEqual(response.data[0]?.versions.map((v) => v.version), ['1.0.0', '2.0.0', '3.0.0-beta']);
  });

  it('hides prerelease-only packages unless prerelease=true', async () => {
    assert.deepEqual(ids(await search('?q=prerelease.only')), []);
    assert.deepEqual(ids(await search('?q=prerelease.only&prerelease=false')), []);
    const response = await search('?q=prerelease.only&prerelease=true');
    assert.deepEqual(ids(response), ['Prerelease.Only']);
    assert.equal(response.data[0]?.version, '0.1.0-alpha');
  });

  it('hides SemVer 2.0.0 versions without semVerLevel=2.0.0', async () => {
    assert.deepEqual(ids(await search('?q=semver2.only&prerelease=true')), []);
    assert.deepEqual(ids(await search('?q=semver2.only&prerelease=true&semVerLevel=2.0.0')), ['SemVer2.Only']);

    const semver1 = await search('?q=semver2.mixed');
    assert.equal(semver1.data[0]?.version, '1.0.0');
    assert.deepEqual(semver1.data[0]?.versions.map((v) => v.version), ['1.0.0']);
    assert.equal(semver1.data[0]?.registration, 'http://pallet.test/v3/registration/semver2.mixed/index.json');

    const semver2 = await search('?q=semver2.mixed&semVerLevel=2.0.0');
    assert.equal(semver2.data[0]?.version, '1.1.0+build.9');
    assert.deepEqual(semver2.data[0]?.versions.map((v) => v.version), ['1.0.0', '1.1.0+build.9']);
    assert.equal(semver2.data[0]?.registration, 'http://pallet.test/v3/registration-gz-semver2/semver2.mixed/index.json');
    assert.equal(semver2.data[0]?.versions[1]?.['@id'], 'http://pallet.test/v3/registration-gz-semver2/semver2.mixed/1.1.0.json');
  });

  it('lists only listed versions, and drops a package whose versions are all unlisted', async () => {
    const partly = await search('?q=partly.unlisted');
    assert.equal(partly.data[0]?.version, '1.0.0');
    assert.deepEqual(partly.data[0]?.versions.map((v) => v.version), ['1.0.0']);
    assert.deepEqual(ids(await search('?q=unlisted.everything')), []);
    assert.equal((await search('?q=packageid:Unlisted.Everything&prerelease=true&semVerLevel=2.0.0')).totalHits, 0);
  });

  it('returns every listed package for an empty q', async () => {
    const all = await search('?take=100');
    assert.deepEqual(
      new Set(ids(all)),
      new Set([
        'Alpha.Tool', 'AZed', 'Zed.Extras', 'Zed', 'Versioned.Lib', 'SemVer2.Mixed', 'Partly.Unlisted',
        'Contoso.Logging', 'Contoso.Data', 'Other.Contoso', 'NotContoso', 'Contoso.Tool', 'Unicode.Text', 'Late.Older',
      ]),
    );
    assert.equal(all.totalHits, 14);
    assert.equal((await search('?q=&take=100')).totalHits, 14);
    assert.equal((await search('?q=%20%20&take=100')).totalHits, 14);
    assert.equal((await search('?prerelease=true&semVerLevel=2.0.0&take=100')).totalHits, 16);
  });

  it('describes a package by its highest version, whatever the push order', async () => {
    const response = await search('?q=packageid:late.older');
    assert.equal(response.data[0]?.version, '2.0.0');
    assert.equal(response.data[0]?.description, 'The newer one.');
    assert.deepEqual(response.data[0]?.versions.map((v) => v.version), ['1.5.0', '2.0.0']);
  });

  it('moves to the previous version when the latest is unlisted, and back when it is relisted', async () => {
    assert.equal((await pallet.setListed('Late.Older', '2.0.0', false)).statusCode, 200);
    const unlisted = await search('?q=packageid:late.older');
    assert.equal(unlisted.data[0]?.version, '1.5.0');
    assert.equal(unlisted.data[0]?.description, 'The older one.');
    assert.equal((await pallet.setListed('Late.Older', '2.0.0', true)).statusCode, 200);
    assert.equal((await search('?q=packageid:late.older')).data[0]?.version, '2.0.0');
  });

  it('matches non-ASCII text case-insensitively', async () => {
    assert.deepEqual(ids(await search('?q=CAF%C3%89')), ['Unicode.Text']);
    assert.deepEqual(ids(await search('?q=description:STRA%C3%9FEN')), ['Unicode.Text']);
  });

  it('matches a quoted phrase as one term', async () => {
    assert.deepEqual(ids(await search('?q=%22fancy%20logger%22')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=%22logger%20fancy%22')), []);
  });
});

describe('search: field syntax', () => {
  it('packageid: matches the whole id only', async () => {
    assert.deepEqual(ids(await search('?q=packageid:contoso.logging')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=packageid:Contoso')), []);
  });

  it('id: matches part of the id', async () => {
    assert.deepEqual(new Set(ids(await search('?q=id:contoso'))), new Set(['Contoso.Logging', 'Contoso.Data', 'Other.Contoso', 'NotContoso', 'Contoso.Tool']));
  });

  it('tags:, author:, title:, description: and summary: match their field', async () => {
    assert.deepEqual(ids(await search('?q=tags:diagnostics')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=tag:data')), ['Contoso.Data']);
    assert.deepEqual(ids(await search('?q=author:jane')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=authors:%22Someone%20Else%22')), ['Contoso.Data']);
    assert.deepEqual(ids(await search('?q=title:fancy')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=description:structured')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=summary:things')), ['Contoso.Logging']);
  });

  it('version: matches ids that have that listed version, in any equivalent form', async () => {
    assert.deepEqual(ids(await search('?q=version:4.5.6')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=version:4.5.6.0')), ['Contoso.Logging']);
    assert.deepEqual(new Set(ids(await search('?q=id:versioned%20version:1.0'))), new Set(['Versioned.Lib']));
    assert.deepEqual(ids(await search('?q=packageid:partly.unlisted%20version:2.0.0')), [], 'an unlisted version does not match');
    assert.deepEqual(ids(await search('?q=packageid:versioned.lib%20version:3.0.0-beta')), [], 'a prerelease needs prerelease=true');
    assert.deepEqual(ids(await search('?q=packageid:versioned.lib%20version:3.0.0-beta&prerelease=true')), ['Versioned.Lib']);
  });

  it('owner: matches nothing, as no package has owners', async () => {
    assert.deepEqual(await search('?q=owner:jane'), { '@context': { '@vocab': 'http://schema.nuget.org/schema#', '@base': 'http://pallet.test/v3/registration/' }, totalHits: 0, data: [] });
  });

  it('does not match a field value against other fields', async () => {
    assert.deepEqual(ids(await search('?q=title:diagnostics')), []);
    assert.deepEqual(ids(await search('?q=tags:fancy')), []);
  });

  it('combines terms with AND', async () => {
    assert.deepEqual(ids(await search('?q=id:contoso%20tags:logging')), ['Contoso.Logging']);
    assert.deepEqual(ids(await search('?q=id:contoso%20tags:nothing-has-this')), []);
  });

  it('ignores terms with an unknown field', async () => {
    const all = await search('?take=100');
    const unknown = await search('?q=color:blue&take=100');
    assert.equal(unknown.totalHits, all.totalHits);
    assert.deepEqual(ids(unknown), ids(all));
    assert.deepEqual(ids(await search('?q=color:blue%20packageid:zed')), ['Zed']);
  });
});

describe('search: package types', () => {
  it('filters by packageType, case-insensitively', async () => {
    for (const type of ['DotnetTool', 'dotnettool']) {
      const response = await search(`?packageType=${type}&take=100`);
      assert.deepEqual(ids(response), ['Contoso.Tool'], type);
      assert.equal(response.totalHits, 1);
      assert.deepEqual(response.data[0]?.packageTypes, [{ name: 'DotnetTool' }]);
    }
    assert.deepEqual(ids(await search('?q=contoso&packageType=DotnetTool')), ['Contoso.Tool']);
    assert.deepEqual(ids(await search('?packageType=NoSuchType')), []);
  });

  it('always includes packageTypes, Dependency when none is declared', async () => {
    const response = await search('?take=100');
    for (const result of response.data) {
      assert.ok(Array.isArray(result.packageTypes) && result.packageTypes.length > 0, result.id);
    }
    assert.deepEqual(response.data.find((r) => r.id === 'Zed')?.packageTypes, [{ name: 'Dependency' }]);
  });
});

describe('search: response shape', () => {
  it('describes a package completely', async () => {
    const { status, headers, body } = await pallet.json('/v3/search?q=packageid:contoso.logging');
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(body, {
      '@context': { '@vocab': 'http://schema.nuget.org/schema#', '@base': 'http://pallet.test/v3/registration/' },
      totalHits: 1,
      data: [
        {
          '@id': 'http://pallet.test/v3/registration/contoso.logging/index.json',
          '@type': 'Package',
          registration: 'http://pallet.test/v3/registration/contoso.logging/index.json',
          id: 'Contoso.Logging',
          version: '4.5.6',
          description: 'Structured logging for Contoso apps.',
          summary: 'Logs things.',
          title: 'Contoso Fancy Logger',
          licenseUrl: 'https://licenses.nuget.org/MIT',
          projectUrl: 'https://example.com/logging',
          licenseExpression: 'MIT',
          tags: ['logging', 'diagnostics'],
          authors: ['Jane Doe', 'John Roe'],
          totalDownloads: 0,
          owners: [],
          verified: false,
          packageTypes: [{ name: 'Dependency' }],
          versions: [{ version: '4.5.6', downloads: 0, '@id': 'http://pallet.test/v3/registration/contoso.logging/4.5.6.json' }],
          vulnerabilities: [],
        },
      ],
    });
  });

  it('uses the id as title when the package has none', async () => {
    const { data } = await search('?q=packageid:zed');
    assert.equal(data[0]?.title, 'Zed');
  });
});

describe('search: paging', () => {
  let paging: InProcessPallet;
  before(async () => {
    paging = await startInProcess();
    for (let n = 1; n <= 25; n++) {
      await paging.pushOk(buildNupkg({ id: `Bulk.Pkg${String(n).padStart(2, '0')}`, version: '1.0.0', includeOpcParts: false, includeLib: false }));
    }
  });
  after(() => paging.close());
  const page = async (query: string) => (await paging.json<SearchResponse>(`/v3/search${query}`)).body;

  it('reports totalHits independent of skip and take', async () => {
    const first = await page('?q=bulk&skip=0&take=10');
    assert.equal(first.totalHits, 25);
    assert.equal(first.data.length, 10);
    const last = await page('?q=bulk&skip=20&take=10');
    assert.equal(last.totalHits, 25);
    assert.equal(last.data.length, 5);
    const beyond = await page('?q=bulk&skip=30');
    assert.equal(beyond.totalHits, 25);
    assert.deepEqual(beyond.data, []);
    const none = await page('?q=bulk&take=0');
    assert.equal(none.totalHits, 25);
    assert.deepEqual(none.data, []);
  });

  it('pages through every id exactly once', async () => {
    const seen: string[] = [];
    for (let skip = 0; skip < 25; skip += 7) seen.push(...ids(await page(`?q=bulk&skip=${skip}&take=7`)));
    assert.deepEqual(seen.slice().sort(), Array.from({ length: 25 }, (_, i) => `Bulk.Pkg${String(i + 1).padStart(2, '0')}`));
  });

  it('takes 20 by default', async () => {
    assert.equal((await page('')).data.length, 20);
  });

  it('serves take past 1000 as 1000', async () => {
    const response = await page('?take=5000');
    assert.equal(response.data.length, 25);
    assert.equal(response.totalHits, 25);
  });

  it('refuses skip and take that are not whole numbers with 400', async () => {
    for (const query of ['?take=1e9', '?take=-1', '?take=abc', '?take=1.5', '?skip=-5', '?skip=0x10', '?take=1%20000', '?skip=99999999999']) {
      for (const path of ['/v3/search', '/v3/autocomplete']) {
        const response = await paging.get(`${path}${query}`);
        assert.equal(response.statusCode, 400, `${path}${query}`);
        assert.match(response.statusMessage, /^The '(skip|take)' parameter must be a whole number/, `${path}${query}`);
      }
    }
  });

  it('treats an empty skip or take as absent', async () => {
    assert.equal((await page('?skip=&take=')).data.length, 20);
  });
});

describe('autocomplete: package ids', () => {
  const autocomplete = async (query: string) => {
    const { status, body } = await pallet.json(`/v3/autocomplete${query}`);
    assert.equal(status, 200, query);
    return body as { '@context': unknown; totalHits: number; data: string[] };
  };

  it('returns ids that start with q, or have a part that does, prefixes first', async () => {
    const response = await autocomplete('?q=contoso');
    assert.deepEqual(response, {
      '@context': { '@vocab': 'http://schema.nuget.org/schema#' },
      totalHits: 4,
      data: ['Contoso.Data', 'Contoso.Logging', 'Contoso.Tool', 'Other.Contoso'],
    });
  });

  it('matches case-insensitively and returns display casing', async () => {
    assert.deepEqual((await autocomplete('?q=CONTOSO.L')).data, ['Contoso.Logging']);
  });

  it('pages with skip and take, keeping totalHits', async () => {
    const response = await autocomplete('?q=contoso&skip=1&take=2');
    assert.equal(response.totalHits, 4);
    assert.deepEqual(response.data, ['Contoso.Logging', 'Contoso.Tool']);
  });

  it('returns every listed id without q', async () => {
    const response = await autocomplete('?take=100');
    assert.equal(response.totalHits, 14);
    assert.equal(response.data.length, 14);
  });

  it('keeps totalHits for a page past the end and for take=0', async () => {
    assert.deepEqual(await autocomplete('?q=contoso&skip=10'), { '@context': { '@vocab': 'http://schema.nuget.org/schema#' }, totalHits: 4, data: [] });
    assert.deepEqual(await autocomplete('?q=contoso&take=0'), { '@context': { '@vocab': 'http://schema.nuget.org/schema#' }, totalHits: 4, data: [] });
    assert.deepEqual(await autocomplete('?q=nothing.starts.like.this'), { '@context': { '@vocab': 'http://schema.nuget.org/schema#' }, totalHits: 0, data: [] });
  });

  it('matches a part after a dot, dash or underscore, but not inside a word', async () => {
    assert.deepEqual((await autocomplete('?q=older')).data, ['Late.Older']);
    assert.deepEqual((await autocomplete('?q=ontoso')).data, []);
  });

  it('applies the prerelease and SemVer 2.0.0 filters, and leaves out unlisted packages', async () => {
    assert.deepEqual((await autocomplete('?q=prerelease')).data, []);
    assert.deepEqual((await autocomplete('?q=prerelease&prerelease=true')).data, ['Prerelease.Only']);
    assert.deepEqual((await autocomplete('?q=semver2.only&prerelease=true')).data, []);
    assert.deepEqual((await autocomplete('?q=semver2.only&prerelease=true&semVerLevel=2.0.0')).data, ['SemVer2.Only']);
    assert.deepEqual((await autocomplete('?q=unlisted.everything&prerelease=true&semVerLevel=2.0.0')).data, []);
    assert.deepEqual((await autocomplete('?q=partly.unlisted')).data, ['Partly.Unlisted']);
  });
});

describe('autocomplete: versions of an id', () => {
  const versions = async (query: string) => (await pallet.json(`/v3/autocomplete${query}`)).body;

  it('lists listed versions, filtered by prerelease and semVerLevel', async () => {
    assert.deepEqual(await versions('?id=versioned.lib&prerelease=true&semVerLevel=2.0.0'), {
      '@context': { '@vocab': 'http://schema.nuget.org/schema#' },
      totalHits: 3,
      data: ['1.0.0', '2.0.0', '3.0.0-beta'],
    });
    assert.deepEqual((await versions('?id=versioned.lib')).data, ['1.0.0', '2.0.0']);
    assert.deepEqual((await versions('?id=SemVer2.Mixed&prerelease=true&semVerLevel=2.0.0')).data, ['1.0.0', '1.1.0+build.9']);
    assert.deepEqual((await versions('?id=SemVer2.Mixed&prerelease=true')).data, ['1.0.0']);
    assert.deepEqual((await versions('?id=Partly.Unlisted&prerelease=true&semVerLevel=2.0.0')).data, ['1.0.0']);
  });

  it('finds the id in any casing', async () => {
    assert.deepEqual((await versions('?id=VERSIONED.LIB')).data, ['1.0.0', '2.0.0']);
  });

  it('answers an empty list for an unknown id', async () => {
    assert.deepEqual(await versions('?id=no.such.package&prerelease=true&semVerLevel=2.0.0'), {
      '@context': { '@vocab': 'http://schema.nuget.org/schema#' },
      totalHits: 0,
      data: [],
    });
  });
});
