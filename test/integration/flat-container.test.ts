/**
 * Package content (flat container, PackageBaseAddress/3.0.0): version lists and file downloads.
 * Restore reads only these, so bytes, caching headers and version forms must be exact.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { buildNupkg, nuspecXml, type NupkgOptions } from '../support/nupkg-builder.ts';
import { sha512, startInProcess, type InProcessPallet } from '../support/in-process.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const IMMUTABLE = 'public, max-age=31536000, immutable';

let pallet: InProcessPallet;
const demoOptions: NupkgOptions = {
  id: 'Demo.Content',
  version: '1.0.0',
  readme: { path: 'docs/README.md', content: '# Demo.Content\n\nHello **readers**.\n' },
  icon: { path: 'images/icon.png', bytes: PNG },
  license: { type: 'file', value: 'LICENSE.txt', fileContent: 'Do what you want.\n' },
};
const demo = buildNupkg(demoOptions);
const plain = buildNupkg({ id: 'Plain.Content', version: '2.0.0' });

before(async () => {
  pallet = await startInProcess();
  await pallet.pushOk(demo);
  await pallet.pushOk(plain);
});
after(() => pallet.close());

describe('flat container: versions index', () => {
  it('lists lowercase normalized versions without metadata, unlisted and SemVer 2.0.0 included, in NuGet order', async () => {
    for (const version of ['1.0.0-beta.10', '1.0.0-beta.2', '1.0.0', '0.9.0', '1.1.0+Build.7', '2.0.0-RC.1', '1.0.0-alpha', '1.0.0.1']) {
      await pallet.pushOk(buildNupkg({ id: 'Ordered.Versions', version }));
    }
    assert.equal((await pallet.setListed('Ordered.Versions', '2.0.0-rc.1', false)).statusCode, 200);

    const { status, headers, body } = await pallet.json('/v3/package/ordered.versions/index.json');
    assert.equal(status, 200);
    assert.equal(headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(headers['content-encoding'], undefined);
    assert.deepEqual(body, {
      versions: ['0.9.0', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0-beta.10', '1.0.0', '1.0.0.1', '1.1.0', '2.0.0-rc.1'],
    });
  });

  it('finds the id in any casing', async () => {
    const { status, body } = await pallet.json('/v3/package/DEMO.Content/index.json');
    assert.equal(status, 200);
    assert.deepEqual(body, { versions: ['1.0.0'] });
  });

  it('answers 404 for an unknown id', async () => {
    const response = await pallet.get('/v3/package/no.such.package/index.json');
    assert.equal(response.statusCode, 404);
    assert.equal(response.statusMessage, "Package 'no.such.package' was not found.");
  });
});

describe('flat container: .nupkg download', () => {
  const url = '/v3/package/demo.content/1.0.0/demo.content.1.0.0.nupkg';

  it('serves exactly the pushed bytes with length, type, ETag, immutable caching and a file name', async () => {
    const response = await pallet.get(url);
    assert.equal(response.statusCode, 200);
    assert.equal(sha512(response.rawPayload), sha512(demo));
    assert.equal(response.headers['content-length'], String(demo.length));
    assert.equal(response.headers['content-type'], 'application/octet-stream');
    assert.equal(response.headers['cache-control'], IMMUTABLE);
    assert.equal(response.headers['content-disposition'], 'attachment; filename="demo.content.1.0.0.nupkg"');
    assert.match(String(response.headers.etag), /^"[0-9a-f]{64}"$/);
    assert.equal((await pallet.get(url)).headers.etag, response.headers.etag, 'the ETag is stable');
  });

  it('gives different packages different ETags', async () => {
    const a = await pallet.inject({ method: 'HEAD', url });
    const b = await pallet.inject({ method: 'HEAD', url: '/v3/package/plain.content/2.0.0/plain.content.2.0.0.nupkg' });
    assert.notEqual(a.headers.etag, b.headers.etag);
  });

  it('answers 304 without a body to If-None-Match with the ETag (alone, in a list, or *)', async () => {
    const etag = String((await pallet.inject({ method: 'HEAD', url })).headers.etag);
    for (const ifNoneMatch of [etag, `"0000", ${etag}`, '*']) {
      const response = await pallet.get(url, { 'if-none-match': ifNoneMatch });
      assert.equal(response.statusCode, 304, ifNoneMatch);
      assert.equal(response.rawPayload.length, 0);
      assert.equal(response.headers.etag, etag);
      assert.equal(response.headers['cache-control'], IMMUTABLE);
    }
  });

  it('answers 200 to If-None-Match with another ETag', async () => {
    const response = await pallet.get(url, { 'if-none-match': '"not-the-etag"' });
    assert.equal(response.statusCode, 200);
    assert.equal(sha512(response.rawPayload), sha512(demo));
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await pallet.inject({ method: 'HEAD', url });
    assert.equal(response.statusCode, 200);
    assert.equal(response.rawPayload.length, 0);
    assert.equal(response.headers['content-length'], String(demo.length));
    assert.equal(response.headers['content-type'], 'application/octet-stream');
    assert.equal(response.headers['cache-control'], IMMUTABLE);
    assert.match(String(response.headers.etag), /^"[0-9a-f]{64}"$/);
  });

  it('is lenient about the id casing and the version form, as long as the file name matches', async () => {
    for (const lenient of [
      '/v3/package/DEMO.CONTENT/1.0.0/DEMO.CONTENT.1.0.0.nupkg',
      '/v3/package/Demo.Content/1.0.0/demo.content.1.0.0.nupkg',
      '/v3/package/demo.content/1.0/demo.content.1.0.nupkg',
      '/v3/package/demo.content/1.0.0.0/demo.content.1.0.0.0.nupkg',
      '/v3/package/demo.content/1.0.0+meta/demo.content.1.0.0+meta.nupkg',
      '/v3/package/DEMO.CONTENT/1.0/demo.content.1.0.0.nupkg',
      '/v3/package/demo.content/1.0.0/demo.content.1.0.nupkg',
    ]) {
      const response = await pallet.get(lenient);
      assert.equal(response.statusCode, 200, lenient);
      assert.equal(sha512(response.rawPayload), sha512(demo), lenient);
      assert.equal(response.headers['content-disposition'], 'attachment; filename="demo.content.1.0.0.nupkg"', lenient);
    }
  });

  it('answers 404 for a file name that does not match the id and version, an unknown version, and an unknown id', async () => {
    for (const missing of [
      '/v3/package/demo.content/1.0.0/other.1.0.0.nupkg',
      '/v3/package/demo.content/1.0.0/demo.content.2.0.0.nupkg',
      '/v3/package/demo.content/2.0.0/demo.content.2.0.0.nupkg',
      '/v3/package/demo.content/not-a-version/demo.content.not-a-version.nupkg',
      '/v3/package/nope/1.0.0/nope.1.0.0.nupkg',
      '/v3/package/demo.content/1.0.0/demo.content.1.0.0.zip',
    ]) {
      const response = await pallet.get(missing);
      assert.equal(response.statusCode, 404, missing);
      assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8', missing);
    }
  });

  it('still serves an unlisted version', async () => {
    const nupkg = buildNupkg({ id: 'Unlisted.Content', version: '1.0.0' });
    await pallet.pushOk(nupkg);
    assert.equal((await pallet.setListed('Unlisted.Content', '1.0.0', false)).statusCode, 200);
    const response = await pallet.get('/v3/package/unlisted.content/1.0.0/unlisted.content.1.0.0.nupkg');
    assert.equal(response.statusCode, 200);
    assert.equal(sha512(response.rawPayload), sha512(nupkg));
    assert.deepEqual((await pallet.json('/v3/package/unlisted.content/index.json')).body, { versions: ['1.0.0'] });
  });
});

describe('flat container: .nuspec and embedded files', () => {
  it('serves the manifest as XML', async () => {
    const response = await pallet.get('/v3/package/demo.content/1.0.0/demo.content.nuspec');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/xml; charset=utf-8');
    assert.equal(response.headers['cache-control'], IMMUTABLE);
    assert.equal(response.body, nuspecXml(demoOptions));
    assert.equal(response.headers['content-disposition'], undefined);
  });

  it('serves the manifest for any id casing and version form', async () => {
    const response = await pallet.get('/v3/package/DEMO.Content/1.0/Demo.Content.nuspec');
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, nuspecXml(demoOptions));
  });

  it('answers 404 for a manifest named after another id', async () => {
    assert.equal((await pallet.get('/v3/package/demo.content/1.0.0/plain.content.nuspec')).statusCode, 404);
  });

  it('serves the readme as markdown when the package has one', async () => {
    const response = await pallet.get('/v3/package/demo.content/1.0.0/readme');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/markdown; charset=utf-8');
    assert.equal(response.body, '# Demo.Content\n\nHello **readers**.\n');
  });

  it('answers 404 for the readme of a package without one', async () => {
    const response = await pallet.get('/v3/package/plain.content/2.0.0/readme');
    assert.equal(response.statusCode, 404);
  });

  it('serves the embedded icon with its image type and the license file as text', async () => {
    const icon = await pallet.get('/v3/package/demo.content/1.0.0/icon');
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['content-type'], 'image/png');
    assert.deepEqual(icon.rawPayload, PNG);

    const license = await pallet.get('/v3/package/demo.content/1.0.0/license');
    assert.equal(license.statusCode, 200);
    assert.equal(license.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(license.body, 'Do what you want.\n');

    assert.equal((await pallet.get('/v3/package/plain.content/2.0.0/icon')).statusCode, 404);
    assert.equal((await pallet.get('/v3/package/plain.content/2.0.0/license')).statusCode, 404);
  });
});

describe('flat container: download counts', () => {
  it('counts each GET of a .nupkg (not HEAD, not 304), and keeps the counts across a restart', async () => {
    const counting = await startInProcess();
    const countingDir = counting.dataDir;
    await counting.pushOk(buildNupkg({ id: 'Counted.Pkg', version: '1.0.0' }));
    await counting.pushOk(buildNupkg({ id: 'Counted.Pkg', version: '2.0.0' }));
    const url = '/v3/package/counted.pkg/1.0.0/counted.pkg.1.0.0.nupkg';
    assert.equal((await counting.get(url)).statusCode, 200);
    assert.equal((await counting.get('/v3/package/COUNTED.PKG/1.0/counted.pkg.1.0.nupkg')).statusCode, 200);
    const head = await counting.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 200);
    const notModified = await counting.inject({ method: 'GET', url, headers: { 'if-none-match': String(head.headers.etag) } });
    assert.equal(notModified.statusCode, 304);
    assert.equal((await counting.get('/v3/package/counted.pkg/1.0.0/counted.pkg.nuspec')).statusCode, 200);
    await counting.close({ keepData: true }); // closing flushes the buffered counts

    const reopened = await startInProcess({ dataDir: countingDir });
    try {
      const { body } = await reopened.json('/v3/search?q=packageid:counted.pkg');
      assert.equal(body.totalHits, 1);
      assert.equal(body.data[0].totalDownloads, 2);
      assert.deepEqual(
        body.data[0].versions.map((v: { version: string; downloads: number }) => [v.version, v.downloads]),
        [
          ['1.0.0', 2],
          ['2.0.0', 0],
        ],
      );
    } finally {
      await reopened.close();
      await rm(countingDir, { recursive: true, force: true });
    }
  });
});

describe('flat container: package bytes from memory or from the file', () => {
  for (const packageCacheSize of ['64MiB', '0']) {
    it(`serves the pushed bytes, HEAD and 304 alike with packageCacheSize ${packageCacheSize}`, async () => {
      const local = await startInProcess({ flags: { packageCacheSize } });
      try {
        await local.pushOk(demo);
        const url = '/v3/package/demo.content/1.0.0/demo.content.1.0.0.nupkg';
        for (let attempt = 0; attempt < 2; attempt += 1) {
          const response = await local.get(url);
          assert.equal(response.statusCode, 200);
          assert.equal(sha512(response.rawPayload), sha512(demo));
          assert.equal(response.headers['content-length'], String(demo.length));
        }
        const head = await local.inject({ method: 'HEAD', url });
        assert.equal(head.statusCode, 200);
        assert.equal(head.headers['content-length'], String(demo.length));
        assert.equal(head.rawPayload.length, 0);
        const notModified = await local.get(url, { 'if-none-match': String(head.headers.etag) });
        assert.equal(notModified.statusCode, 304);
        assert.equal(notModified.rawPayload.length, 0);
      } finally {
        await local.close();
      }
    });
  }
});

describe('flat container: X-Accel-Redirect for a proxy in front', () => {
  it('answers a download with the internal path of its blob and no body, and still counts it; HEAD and 304 are answered here', async () => {
    const local = await startInProcess({ flags: { accelRedirectPrefix: '/_pallet_blobs/' } });
    try {
      await local.pushOk(demo);
      const url = '/v3/package/demo.content/1.0.0/demo.content.1.0.0.nupkg';
      const key = sha512(demo);
      const response = await local.get(url);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-accel-redirect'], `/_pallet_blobs/${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`);
      assert.equal(response.rawPayload.length, 0);
      assert.equal(response.headers['content-type'], 'application/octet-stream');
      assert.equal(response.headers.etag, `"${key.slice(0, 64)}"`);
      const head = await local.inject({ method: 'HEAD', url });
      assert.equal(head.headers['x-accel-redirect'], undefined);
      assert.equal(head.headers['content-length'], String(demo.length));
      assert.equal((await local.get(url, { 'if-none-match': String(head.headers.etag) })).statusCode, 304);
      await local.close({ keepData: true });
      const reopened = await startInProcess({ dataDir: local.dataDir });
      try {
        const { body } = await reopened.json('/v3/search?q=demo.content');
        assert.equal(body.data[0].totalDownloads, 1);
      } finally {
        await reopened.close();
      }
    } finally {
      await local.close();
      await rm(local.dataDir, { recursive: true, force: true });
    }
  });
});
