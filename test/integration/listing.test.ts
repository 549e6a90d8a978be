/**
 * Unlist (DELETE) and relist (POST) on /api/v2/package/{id}/{version}. Nothing is deleted: an unlisted
 * version leaves search but still restores.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#delete-a-package
 * https://learn.microsoft.com/nuget/api/package-publish-resource#relist-a-package
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';

let pallet: InProcessPallet;
before(async () => {
  pallet = await startInProcess();
  await pallet.pushOk(buildNupkg({ id: 'Listing.Pkg', version: '1.0.0', includeOpcParts: false }));
  await pallet.pushOk(buildNupkg({ id: 'Listing.Pkg', version: '2.0.0', includeOpcParts: false }));
  await pallet.pushOk(buildNupkg({ id: 'Auth.Listing', version: '1.0.0', includeOpcParts: false }));
});
after(() => pallet.close());

async function listedState(id: string, version: string): Promise<boolean> {
  const { status, body } = await pallet.json(`/v3/registration-gz-semver2/${id.toLowerCase()}/${version}.json`);
  assert.equal(status, 200);
  return body.listed;
}

async function searchVersions(id: string): Promise<string[]> {
  const { body } = await pallet.json(`/v3/search?q=packageid:${id}&prerelease=true&semVerLevel=2.0.0`);
  return body.data.flatMap((result: { versions: { version: string }[] }) => result.versions.map((v) => v.version));
}

describe('unlist and relist', () => {
  it('unlists with DELETE: 200, empty body; the version leaves search and stays downloadable', async () => {
    const response = await pallet.setListed('Listing.Pkg', '1.0.0', false);
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '');
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), false);
    assert.equal(await listedState('Listing.Pkg', '2.0.0'), true);
    assert.deepEqual(await searchVersions('Listing.Pkg'), ['2.0.0']);
    assert.deepEqual((await pallet.json('/v3/package/listing.pkg/index.json')).body, { versions: ['1.0.0', '2.0.0'] });
    assert.equal((await pallet.get('/v3/package/listing.pkg/1.0.0/listing.pkg.1.0.0.nupkg')).statusCode, 200);
  });

  it('answers 200 to a second DELETE (idempotent)', async () => {
    assert.equal((await pallet.setListed('Listing.Pkg', '1.0.0', false)).statusCode, 200);
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), false);
  });

  it('relists with POST: 200, and again 200 (idempotent)', async () => {
    const first = await pallet.setListed('Listing.Pkg', '1.0.0', true);
    assert.equal(first.statusCode, 200);
    assert.equal(first.body, '');
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), true);
    assert.deepEqual(await searchVersions('Listing.Pkg'), ['1.0.0', '2.0.0']);
    assert.equal((await pallet.setListed('Listing.Pkg', '1.0.0', true)).statusCode, 200);
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), true);
  });

  it('accepts a POST on a version that was never unlisted', async () => {
    assert.equal((await pallet.setListed('Listing.Pkg', '2.0.0', true)).statusCode, 200);
    assert.equal(await listedState('Listing.Pkg', '2.0.0'), true);
  });

  it('matches the id in any casing and the version in any equivalent form', async () => {
    assert.equal((await pallet.setListed('LISTING.pkg', '1.0', false)).statusCode, 200);
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), false);
    assert.equal((await pallet.setListed('listing.PKG', '1.0.0.0', true)).statusCode, 200);
    assert.equal(await listedState('Listing.Pkg', '1.0.0'), true);
  });

  it('answers 404 for an unknown id, an unknown version, or a version that is not one', async () => {
    for (const [id, version] of [['No.Such.Package', '1.0.0'], ['Listing.Pkg', '9.9.9'], ['Listing.Pkg', 'not-a-version']] as const) {
      for (const listed of [false, true]) {
        const response = await pallet.setListed(id, version, listed);
        assert.equal(response.statusCode, 404, `${listed ? 'POST' : 'DELETE'} ${id} ${version}`);
        assert.equal(response.statusMessage, `The package '${id}' version '${version}' does not exist.`);
      }
    }
  });
});

describe('unlist and relist: authentication', () => {
  it('answers 401 with WWW-Authenticate without an API key, and changes nothing', async () => {
    for (const listed of [false, true]) {
      const response = await pallet.setListed('Auth.Listing', '1.0.0', listed, null);
      assert.equal(response.statusCode, 401);
      assert.equal(
        response.statusMessage,
        'An API key is required to unlist or relist packages: dotnet nuget delete --api-key KEY (or -k), nuget.exe delete -ApiKey KEY, or the X-NuGet-ApiKey header.',
      );
      assert.equal(response.headers['www-authenticate'], 'ApiKey realm="Pallet"');
    }
    assert.equal(await listedState('Auth.Listing', '1.0.0'), true);
  });

  it('answers 403 for a wrong API key, and changes nothing', async () => {
    const response = await pallet.setListed('Auth.Listing', '1.0.0', false, 'wrong-key-456');
    assert.equal(response.statusCode, 403);
    assert.match(response.statusMessage, /^The specified API key is invalid/);
    assert.equal(await listedState('Auth.Listing', '1.0.0'), true);
  });

  it('checks the key before whether the package exists', async () => {
    assert.equal((await pallet.setListed('No.Such.Package', '1.0.0', false, null)).statusCode, 401);
    assert.equal((await pallet.setListed('No.Such.Package', '1.0.0', false, 'wrong-key-456')).statusCode, 403);
  });
});
