/**
 * Service index (/v3/index.json): the one URL users configure. NuGet clients match `@type` strings
 * exactly, so every type a client looks for must be present, pointing at an absolute URL.
 * https://learn.microsoft.com/nuget/api/service-index
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, pathOf, type InProcessPallet } from '../support/in-process.ts';

interface Resource {
  '@id': string;
  '@type': string;
  comment?: string;
}

interface ServiceIndex {
  version: string;
  resources: Resource[];
}

/** Each type string a NuGet client looks for, and the @id it must have on a server at http://pallet.test. */
const EXPECTED: Record<string, string> = {
  'PackageBaseAddress/3.0.0': 'http://pallet.test/v3/package/',
  'PackagePublish/2.0.0': 'http://pallet.test/api/v2/package',
  'SearchQueryService/3.0.0-beta': 'http://pallet.test/v3/search',
  'SearchQueryService/3.4.0': 'http://pallet.test/v3/search',
  'SearchQueryService/Versioned': 'http://pallet.test/v3/search',
  'SearchAutocompleteService/3.0.0-beta': 'http://pallet.test/v3/autocomplete',
  RegistrationsBaseUrl: 'http://pallet.test/v3/registration/',
  'RegistrationsBaseUrl/3.4.0': 'http://pallet.test/v3/registration-gz/',
  'RegistrationsBaseUrl/3.6.0': 'http://pallet.test/v3/registration-gz-semver2/',
  'RegistrationsBaseUrl/Versioned': 'http://pallet.test/v3/registration-gz-semver2/',
  'ReportAbuseUriTemplate/3.0.0': 'http://pallet.test/packages/{id}/{version}/report',
  'PackageDetailsUriTemplate/5.1.0': 'http://pallet.test/packages/{id}/{version}',
  'ReadmeUriTemplate/6.13.0': 'http://pallet.test/v3/package/{lower_id}/{lower_version}/readme',
};

function idOf(index: ServiceIndex, type: string): string {
  const matches = index.resources.filter((resource) => resource['@type'] === type);
  assert.equal(matches.length, 1, `exactly one resource of type ${type}`);
  return (matches[0] as Resource)['@id'];
}

