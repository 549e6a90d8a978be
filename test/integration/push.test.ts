/**
 * Push (PUT /api/v2/package): what the NuGet client sends, every way a package can be refused, and
 * the status codes nuget.org answers with. The client shows the reason phrase, so refusals carry one.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#push-a-package
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buildNupkg, nuspecXml, type NupkgOptions } from '../support/nupkg-builder.ts';
import { writeZip } from '../support/zip-writer.ts';
import { multipartBody, sha512, startInProcess, type InjectResponse, type InProcessPallet } from '../support/in-process.ts';

let pallet: InProcessPallet;
before(async () => {
  pallet = await startInProcess();
});
after(() => pallet.close());

async function storedVersions(id: string): Promise<{ status: number; versions?: string[] }> {
  const { status, body } = await pallet.json(`/v3/package/${id.toLowerCase()}/index.json`);
  return status === 200 ? { status, versions: body.versions } : { status };
}

async function download(id: string, version: string): Promise<Buffer> {
  const lower = id.toLowerCase();
  const response = await pallet.get(`/v3/package/${lower}/${version}/${lower}.${version}.nupkg`);
  assert.equal(response.statusCode, 200);
  return response.rawPayload;
}

/** A refusal: the status, a reason phrase saying why (also the body), and nothing stored for `id`. */
async function assertRefused(response: InjectResponse, status: number, reason: RegExp, id?: string): Promise<void> {
  assert.equal(response.statusCode, status, `${response.statusCode} ${response.statusMessage}`);
  assert.match(response.statusMessage, reason);
  assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
  assert.ok(response.body.startsWith(response.statusMessage), `body repeats the reason phrase: ${response.body}`);
  if (id !== undefined) assert.deepEqual(await storedVersions(id), { status: 404 }, `nothing stored for ${id}`);
}

