/**
 * Server-rendered pages NuGet clients link to: home, package details (PackageDetailsUriTemplate/5.1.0)
 * and report abuse (ReportAbuseUriTemplate/3.0.0). Package metadata is untrusted and must be escaped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess, type InProcessPallet } from '../support/in-process.ts';

let pallet: InProcessPallet;
before(async () => {
  pallet = await startInProcess();
  await pallet.pushOk(
    buildNupkg({
      id: 'Hostile.Page',
      version: '1.0.0',
      title: 'Title <b>bold</b>',
      description: 'Before <script>alert("xss")</script> after & more',
      authors: '<img src=x onerror=alert(1)>',
      tags: ['<tag>'],
      readme: { path: 'README.md', content: '# Readme\n<iframe src="https://evil.example"></iframe>\n' },
    }),
  );
  await pallet.pushOk(buildNupkg({ id: 'Hostile.Page', version: '2.0.0' }));
  await pallet.pushOk(buildNupkg({ id: 'Hostile.Page', version: '3.0.0' }));
  assert.equal((await pallet.setListed('Hostile.Page', '3.0.0', false)).statusCode, 200);
});
after(() => pallet.close());

describe('pages', () => {
  it('serves the home page with the service index URL', async () => {
    const response = await pallet.get('/');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(response.body.includes('http://pallet.test/v3/index.json'));
  });

  it('serves the details page as HTML with every package value escaped', async () => {
    const response = await pallet.get('/packages/Hostile.Page/1.0.0');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'");
    const html = response.body;
    assert.ok(!html.includes('<script'), 'no script element');
    assert.ok(!html.includes('<img'), 'no img element');
    assert.ok(!html.includes('<iframe'), 'no iframe element');
    assert.ok(!html.includes('<b>bold'), 'no markup from the title');
    assert.ok(html.includes('Before &#60;script&#62;alert(&#34;xss&#34;)&#60;/script&#62; after &#38; more'), 'description shown escaped');
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'), 'authors shown escaped');
    assert.ok(html.includes('&#60;iframe src=&#34;https://evil.example&#34;&#62;&#60;/iframe&#62;'), 'readme shown escaped');
    assert.ok(html.includes('dotnet add package Hostile.Page --version 1.0.0'));
    assert.ok(html.includes('href="http://pallet.test/v3/package/hostile.page/1.0.0/hostile.page.1.0.0.nupkg"'));
  });

  it('lists every version, marking unlisted ones', async () => {
    const html = (await pallet.get('/packages/Hostile.Page/2.0.0')).body;
    assert.ok(html.includes('>3.0.0</a> (unlisted)'));
    assert.ok(html.includes('>2.0.0</a> · 0 downloads'));
    assert.ok(html.includes('>1.0.0</a> · 0 downloads'));
  });

  it('shows an unlisted version with a notice', async () => {
    const response = await pallet.get('/packages/Hostile.Page/3.0.0');
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes('This version is unlisted.'));
  });

  it('finds the details page for any id casing and version form', async () => {
    const response = await pallet.get('/packages/hostile.page/1.0');
    assert.equal(response.statusCode, 200);
    assert.ok(response.body.includes('dotnet add package Hostile.Page --version 1.0.0'));
  });

  it('answers 404 for an unknown package or version', async () => {
    assert.equal((await pallet.get('/packages/No.Such.Package/1.0.0')).statusCode, 404);
    assert.equal((await pallet.get('/packages/Hostile.Page/9.9.9')).statusCode, 404);
    assert.equal((await pallet.get('/packages/Hostile.Page/not-a-version')).statusCode, 404);
  });

  it('redirects /packages/{id} to the latest listed version', async () => {
    const response = await pallet.get('/packages/hostile.page');
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, 'http://pallet.test/packages/Hostile.Page/2.0.0');
    assert.equal((await pallet.get('/packages/no.such.package')).statusCode, 404);
  });

  it('answers 404 for /packages/{id} when every version is unlisted', async () => {
    await pallet.pushOk(buildNupkg({ id: 'All.Unlisted.Page', version: '1.0.0' }));
    assert.equal((await pallet.setListed('All.Unlisted.Page', '1.0.0', false)).statusCode, 200);
    assert.equal((await pallet.get('/packages/All.Unlisted.Page')).statusCode, 404);
    assert.equal((await pallet.get('/packages/All.Unlisted.Page/1.0.0')).statusCode, 200);
  });

  it('serves the report page', async () => {
    const response = await pallet.get('/packages/Hostile.Page/1.0.0/report');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(response.body.includes('<h1>Report Hostile.Page 1.0.0</h1>'));
    assert.ok(response.body.includes('href="http://pallet.test/packages/Hostile.Page/1.0.0"'));
    assert.equal((await pallet.get('/packages/No.Such.Package/1.0.0/report')).statusCode, 404);
  });

  it('answers 404 with a reason for paths that serve nothing', async () => {
    const response = await pallet.get('/no/such/path');
    assert.equal(response.statusCode, 404);
    assert.equal(response.statusMessage, 'Nothing is served at GET /no/such/path.');
  });
});