describe('service index with a configured public URL', () => {
  let pallet: InProcessPallet;
  before(async () => {
    pallet = await startInProcess();
  });
  after(() => pallet.close());

  it('answers 200 with JSON, version 3.0.0 and no caching', async () => {
    const { status, headers, body } = await pallet.json<ServiceIndex>('/v3/index.json');
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(headers['cache-control'], 'no-cache');
    assert.equal(body.version, '3.0.0');
    assert.ok(Array.isArray(body.resources) && body.resources.length > 0);
  });

  it('advertises every type string NuGet clients look for, each at the expected absolute URL', async () => {
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json');
    for (const [type, expectedId] of Object.entries(EXPECTED)) {
      assert.equal(idOf(body, type), expectedId, type);
    }
  });

  it('writes every @id as an absolute URL under the public URL, and every @type once', async () => {
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json');
    const types = body.resources.map((resource) => resource['@type']);
    assert.deepEqual(types, [...new Set(types)], 'no @type appears twice');
    for (const resource of body.resources) {
      assert.equal(typeof resource['@type'], 'string');
      assert.ok(resource['@id'].startsWith('http://pallet.test/'), `${resource['@type']}: ${resource['@id']}`);
      assert.equal(new URL(resource['@id']).origin, 'http://pallet.test');
    }
  });

  it('answers HEAD with the same status and no body', async () => {
    const response = await pallet.inject({ method: 'HEAD', url: '/v3/index.json' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.rawPayload.length, 0);
  });

  it('has URI templates that resolve to working pages and files', async () => {
    await pallet.pushOk(buildNupkg({ id: 'Templated.Pkg', version: '1.2.3', readme: { path: 'README.md', content: '# Templated\n' } }));
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json');
    const fill = (template: string) =>
      template
        .replace('{id}', 'Templated.Pkg')
        .replace('{version}', '1.2.3')
        .replace('{lower_id}', 'templated.pkg')
        .replace('{lower_version}', '1.2.3');

    const details = await pallet.get(pathOf(fill(idOf(body, 'PackageDetailsUriTemplate/5.1.0'))));
    assert.equal(details.statusCode, 200);
    assert.equal(details.headers['content-type'], 'text/html; charset=utf-8');

    const report = await pallet.get(pathOf(fill(idOf(body, 'ReportAbuseUriTemplate/3.0.0'))));
    assert.equal(report.statusCode, 200);
    assert.equal(report.headers['content-type'], 'text/html; charset=utf-8');

    const readme = await pallet.get(pathOf(fill(idOf(body, 'ReadmeUriTemplate/6.13.0'))));
    assert.equal(readme.statusCode, 200);
    assert.equal(readme.body, '# Templated\n');

    const versions = await pallet.json(pathOf(`${idOf(body, 'PackageBaseAddress/3.0.0')}templated.pkg/index.json`));
    assert.deepEqual(versions.body, { versions: ['1.2.3'] });

    const search = await pallet.json(pathOf(`${idOf(body, 'SearchQueryService/3.4.0')}?q=templated`));
    assert.equal(search.status, 200);
    assert.equal(search.body.totalHits, 1);

    const autocomplete = await pallet.json(pathOf(`${idOf(body, 'SearchAutocompleteService/3.0.0-beta')}?q=templated`));
    assert.deepEqual(autocomplete.body.data, ['Templated.Pkg']);

    for (const type of ['RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl/3.6.0']) {
      const registration = await pallet.json(pathOf(`${idOf(body, type)}templated.pkg/index.json`));
      assert.equal(registration.status, 200, type);
      assert.equal(registration.body['@id'], `${idOf(body, type)}templated.pkg/index.json`);
    }
  });
});

describe('service index without a public URL', () => {
  let pallet: InProcessPallet;
  before(async () => {
    pallet = await startInProcess({ flags: { publicUrl: undefined } });
  });
  after(() => pallet.close());

  it('builds every URL from the Host header the client used', async () => {
    const { status, body } = await pallet.json<ServiceIndex>('/v3/index.json', { headers: { host: 'nuget.lan:8080' } });
    assert.equal(status, 200);
    for (const resource of body.resources) {
      assert.ok(resource['@id'].startsWith('http://nuget.lan:8080/'), `${resource['@type']}: ${resource['@id']}`);
    }
    assert.equal(idOf(body, 'PackageBaseAddress/3.0.0'), 'http://nuget.lan:8080/v3/package/');
    assert.equal(idOf(body, 'RegistrationsBaseUrl/3.6.0'), 'http://nuget.lan:8080/v3/registration-gz-semver2/');
  });

  it('follows a different Host on the next request', async () => {
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json', { headers: { host: '192.168.1.20:5000' } });
    assert.equal(idOf(body, 'PackagePublish/2.0.0'), 'http://192.168.1.20:5000/api/v2/package');
  });

  it('ignores a malformed Host and falls back to the listening address', async () => {
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json', { headers: { host: 'evil.example/path?x=' } });
    for (const resource of body.resources) {
      assert.ok(resource['@id'].startsWith('http://localhost:5000/'), `${resource['@type']}: ${resource['@id']}`);
    }
  });
});

describe('service index with a public URL under a sub-path', () => {
  let pallet: InProcessPallet;
  before(async () => {
    pallet = await startInProcess({ flags: { publicUrl: 'https://example.com/nuget/' } });
  });
  after(() => pallet.close());

  it('keeps the sub-path in every URL, without a double slash', async () => {
    const { body } = await pallet.json<ServiceIndex>('/v3/index.json');
    assert.equal(idOf(body, 'PackageBaseAddress/3.0.0'), 'https://example.com/nuget/v3/package/');
    assert.equal(idOf(body, 'PackagePublish/2.0.0'), 'https://example.com/nuget/api/v2/package');
    assert.equal(idOf(body, 'PackageDetailsUriTemplate/5.1.0'), 'https://example.com/nuget/packages/{id}/{version}');
    for (const resource of body.resources) {
      assert.ok(resource['@id'].startsWith('https://example.com/nuget/'), resource['@id']);
      assert.ok(!resource['@id'].slice('https://'.length).includes('//'), resource['@id']);
    }
  });
});