describe('push: accepted', () => {
  it('answers 201 to a multipart PUT on /api/v2/package/ (trailing slash, as the client sends it)', async () => {
    const nupkg = buildNupkg({ id: 'Push.Slash', version: '1.0.0' });
    const response = await pallet.push(nupkg, { url: '/api/v2/package/' });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(JSON.parse(response.body), { id: 'Push.Slash', version: '1.0.0' });
    assert.deepEqual(await storedVersions('Push.Slash'), { status: 200, versions: ['1.0.0'] });
    assert.equal(sha512(await download('Push.Slash', '1.0.0')), sha512(nupkg));
  });

  it('answers 201 to a PUT on /api/v2/package without the slash', async () => {
    const response = await pallet.push(buildNupkg({ id: 'Push.NoSlash', version: '1.0.0' }), { url: '/api/v2/package' });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(await storedVersions('Push.NoSlash'), { status: 200, versions: ['1.0.0'] });
  });

  it('accepts a raw application/octet-stream body', async () => {
    const nupkg = buildNupkg({ id: 'Push.Raw', version: '2.1.0' });
    const response = await pallet.push(nupkg, { encoding: 'raw' });
    assert.equal(response.statusCode, 201);
    assert.deepEqual(JSON.parse(response.body), { id: 'Push.Raw', version: '2.1.0' });
    assert.equal(sha512(await download('Push.Raw', '2.1.0')), sha512(nupkg));
  });

  it('answers with the normalized version, keeping build metadata', async () => {
    const response = await pallet.push(buildNupkg({ id: 'Push.Normalized', version: '01.2+Build.7' }));
    assert.equal(response.statusCode, 201);
    assert.deepEqual(JSON.parse(response.body), { id: 'Push.Normalized', version: '1.2.0+Build.7' });
    assert.deepEqual(await storedVersions('Push.Normalized'), { status: 200, versions: ['1.2.0'] });
  });
  it('accepts the multipart body exactly as .NET MultipartFormDataContent writes it (quoted boundary, unquoted names, filename*)', async () => {
    const boundary = 'c2a4b0d4-3f4e-4a3b-9d8e-0f1e2d3c4b5a';
    const nupkg = buildNupkg({ id: 'Push.DotNetStyle', version: '1.0.0' });
    const head =
      `--${boundary}\r\nContent-Type: application/octet-stream\r\n` +
      "Content-Disposition: form-data; name=package; filename=package.nupkg; filename*=utf-8''package.nupkg\r\n\r\n";
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': `multipart/form-data; boundary="${boundary}"` },
      payload: Buffer.concat([Buffer.from(head), nupkg, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    });
    assert.equal(response.statusCode, 201);
    assert.equal(sha512(await download('Push.DotNetStyle', '1.0.0')), sha512(nupkg));
  });

  it('accepts a streamed multipart body without Content-Length (chunked, as the client sends it)', async () => {
    const nupkg = buildNupkg({ id: 'Push.Chunked', version: '1.0.0' });
    const { payload, contentType } = multipartBody(nupkg);
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': contentType },
      payload: Readable.from([payload.subarray(0, 100), payload.subarray(100, 1000), payload.subarray(1000)]),
    });
    assert.equal(response.statusCode, 201);
    assert.equal(sha512(await download('Push.Chunked', '1.0.0')), sha512(nupkg));
  });

  it('takes the first file part when a form field comes before it', async () => {
    const nupkg = buildNupkg({ id: 'Push.FieldFirst', version: '1.0.0' });
    const boundary = 'field-first';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      nupkg,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    assert.equal(response.statusCode, 201);
    assert.equal(sha512(await download('Push.FieldFirst', '1.0.0')), sha512(nupkg));
  });

  it('accepts a nuspec with a UTF-8 byte order mark, as dotnet pack writes it', async () => {
    assert.equal((await pallet.push(buildNupkg({ id: 'Push.Bom', version: '1.0.0', nuspecBom: true }))).statusCode, 201);
  });

  it('accepts nuspecs in the older schema namespaces and in no namespace', async () => {
    for (const [id, namespace] of [
      ['Push.Ns2010', 'http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd'],
      ['Push.Ns2011', 'http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd'],
      ['Push.NoNs', undefined],
    ] as const) {
      const xml =
        `<?xml version="1.0" encoding="utf-8"?><package${namespace ? ` xmlns="${namespace}"` : ''}><metadata>` +
        `<id>${id}</id><version>1.0.0</version><authors>A</authors><description>D</description>` +
        '<dependencies><dependency id="Flat.Dep" version="1.0" /></dependencies></metadata></package>';
      const response = await pallet.push(buildNupkg({ id, version: '1.0.0', nuspecXml: xml }));
      assert.equal(response.statusCode, 201, `${id}: ${response.statusMessage}`);
      const registration = await pallet.json(`/v3/registration-gz-semver2/${id.toLowerCase()}/index.json`);
      assert.deepEqual(registration.body.items[0].items[0].catalogEntry.dependencyGroups, [
        {
          '@type': 'PackageDependencyGroup',
          dependencies: [{ '@type': 'PackageDependency', id: 'Flat.Dep', range: '[1.0.0, )', registration: 'http://pallet.test/v3/registration-gz-semver2/flat.dep/index.json' }],
        },
      ]);
    }
  });
});

