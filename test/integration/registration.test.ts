/**
 * Registration (RegistrationsBaseUrl): package metadata in three hives — SemVer 1 plain, SemVer 1 gzip,
 * SemVer 2 gzip — with index, page and leaf documents and nuget.org's paging.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg, type NupkgOptions } from '../support/nupkg-builder.ts';
import { pathOf, sha512, startInProcess, type InProcessPallet } from '../support/in-process.ts';

const NOW = '2024-05-06T07:08:09.000Z';
const UNLISTED = '1900-01-01T00:00:00+00:00';
const SEMVER2 = 'http://pallet.test/v3/registration-gz-semver2';
const PLAIN = 'http://pallet.test/v3/registration';
const CONTENT = 'http://pallet.test/v3/package';

let pallet: InProcessPallet;
before(async () => {
  pallet = await startInProcess({ now: () => new Date(NOW) });
});
after(() => pallet.close());

const demoOptions: NupkgOptions = {
  id: 'Demo.Reg',
  version: '1.0.0',
  title: 'Demo Registration',
  authors: 'Jane Doe, John Roe',
  description: 'A package to test registration documents.',
  summary: 'Short.',
  tags: ['demo', 'registration'],
  projectUrl: 'https://example.com/demo',
  license: { type: 'expression', value: 'MIT' },
  readme: { path: 'README.md', content: '# Demo\n' },
  dependencyGroups: [
    {
      targetFramework: 'net8.0',
      dependencies: [
        { id: 'Newtonsoft.Json', range: '13.0.1' },
        { id: 'Other.Lib', range: '[1.0, 2.0)' },
      ],
    },
    { targetFramework: 'netstandard2.0', dependencies: [] },
    { dependencies: [{ id: 'Any.Dep' }] },
  ],
};

function expectedCatalogEntry(base: string) {
  return {
    '@id': `${base}/demo.reg/1.0.0.json`,
    '@type': 'PackageDetails',
    authors: 'Jane Doe, John Roe',
    dependencyGroups: [
      {
        '@type': 'PackageDependencyGroup',
        targetFramework: 'net8.0',
        dependencies: [
          { '@type': 'PackageDependency', id: 'Newtonsoft.Json', range: '[13.0.1, )', registration: `${base}/newtonsoft.json/index.json` },
          { '@type': 'PackageDependency', id: 'Other.Lib', range: '[1.0.0, 2.0.0)', registration: `${base}/other.lib/index.json` },
        ],
      },
      { '@type': 'PackageDependencyGroup', targetFramework: 'netstandard2.0', dependencies: [] },
      {
        '@type': 'PackageDependencyGroup',
        dependencies: [{ '@type': 'PackageDependency', id: 'Any.Dep', range: '(, )', registration: `${base}/any.dep/index.json` }],
      },
    ],
    description: 'A package to test registration documents.',
    id: 'Demo.Reg',
    language: '',
    licenseExpression: 'MIT',
    licenseUrl: 'https://licenses.nuget.org/MIT',
    listed: true,
    minClientVersion: '',
    packageContent: `${CONTENT}/demo.reg/1.0.0/demo.reg.1.0.0.nupkg`,
    projectUrl: 'https://example.com/demo',
    published: NOW,
    readmeUrl: 'http://pallet.test/packages/Demo.Reg/1.0.0',
    requireLicenseAcceptance: false,
    summary: 'Short.',
    tags: ['demo', 'registration'],
    title: 'Demo Registration',
    verified: false,
    version: '1.0.0',
  };
}

function expectedIndex(base: string) {
  return {
    '@id': `${base}/demo.reg/index.json`,
    '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
    count: 1,
    items: [
      {
        '@id': `${base}/demo.reg/index.json#page/1.0.0/1.0.0`,
        '@type': 'catalog:CatalogPage',
        count: 1,
        lower: '1.0.0',
        upper: '1.0.0',
        parent: `${base}/demo.reg/index.json`,
        items: [
          {
            '@id': `${base}/demo.reg/1.0.0.json`,
            '@type': 'Package',
            commitTimeStamp: NOW,
            catalogEntry: expectedCatalogEntry(base),
            packageContent: `${CONTENT}/demo.reg/1.0.0/demo.reg.1.0.0.nupkg`,
            registration: `${base}/demo.reg/index.json`,
          },
        ],
      },
    ],
  };
}

describe('registration: documents', () => {
  const demo = buildNupkg(demoOptions);
  before(() => pallet.pushOk(demo));

  it('serves the index with inlined page, leaf items and full catalog entries (SemVer 2 hive)', async () => {
    const { status, headers, body } = await pallet.json('/v3/registration-gz-semver2/demo.reg/index.json');
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(headers['cache-control'], 'no-cache');
    assert.deepEqual(body, expectedIndex(SEMVER2));
  });

  it('serves the same index in the SemVer 1 plain hive, with links into that hive', async () => {
    const { status, body } = await pallet.json('/v3/registration/demo.reg/index.json');
    assert.equal(status, 200);
    assert.deepEqual(body, expectedIndex(PLAIN));
  });

  it('serves the leaf document', async () => {
    const { status, body } = await pallet.json('/v3/registration-gz-semver2/demo.reg/1.0.0.json');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      '@id': `${SEMVER2}/demo.reg/1.0.0.json`,
      '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'],
      listed: true,
      packageContent: `${CONTENT}/demo.reg/1.0.0/demo.reg.1.0.0.nupkg`,
      published: NOW,
      registration: `${SEMVER2}/demo.reg/index.json`,
    });
  });

  it('finds the index and leaf for any id casing and version form', async () => {
    assert.deepEqual((await pallet.json('/v3/registration-gz-semver2/DEMO.Reg/index.json')).body, expectedIndex(SEMVER2));
    const leaf = await pallet.json('/v3/registration-gz-semver2/demo.reg/1.0.json');
    assert.equal(leaf.status, 200);
    assert.equal(leaf.body['@id'], `${SEMVER2}/demo.reg/1.0.0.json`);
  });

  it('answers 404 for an unknown id, an unknown version, and a non-JSON file', async () => {
    for (const url of [
      '/v3/registration-gz-semver2/no.such.package/index.json',
      '/v3/registration/no.such.package/index.json',
      '/v3/registration-gz-semver2/demo.reg/9.9.9.json',
      '/v3/registration-gz-semver2/demo.reg/not-a-version.json',
      '/v3/registration-gz-semver2/demo.reg/index.xml',
    ]) {
      assert.equal((await pallet.get(url, { 'accept-encoding': 'gzip' })).statusCode, 404, url);
    }
  });

  it('has a packageContent URL that downloads the pushed bytes', async () => {
    const { body } = await pallet.json('/v3/registration-gz-semver2/demo.reg/index.json');
    const response = await pallet.get(pathOf(body.items[0].items[0].packageContent));
    assert.equal(response.statusCode, 200);
    assert.equal(sha512(response.rawPayload), sha512(demo));
  });

  it('has leaf @ids that resolve to leaf documents', async () => {
    const { body } = await pallet.json('/v3/registration-gz-semver2/demo.reg/index.json');
    const leaf = await pallet.json(pathOf(body.items[0].items[0]['@id']));
    assert.equal(leaf.status, 200);
    assert.equal(leaf.body['@id'], body.items[0].items[0]['@id']);
  });
});

describe('registration: embedded files and flags', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  before(async () => {
    await pallet.pushOk(
      buildNupkg({
        id: 'Embedded.Reg',
        version: '1.0.0',
        icon: { path: 'icon.png', bytes: png },
        license: { type: 'file', value: 'LICENSE.txt', fileContent: 'License text.\n' },
        requireLicenseAcceptance: true,
      }),
    );
    const xml =
      '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">' +
      '<metadata minClientVersion="3.3.0"><id>MinClient.Reg</id><version>1.0.0</version><authors>A</authors><description>D</description>' +
      '<language>en-US</language><iconUrl>https://example.com/icon.png</iconUrl><licenseUrl>https://example.com/license</licenseUrl></metadata></package>';
    await pallet.pushOk(buildNupkg({ id: 'MinClient.Reg', version: '1.0.0', nuspecXml: xml }));
  });

  it('points iconUrl and licenseUrl at the embedded files, and keeps requireLicenseAcceptance', async () => {
    const { body } = await pallet.json('/v3/registration-gz-semver2/embedded.reg/index.json');
    const entry = body.items[0].items[0].catalogEntry;
    assert.equal(entry.iconUrl, `${CONTENT}/embedded.reg/1.0.0/icon`);
    assert.equal(entry.licenseUrl, `${CONTENT}/embedded.reg/1.0.0/license`);
    assert.equal(entry.licenseExpression, undefined);
    assert.equal(entry.requireLicenseAcceptance, true);
    assert.equal((await pallet.get(pathOf(entry.iconUrl))).statusCode, 200);
    assert.equal((await pallet.get(pathOf(entry.licenseUrl))).body, 'License text.\n');
  });

  it('carries minClientVersion, language and the nuspec iconUrl and licenseUrl', async () => {
    const { body } = await pallet.json('/v3/registration-gz-semver2/minclient.reg/index.json');
    const entry = body.items[0].items[0].catalogEntry;
    assert.equal(entry.minClientVersion, '3.3.0');
    assert.equal(entry.language, 'en-US');
    assert.equal(entry.iconUrl, 'https://example.com/icon.png');
    assert.equal(entry.licenseUrl, 'https://example.com/license');
    assert.equal(entry.readmeUrl, undefined);
  });
});

describe('registration: listing', () => {
  before(async () => {
    await pallet.pushOk(buildNupkg({ id: 'Listing.Reg', version: '1.0.0' }));
    await pallet.pushOk(buildNupkg({ id: 'Listing.Reg', version: '2.0.0' }));
  });

  it('shows an unlisted version as listed:false, published 1900-01-01, in the index and the leaf', async () => {
    assert.equal((await pallet.setListed('Listing.Reg', '1.0.0', false)).statusCode, 200);
    const { body } = await pallet.json('/v3/registration-gz-semver2/listing.reg/index.json');
    const [first, second] = body.items[0].items;
    assert.equal(body.items[0].count, 2, 'an unlisted version stays in the registration');
    assert.equal(first.catalogEntry.version, '1.0.0');
    assert.equal(first.catalogEntry.listed, false);
    assert.equal(first.catalogEntry.published, UNLISTED);
    assert.equal(first.commitTimeStamp, NOW);
    assert.equal(second.catalogEntry.listed, true);
    assert.equal(second.catalogEntry.published, NOW);

    const leaf = await pallet.json('/v3/registration-gz-semver2/listing.reg/1.0.0.json');
    assert.equal(leaf.body.listed, false);
    assert.equal(leaf.body.published, UNLISTED);

    const plain = await pallet.json('/v3/registration/listing.reg/index.json');
    assert.equal(plain.body.items[0].items[0].catalogEntry.listed, false);
  });

  it('restores listed:true and the real publish time on relist', async () => {
    assert.equal((await pallet.setListed('Listing.Reg', '1.0.0', true)).statusCode, 200);
    const { body } = await pallet.json('/v3/registration-gz-semver2/listing.reg/index.json');
    assert.equal(body.items[0].items[0].catalogEntry.listed, true);
    assert.equal(body.items[0].items[0].catalogEntry.published, NOW);
    const leaf = await pallet.json('/v3/registration-gz-semver2/listing.reg/1.0.0.json');
    assert.equal(leaf.body.listed, true);
    assert.equal(leaf.body.published, NOW);
  });
});

describe('registration: identity', () => {
  it('keeps the display casing of the first push for every version', async () => {
    await pallet.pushOk(buildNupkg({ id: 'Casing.First', version: '1.0.0' }));
    await pallet.pushOk(buildNupkg({ id: 'CASING.first', version: '2.0.0' }));
    const { body } = await pallet.json('/v3/registration-gz-semver2/casing.first/index.json');
    assert.equal(body['@id'], `${SEMVER2}/casing.first/index.json`);
    assert.deepEqual(
      body.items[0].items.map((item: any) => item.catalogEntry.id),
      ['Casing.First', 'Casing.First'],
    );
  });

  it('shows the full version with build metadata, but identifies the leaf without it', async () => {
    await pallet.pushOk(buildNupkg({ id: 'Metadata.Reg', version: '1.0.0+Build.5' }));
    const { body } = await pallet.json('/v3/registration-gz-semver2/metadata.reg/index.json');
    const item = body.items[0].items[0];
    assert.equal(item.catalogEntry.version, '1.0.0+Build.5');
    assert.equal(item['@id'], `${SEMVER2}/metadata.reg/1.0.0.json`);
    assert.equal(item.packageContent, `${CONTENT}/metadata.reg/1.0.0/metadata.reg.1.0.0.nupkg`);
    assert.equal(body.items[0].lower, '1.0.0');
    assert.equal(body.items[0].upper, '1.0.0');
    assert.equal((await pallet.json('/v3/registration-gz-semver2/metadata.reg/1.0.0+Build.5.json')).status, 200);
  });

  it('writes normalized, lowercase versions for mixed-case prerelease labels', async () => {
    await pallet.pushOk(buildNupkg({ id: 'Label.Reg', version: '1.0.0-Beta' }));
    const { body } = await pallet.json('/v3/registration-gz-semver2/label.reg/index.json');
    const item = body.items[0].items[0];
    assert.equal(item.catalogEntry.version, '1.0.0-Beta');
    assert.equal(item['@id'], `${SEMVER2}/label.reg/1.0.0-beta.json`);
    assert.equal(body.items[0].lower, '1.0.0-beta');
  });
});

describe('registration: compression', () => {
  before(() => pallet.pushOk(buildNupkg({ id: 'Gzip.Reg', version: '1.0.0' })));

  for (const hive of ['registration-gz-semver2', 'registration-gz']) {
    it(`gzips /v3/${hive}/ when the client accepts gzip`, async () => {
      const { status, headers, body } = await pallet.json(`/v3/${hive}/gzip.reg/index.json`);
      assert.equal(status, 200);
      assert.equal(headers['content-encoding'], 'gzip');
      assert.equal(headers.vary, 'Accept-Encoding');
      assert.equal(headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(body['@id'], `http://pallet.test/v3/${hive}/gzip.reg/index.json`);

      const leaf = await pallet.json(`/v3/${hive}/gzip.reg/1.0.0.json`);
      assert.equal(leaf.headers['content-encoding'], 'gzip');
      assert.equal(leaf.body.listed, true);
    });

    it(`sends /v3/${hive}/ uncompressed to a client that does not accept gzip`, async () => {
      const response = await pallet.get(`/v3/${hive}/gzip.reg/index.json`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-encoding'], undefined);
      assert.equal(response.headers.vary, 'Accept-Encoding', 'caches must key on Accept-Encoding');
      assert.equal(JSON.parse(response.body)['@id'], `http://pallet.test/v3/${hive}/gzip.reg/index.json`);
    });
  }

  it('does not gzip for a client that refuses gzip with q=0', async () => {
    // RFC 9110 §12.5.3: a coding listed with qvalue 0 is "not acceptable".
    const response = await pallet.get('/v3/registration-gz-semver2/gzip.reg/index.json', { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(response.body)['@id'], `${SEMVER2}/gzip.reg/index.json`);
  });

  it('never gzips the plain hive /v3/registration/', async () => {
    const response = await pallet.get('/v3/registration/gzip.reg/index.json', { 'accept-encoding': 'gzip, deflate' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(response.body)['@id'], `${PLAIN}/gzip.reg/index.json`);
  });
});

describe('registration: SemVer 2.0.0 packages', () => {
  before(async () => {
    await pallet.pushOk(buildNupkg({ id: 'Only.SemVer2', version: '1.0.0-beta.1' }));
    await pallet.pushOk(
      buildNupkg({ id: 'SemVer2.Dependency', version: '1.0.0', dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Pre', range: '[1.0.0-alpha.1, )' }] }] }),
    );
    await pallet.pushOk(buildNupkg({ id: 'Mixed.Reg', version: '1.0.0' }));
    await pallet.pushOk(buildNupkg({ id: 'Mixed.Reg', version: '2.0.0-beta.1' }));
    await pallet.pushOk(buildNupkg({ id: 'Mixed.Reg', version: '2.0.0+meta' }));
  });

  it('hides a package whose only version is SemVer 2.0.0 from the SemVer 1 hives', async () => {
    assert.equal((await pallet.get('/v3/registration/only.semver2/index.json')).statusCode, 404);
    assert.equal((await pallet.get('/v3/registration-gz/only.semver2/index.json', { 'accept-encoding': 'gzip' })).statusCode, 404);
    const { status, body } = await pallet.json('/v3/registration-gz-semver2/only.semver2/index.json');
    assert.equal(status, 200);
    assert.equal(body.items[0].items[0].catalogEntry.version, '1.0.0-beta.1');
  });

  it('treats a SemVer 2.0.0 dependency bound as making the package SemVer 2.0.0', async () => {
    assert.equal((await pallet.get('/v3/registration/semver2.dependency/index.json')).statusCode, 404);
    assert.equal((await pallet.get('/v3/registration/semver2.dependency/1.0.0.json')).statusCode, 404);
    const { status, body } = await pallet.json('/v3/registration-gz-semver2/semver2.dependency/index.json');
    assert.equal(status, 200);
    assert.equal(body.items[0].items[0].catalogEntry.dependencyGroups[0].dependencies[0].range, '[1.0.0-alpha.1, )');
  });

  it('shows only the SemVer 1 versions of a mixed package in the SemVer 1 hives', async () => {
    const plain = await pallet.json('/v3/registration/mixed.reg/index.json');
    assert.deepEqual(
      plain.body.items[0].items.map((item: any) => item.catalogEntry.version),
      ['1.0.0'],
    );
    assert.equal(plain.body.items[0].upper, '1.0.0');
    assert.equal((await pallet.get('/v3/registration/mixed.reg/2.0.0-beta.1.json')).statusCode, 404);

    const full = await pallet.json('/v3/registration-gz-semver2/mixed.reg/index.json');
    assert.deepEqual(
      full.body.items[0].items.map((item: any) => item.catalogEntry.version),
      ['1.0.0', '2.0.0-beta.1', '2.0.0+meta'],
    );
    assert.equal(full.body.items[0].lower, '1.0.0');
    assert.equal(full.body.items[0].upper, '2.0.0');
  });
});

describe('registration: paging', () => {
  const small = (id: string, version: string) => buildNupkg({ id, version, includeOpcParts: false, includeLib: false });

  before(async () => {
    for (let patch = 0; patch < 130; patch++) await pallet.pushOk(small('Paged.Big', `1.0.${patch}`));
    for (let patch = 0; patch < 127; patch++) await pallet.pushOk(small('Paged.Inline', `1.0.${patch}`));
  });

  for (const base of [SEMVER2, PLAIN]) {
    const hive = base.slice('http://pallet.test'.length);
    it(`with 130 versions, the ${hive} index lists 3 pages by reference, without items`, async () => {
      const { status, body } = await pallet.json(`${hive}/paged.big/index.json`);
      assert.equal(status, 200);
      assert.equal(body.count, 3);
      assert.deepEqual(body.items, [
        { '@id': `${base}/paged.big/page/1.0.0/1.0.63.json`, '@type': 'catalog:CatalogPage', count: 64, lower: '1.0.0', upper: '1.0.63' },
        { '@id': `${base}/paged.big/page/1.0.64/1.0.127.json`, '@type': 'catalog:CatalogPage', count: 64, lower: '1.0.64', upper: '1.0.127' },
        { '@id': `${base}/paged.big/page/1.0.128/1.0.129.json`, '@type': 'catalog:CatalogPage', count: 2, lower: '1.0.128', upper: '1.0.129' },
      ]);
    });

    it(`with 130 versions, each ${hive} page is served at its @id with its leaves`, async () => {
      const { body: index } = await pallet.json(`${hive}/paged.big/index.json`);
      const seen: string[] = [];
      for (const reference of index.items) {
        const { status, body: page } = await pallet.json(pathOf(reference['@id']));
        assert.equal(status, 200, reference['@id']);
        assert.equal(page['@id'], reference['@id']);
        assert.equal(page['@type'], 'catalog:CatalogPage');
        assert.equal(page.parent, `${base}/paged.big/index.json`);
        assert.equal(page.count, reference.count);
        assert.equal(page.lower, reference.lower);
        assert.equal(page.upper, reference.upper);
        assert.ok(page.items.length <= 64);
        assert.equal(page.items.length, page.count);
        assert.equal(page.items[0].catalogEntry.version, page.lower);
        assert.equal(page.items.at(-1).catalogEntry.version, page.upper);
        for (const item of page.items) {
          assert.equal(item['@id'], `${base}/paged.big/${item.catalogEntry.version}.json`);
          seen.push(item.catalogEntry.version);
        }
      }
      assert.deepEqual(seen, Array.from({ length: 130 }, (_, patch) => `1.0.${patch}`));
    });
  }

  it('answers 404 for a page with bounds that do not exist', async () => {
    for (const url of ['/v3/registration-gz-semver2/paged.big/page/1.0.0/1.0.64.json', '/v3/registration-gz-semver2/paged.big/page/0.0.1/9.9.9.json', '/v3/registration-gz-semver2/nope/page/1.0.0/1.0.63.json']) {
      assert.equal((await pallet.get(url, { 'accept-encoding': 'gzip' })).statusCode, 404, url);
    }
  });

  it('gzips external pages on the gzip hive', async () => {
    const { headers, body } = await pallet.json('/v3/registration-gz-semver2/paged.big/page/1.0.128/1.0.129.json');
    assert.equal(headers['content-encoding'], 'gzip');
    assert.equal(body.count, 2);
  });

  it('with 127 versions, inlines 2 pages (64 + 63) with their items', async () => {
    const { status, body } = await pallet.json('/v3/registration-gz-semver2/paged.inline/index.json');
    assert.equal(status, 200);
    assert.equal(body.count, 2);
    const [first, second] = body.items;
    assert.equal(first['@id'], `${SEMVER2}/paged.inline/index.json#page/1.0.0/1.0.63`);
    assert.equal(first.count, 64);
    assert.equal(first.lower, '1.0.0');
    assert.equal(first.upper, '1.0.63');
    assert.equal(first.items.length, 64);
    assert.equal(first.parent, `${SEMVER2}/paged.inline/index.json`);
    assert.equal(second['@id'], `${SEMVER2}/paged.inline/index.json#page/1.0.64/1.0.126`);
    assert.equal(second.count, 63);
    assert.equal(second.lower, '1.0.64');
    assert.equal(second.upper, '1.0.126');
    assert.equal(second.items.length, 63);
    assert.equal(second.items.at(-1).catalogEntry.version, '1.0.126');
  });

  it('sorts paged versions in NuGet order, not string order', async () => {
    const { body } = await pallet.json('/v3/registration-gz-semver2/paged.inline/index.json');
    const versions = body.items.flatMap((page: any) => page.items.map((item: any) => item.catalogEntry.version));
    assert.deepEqual(versions, Array.from({ length: 127 }, (_, patch) => `1.0.${patch}`));
  });
});