describe('push: 409 for an id and version that already exist', () => {
  const cases: { name: string; first: NupkgOptions; second: NupkgOptions }[] = [
    { name: 'the same id and version', first: { id: 'Conflict.Same', version: '1.0.0' }, second: { id: 'Conflict.Same', version: '1.0.0', description: 'Other bytes.' } },
    { name: 'a differently cased id', first: { id: 'Conflict.Casing', version: '1.0.0' }, second: { id: 'CONFLICT.casing', version: '1.0.0' } },
    { name: '1.0 after 1.0.0', first: { id: 'Conflict.Short', version: '1.0.0' }, second: { id: 'Conflict.Short', version: '1.0' } },
    { name: '1.0.0.0 after 1.0.0', first: { id: 'Conflict.Revision', version: '1.0.0' }, second: { id: 'Conflict.Revision', version: '1.0.0.0' } },
    { name: '1.0.0-Beta after 1.0.0-beta', first: { id: 'Conflict.Label', version: '1.0.0-beta' }, second: { id: 'Conflict.Label', version: '1.0.0-Beta' } },
    { name: '1.0.0+b after 1.0.0+a', first: { id: 'Conflict.Metadata', version: '1.0.0+a' }, second: { id: 'Conflict.Metadata', version: '1.0.0+b' } },
  ];
  for (const { name, first, second } of cases) {
    it(name, async () => {
      const original = buildNupkg(first);
      await pallet.pushOk(original);
      const response = await pallet.push(buildNupkg(second));
      assert.equal(response.statusCode, 409);
      assert.match(response.statusMessage, new RegExp(`^A package with ID '${second.id}' and version '1\\.0\\.0(-Beta)?' already exists and cannot be modified\\.$`));
      assert.equal(response.body, `${response.statusMessage}\n`);
      // The first push is untouched: one version, the original bytes.
      assert.deepEqual(await storedVersions(first.id), { status: 200, versions: [first.version.startsWith('1.0.0-') ? '1.0.0-beta' : '1.0.0'] });
      assert.equal(sha512(await download(first.id, first.version.startsWith('1.0.0-') ? '1.0.0-beta' : '1.0.0')), sha512(original));
    });
  }

  it('still answers 409 after the version is unlisted', async () => {
    await pallet.pushOk(buildNupkg({ id: 'Conflict.Unlisted', version: '1.0.0' }));
    assert.equal((await pallet.setListed('Conflict.Unlisted', '1.0.0', false)).statusCode, 200);
    const response = await pallet.push(buildNupkg({ id: 'Conflict.Unlisted', version: '1.0.0', description: 'A replacement.' }));
    assert.equal(response.statusCode, 409);
    assert.match(response.statusMessage, /already exists/);
  });
});

describe('push: 400 for invalid packages, with a reason phrase', () => {
  const nuspecOnly = (id: string, version: string) => ({ name: `${id}.nuspec`, data: nuspecXml({ id, version }) });

  it('refuses a body that is not a zip', async () => {
    await assertRefused(await pallet.push(Buffer.from('this is certainly not a zip archive')), 400, /^The package is invalid: the package is not a readable zip archive/);
  });

  it('refuses an empty raw body', async () => {
    await assertRefused(await pallet.push(Buffer.alloc(0), { encoding: 'raw' }), 400, /^The package is invalid: the uploaded file is empty\.$/);
  });

  it('refuses an empty file part in a multipart body', async () => {
    await assertRefused(await pallet.push(Buffer.alloc(0)), 400, /^The package is invalid: the uploaded file is empty\.$/);
  });

  it('refuses a multipart body without a file part', async () => {
    const boundary = 'no-file-boundary';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello\r\n--${boundary}--\r\n`;
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    await assertRefused(response, 400, /^The upload contains no package file\.$/);
  });

  it('refuses a multipart body cut off before its closing boundary', async () => {
    const { payload, contentType } = multipartBody(buildNupkg({ id: 'Invalid.Truncated', version: '1.0.0' }), 'cut-boundary');
    const truncated = payload.subarray(0, payload.length - '\r\n--cut-boundary--\r\n'.length);
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': contentType },
      payload: truncated,
    });
    await assertRefused(response, 400, /^The upload was interrupted before it completed/, 'Invalid.Truncated');
  });

  it('refuses a zip without a nuspec', async () => {
    const zip = writeZip([{ name: 'lib/net8.0/NoNuspec.dll', data: 'MZ' }, { name: 'readme.txt', data: 'hi' }]);
    await assertRefused(await pallet.push(zip), 400, /^The package is invalid: the package has no \.nuspec file at its root\.$/);
  });

  it('refuses a package with two nuspecs', async () => {
    const zip = writeZip([nuspecOnly('Invalid.TwoA', '1.0.0'), nuspecOnly('Invalid.TwoB', '1.0.0')]);
    await assertRefused(await pallet.push(zip), 400, /^The package is invalid: the package has 2 \.nuspec files \(Invalid\.TwoA\.nuspec, Invalid\.TwoB\.nuspec\)/, 'Invalid.TwoA');
  });

  it('refuses a second nuspec in a subfolder next to the root one', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.NestedSecond', version: '1.0.0', extraFiles: [{ name: 'content/Other.nuspec', data: nuspecXml({ id: 'Other', version: '1.0.0' }) }] });
    await assertRefused(await pallet.push(nupkg), 400, /the package has 2 \.nuspec files/, 'Invalid.NestedSecond');
  });

  it('refuses a package whose only nuspec is not at the root', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.NotRoot', version: '1.0.0', nuspecName: 'content/Invalid.NotRoot.nuspec' });
    await assertRefused(await pallet.push(nupkg), 400, /^The package is invalid: the package has no \.nuspec file at its root\.$/, 'Invalid.NotRoot');
  });

  it('refuses an invalid id', async () => {
    await assertRefused(await pallet.push(buildNupkg({ id: 'Bad Id!', version: '1.0.0' })), 400, /The package id "Bad Id!" is not valid/);
  });

  it('refuses an id with a trailing dot', async () => {
    await assertRefused(await pallet.push(buildNupkg({ id: 'Trailing.', version: '1.0.0' })), 400, /The package id "Trailing\." is not valid/);
  });

  it('refuses an invalid version', async () => {
    await assertRefused(await pallet.push(buildNupkg({ id: 'Invalid.Version', version: 'one.two' })), 400, /<version> 'one\.two' is not a valid NuGet version/, 'Invalid.Version');
  });

  it('refuses a legacy version whose single label starts with a digit', async () => {
    await assertRefused(await pallet.push(buildNupkg({ id: 'Invalid.Legacy', version: '1.0.0-1' })), 400, /a single pre-release label must start with a letter/, 'Invalid.Legacy');
  });

  it('refuses a floating dependency range (1.*)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Floating', version: '1.0.0', dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Other', range: '1.*' }] }] });
    await assertRefused(await pallet.push(nupkg), 400, /dependency 'Other' version '1\.\*': '1\.\*' is not a valid version range: floating versions \('\*'\) are not allowed/, 'Invalid.Floating');
  });

  it('refuses a nuspec with a DOCTYPE (billion laughs) without expanding it', async () => {
    const laughs =
      '<?xml version="1.0"?>\n<!DOCTYPE package [\n<!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
      '\n]>\n<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>Invalid.Laughs</id><version>1.0.0</version>' +
      '<authors>x</authors><description>&lol9;</description></metadata></package>';
    const nupkg = buildNupkg({ id: 'Invalid.Laughs', version: '1.0.0', nuspecXml: laughs });
    await assertRefused(await pallet.push(nupkg), 400, /a DOCTYPE declaration is not allowed/, 'Invalid.Laughs');
  });

  it('refuses an external entity declaration', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>Invalid.Xxe</id><version>1.0.0</version>' +
      '<authors>x</authors><description>&xxe;</description></metadata></package>';
    await assertRefused(await pallet.push(buildNupkg({ id: 'Invalid.Xxe', version: '1.0.0', nuspecXml: xxe })), 400, /DOCTYPE/, 'Invalid.Xxe');
  });

  it('refuses a path traversal entry (../evil.txt)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Traversal', version: '1.0.0', extraFiles: [{ name: '../evil.txt', data: 'evil' }] });
    await assertRefused(await pallet.push(nupkg), 400, /the entry '\.\.\/evil\.txt' escapes the package folder/, 'Invalid.Traversal');
  });

  it('refuses a traversal hidden in the middle of a path (lib/../../evil.txt)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.MidTraversal', version: '1.0.0', extraFiles: [{ name: 'lib/../../evil.txt', data: 'evil' }] });
    await assertRefused(await pallet.push(nupkg), 400, /escapes the package folder/, 'Invalid.MidTraversal');
  });

  it('refuses a Windows-style traversal entry (..\\evil.txt)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.BackslashTraversal', version: '1.0.0', extraFiles: [{ name: '..\\evil.txt', data: 'evil' }] });
    await assertRefused(await pallet.push(nupkg), 400, /escapes the package folder/, 'Invalid.BackslashTraversal');
  });

  it('refuses an absolute entry (/etc/x)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Absolute', version: '1.0.0', extraFiles: [{ name: '/etc/x', data: 'x' }] });
    await assertRefused(await pallet.push(nupkg), 400, /the entry '\/etc\/x' has an absolute path/, 'Invalid.Absolute');
  });

  it('refuses a drive-letter entry (C:/x)', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Drive', version: '1.0.0', extraFiles: [{ name: 'C:/x', data: 'x' }] });
    await assertRefused(await pallet.push(nupkg), 400, /has an absolute path/, 'Invalid.Drive');
  });

  it('refuses duplicate entries', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Duplicate', version: '1.0.0', extraFiles: [{ name: 'lib/net10.0/Invalid.Duplicate.dll', data: 'MZ again' }] });
    await assertRefused(await pallet.push(nupkg), 400, /the package contains 'lib\/net10\.0\/Invalid\.Duplicate\.dll' twice/, 'Invalid.Duplicate');
  });

  it('refuses entries that differ only in case', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.CaseDuplicate', version: '1.0.0', extraFiles: [{ name: 'LIB/net10.0/Invalid.CaseDuplicate.dll', data: 'MZ again' }] });
    await assertRefused(await pallet.push(nupkg), 400, /the entries 'lib\/net10\.0\/Invalid\.CaseDuplicate\.dll' and 'LIB\/net10\.0\/Invalid\.CaseDuplicate\.dll' name the same file/, 'Invalid.CaseDuplicate');
  });

  it('refuses an entry whose declared size is smaller than its data', async () => {
    const zip = writeZip([
      { name: 'Invalid.SmallLie.nuspec', data: nuspecXml({ id: 'Invalid.SmallLie', version: '1.0.0' }) },
      { name: 'lib/net8.0/Invalid.SmallLie.dll', data: 'MZ'.padEnd(5000, 'x'), declaredUncompressedSize: 10 },
    ]);
    await assertRefused(await pallet.push(zip), 400, /^The package is invalid: 'lib\/net8\.0\/Invalid\.SmallLie\.dll' is corrupt/, 'Invalid.SmallLie');
  });

  it('refuses an entry whose declared size is larger than its data', async () => {
    const zip = writeZip([
      { name: 'Invalid.BigLie.nuspec', data: nuspecXml({ id: 'Invalid.BigLie', version: '1.0.0' }) },
      // Within what deflate could reach from its 9 compressed bytes, so only inflating shows the lie.
      { name: 'lib/net8.0/Invalid.BigLie.dll', data: 'MZ tiny', declaredUncompressedSize: 5000 },
    ]);
    await assertRefused(await pallet.push(zip), 400, /^The package is invalid: 'lib\/net8\.0\/Invalid\.BigLie\.dll' is corrupt/, 'Invalid.BigLie');
  });

  it('refuses an entry whose CRC-32 does not match', async () => {
    const zip = writeZip([
      { name: 'Invalid.Crc.nuspec', data: nuspecXml({ id: 'Invalid.Crc', version: '1.0.0' }) },
      { name: 'lib/net8.0/Invalid.Crc.dll', data: 'MZ bytes', crc32: 0x12345678 },
    ]);
    await assertRefused(await pallet.push(zip), 400, /CRC-32 does not match|is corrupt/, 'Invalid.Crc');
  });

  it('refuses a readme the nuspec names but the package lacks', async () => {
    const nupkg = buildNupkg({ id: 'Invalid.Readme', version: '1.0.0', extraMetadataXml: '<readme>docs/README.md</readme>' });
    await assertRefused(await pallet.push(nupkg), 400, /<readme> names 'docs\/README\.md', but the package has no such file/, 'Invalid.Readme');
  });

  it('refuses a nuspec without a description and authors, naming both', async () => {
    const xml = '<?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>Invalid.Missing</id><version>1.0.0</version></metadata></package>';
    await assertRefused(await pallet.push(buildNupkg({ id: 'Invalid.Missing', version: '1.0.0', nuspecXml: xml })), 400, /<description> is required; <authors> is required/, 'Invalid.Missing');
  });
});

describe('push: authentication', () => {
  it('answers 401 with WWW-Authenticate when no API key is sent, and stores nothing', async () => {
    const response = await pallet.push(buildNupkg({ id: 'Auth.NoKey', version: '1.0.0' }), { key: null });
    await assertRefused(response, 401, /^An API key is required to push packages: dotnet nuget push --api-key KEY \(or -k\), nuget\.exe push -ApiKey KEY, paket push --api-key KEY/, 'Auth.NoKey');
    assert.equal(response.headers['www-authenticate'], 'ApiKey realm="Pallet"');
  });

  it('answers 401 for an empty API key header', async () => {
    const response = await pallet.push(buildNupkg({ id: 'Auth.EmptyKey', version: '1.0.0' }), { key: '' });
    await assertRefused(response, 401, /API key is required/, 'Auth.EmptyKey');
  });

  it('answers 403 for a wrong API key, and stores nothing', async () => {
    const response = await pallet.push(buildNupkg({ id: 'Auth.WrongKey', version: '1.0.0' }), { key: 'wrong-key-456' });
    await assertRefused(response, 403, /^The specified API key is invalid/, 'Auth.WrongKey');
    assert.equal(response.headers['www-authenticate'], undefined);
  });

  it('answers 403 for a key when the server has no API key configured and no user has created one', async () => {
    const keyless = await startInProcess({ flags: { apiKey: undefined } });
    try {
      const withKey = await keyless.push(buildNupkg({ id: 'Auth.Keyless', version: '1.0.0' }));
      assert.equal(withKey.statusCode, 403);
      assert.match(withKey.statusMessage, /^The specified API key is invalid/);
      const without = await keyless.push(buildNupkg({ id: 'Auth.Keyless', version: '1.0.0' }), { key: null });
      assert.equal(without.statusCode, 401);
    } finally {
      await keyless.close();
    }
  });
});

describe('push: 413 over maxPackageSize', () => {
  let small: InProcessPallet;
  before(async () => {
    small = await startInProcess({ flags: { maxPackageSize: '2048' } });
  });
  after(() => small.close());

  const big = () => buildNupkg({ id: 'Big.Pkg', version: '1.0.0', libBytes: randomBytes(4096) });

  it('refuses a multipart push over the limit', async () => {
    const response = await small.push(big());
    assert.equal(response.statusCode, 413);
    assert.equal(response.statusMessage, 'The package file exceeds the size limit of 2048 bytes.');
    assert.equal((await small.get('/v3/package/big.pkg/index.json')).statusCode, 404);
  });

  it('refuses a raw push over the limit (over a real socket)', async () => {
    // In-process inject cannot carry this case: the server's stream pipeline destroys the request on
    // the size error, and light-my-request's fake request then never closes, so inject never answers.
    // Node's real IncomingMessage is detached from its socket first, so a real client reads the 413.
    const listening = await startInProcess({ flags: { maxPackageSize: '2048', host: '127.0.0.1', port: '0' } });
    try {
      const { port } = await listening.app.listen();
      const response = await fetch(`http://127.0.0.1:${port}/api/v2/package/`, {
        method: 'PUT',
        headers: { 'x-nuget-apikey': 'test-key-123', 'content-type': 'application/octet-stream' },
        body: big(),
      });
      assert.equal(response.status, 413);
      assert.equal(response.statusText, 'The package file exceeds the size limit of 2048 bytes.');
      await response.arrayBuffer();
      assert.deepEqual(await readdir(path.join(listening.dataDir, 'tmp')), []);
    } finally {
      await listening.close();
    }
  });

  it('refuses a body whose Content-Length is far over the limit before reading it', async () => {
    const response = await small.push(Buffer.alloc(100_000), { encoding: 'raw' });
    assert.equal(response.statusCode, 413);
  });

  it('still accepts a package under the limit', async () => {
    const nupkg = buildNupkg({ id: 'Small.Pkg', version: '1.0.0', includeOpcParts: false });
    assert.ok(nupkg.length < 2048, `test package is ${nupkg.length} bytes`);
    assert.equal((await small.push(nupkg)).statusCode, 201);
  });

  it('leaves no temp files behind', async () => {
    assert.deepEqual(await readdir(path.join(small.dataDir, 'tmp')), []);
  });
});

describe('push: concurrency and cleanup', () => {
  it('gives exactly one 201 and one 409 for two concurrent pushes of the same bytes', async () => {
    for (let round = 0; round < 5; round++) {
      const nupkg = buildNupkg({ id: `Race.Same${round}`, version: '1.0.0' });
      const responses = await Promise.all([pallet.push(nupkg), pallet.push(nupkg)]);
      assert.deepEqual(responses.map((r) => r.statusCode).sort(), [201, 409], `round ${round}`);
      assert.deepEqual(await storedVersions(`Race.Same${round}`), { status: 200, versions: ['1.0.0'] });
    }
  });

  it('gives exactly one 201 for two concurrent pushes of different bytes, and serves the winner', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `Race.Different${round}`;
      const a = buildNupkg({ id, version: '1.0.0', description: 'First contender.' });
      const b = buildNupkg({ id, version: '1.0.0', description: 'Second contender.' });
      const [ra, rb] = await Promise.all([pallet.push(a), pallet.push(b)]);
      assert.deepEqual([ra.statusCode, rb.statusCode].sort(), [201, 409], `round ${round}`);
      const winner = ra.statusCode === 201 ? a : b;
      assert.equal(sha512(await download(id, '1.0.0')), sha512(winner));
    }
  });

  it('gives one display id when the first two versions of a new id race with different casings', async () => {
    const [a, b] = await Promise.all([
      pallet.push(buildNupkg({ id: 'Race.FirstCasing', version: '1.0.0' })),
      pallet.push(buildNupkg({ id: 'RACE.firstcasing', version: '2.0.0' })),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode], [201, 201]);
    const { body } = await pallet.json('/v3/registration-gz-semver2/race.firstcasing/index.json');
    const displayIds = new Set(body.items[0].items.map((item: any) => item.catalogEntry.id));
    assert.equal(displayIds.size, 1, `one display id, got ${[...displayIds].join(', ')}`);
    assert.deepEqual(await storedVersions('race.firstcasing'), { status: 200, versions: ['1.0.0', '2.0.0'] });
  });

  it('leaves no temp files after refused and accepted pushes', async () => {
    assert.deepEqual(await readdir(path.join(pallet.dataDir, 'tmp')), []);
  });

  it('stores no blobs for refused pushes', async () => {
    const fresh = await startInProcess();
    try {
      await fresh.pushOk(buildNupkg({ id: 'Blobs.Kept', version: '1.0.0', readme: { path: 'README.md', content: '# r' } }));
      const before = await blobFiles(fresh.dataDir);
      assert.equal(before.length, 3, 'the .nupkg, the .nuspec and the readme');
      await fresh.push(buildNupkg({ id: 'Blobs.Kept', version: '1.0.0', description: 'Other bytes.' })); // 409
      await fresh.push(buildNupkg({ id: 'Blobs.Traversal', version: '1.0.0', extraFiles: [{ name: '../x', data: 'x' }] })); // 400
      await fresh.push(buildNupkg({ id: 'Blobs.Readme', version: '1.0.0', extraMetadataXml: '<readme>missing.md</readme>' })); // 400
      await fresh.push(buildNupkg({ id: 'Blobs.NoKey', version: '1.0.0' }), { key: null }); // 401
      await fresh.push(buildNupkg({ id: 'Blobs.WrongKey', version: '1.0.0' }), { key: 'wrong-key-456' }); // 403
      assert.deepEqual(await blobFiles(fresh.dataDir), before);
      assert.deepEqual(await readdir(path.join(fresh.dataDir, 'tmp')), []);
    } finally {
      await fresh.close();
    }
  });
});

async function blobFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
}
