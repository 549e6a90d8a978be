import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { buildNupkg, escapeXml, nuspecXml, NUSPEC_NAMESPACE_2013_05 } from './nupkg-builder.ts';

async function unzipAll(zip: Buffer): Promise<Map<string, Buffer>> {
  const zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  try {
    for await (const entry of zipfile.eachEntry()) {
      assert.ok(!files.has(entry.fileName), `duplicate entry ${entry.fileName}`);
      files.set(entry.fileName, await buffer(await zipfile.openReadStreamPromise(entry)));
    }
  } finally {
    zipfile.close();
  }
  return files;
}

interface XmlElement {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/** Parses XML (namespace aware) into a small tree; throws on malformed XML. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: '#root', uri: '', attributes: {}, text: '', children: [] };
  const stack: XmlElement[] = [root];
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [key, attr] of Object.entries(tag.attributes)) attributes[key] = attr.value;
    const el: XmlElement = { name: tag.local, uri: tag.uri, attributes, text: '', children: [] };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on('text', (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (error) throw error;
  const [doc] = root.children;
  assert.ok(doc);
  return doc;
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

describe('nuspecXml', () => {
  it('writes the 2013/05 namespace, defaults and escaped metadata', () => {
    const xml = nuspecXml({
      id: 'My.Package',
      version: '1.2.3-beta.1+meta',
      title: 'Title <with> "quotes" & \'apostrophes\'',
      tags: ['one', 'two&three'],
      summary: 'A summary',
      projectUrl: 'https://example.test/?a=1&b=2',
    });
    const pkg = parseXml(xml);
    assert.equal(pkg.name, 'package');
    assert.equal(pkg.uri, NUSPEC_NAMESPACE_2013_05);
    const metadata = child(pkg, 'metadata');
    assert.equal(child(metadata, 'id')?.text, 'My.Package');
    assert.equal(child(metadata, 'version')?.text, '1.2.3-beta.1+meta');
    assert.equal(child(metadata, 'authors')?.text, 'Pallet Tests');
    assert.equal(child(metadata, 'description')?.text, 'Test package My.Package.');
    assert.equal(child(metadata, 'title')?.text, 'Title <with> "quotes" & \'apostrophes\'');
    assert.equal(child(metadata, 'tags')?.text, 'one two&three');
    assert.equal(child(metadata, 'summary')?.text, 'A summary');
    assert.equal(child(metadata, 'projectUrl')?.text, 'https://example.test/?a=1&b=2');
    assert.equal(child(metadata, 'dependencies'), undefined);
  });

  it('writes dependency groups, package types, readme, icon and license', () => {
    const xml = nuspecXml({
      id: 'A',
      version: '1.0.0',
      authors: 'Me & You',
      description: 'D',
      dependencyGroups: [
        { targetFramework: 'net10.0', dependencies: [{ id: 'B', range: '[1.0.0, 2.0.0)' }, { id: 'C' }] },
        { dependencies: [{ id: 'D', range: '3.0.0', exclude: 'Build,Analyzers' }] },
        { targetFramework: 'net8.0', dependencies: [] },
      ],
      packageTypes: [{ name: 'DotnetTool' }, { name: 'Custom', version: '1.0' }],
      readme: { path: 'docs/README.md', content: '# Hi' },
      icon: { path: 'icon.png', bytes: Buffer.from([0x89, 0x50]) },
      license: { type: 'expression', value: 'MIT OR Apache-2.0' },
      extraMetadataXml: '<copyright>(c) &amp; co</copyright>',
    });
    const metadata = child(parseXml(xml), 'metadata');
    assert.equal(child(metadata, 'authors')?.text, 'Me & You');
    const groups = child(metadata, 'dependencies')?.children ?? [];
    assert.equal(groups.length, 3);
    assert.equal(groups[0]?.attributes.targetFramework, 'net10.0');
    assert.deepEqual(
      groups[0]?.children.map((d) => d.attributes),
      [{ id: 'B', version: '[1.0.0, 2.0.0)' }, { id: 'C' }],
    );
    assert.equal(groups[1]?.attributes.targetFramework, undefined);
    assert.deepEqual(groups[1]?.children[0]?.attributes, { id: 'D', version: '3.0.0', exclude: 'Build,Analyzers' });
    assert.equal(groups[2]?.children.length, 0);
    assert.deepEqual(
      child(metadata, 'packageTypes')?.children.map((t) => t.attributes),
      [{ name: 'DotnetTool' }, { name: 'Custom', version: '1.0' }],
    );
    assert.equal(child(metadata, 'readme')?.text, 'docs/README.md');
    assert.equal(child(metadata, 'icon')?.text, 'icon.png');
    const license = child(metadata, 'license');
    assert.equal(license?.attributes.type, 'expression');
    assert.equal(license?.text, 'MIT OR Apache-2.0');
    assert.equal(child(metadata, 'copyright')?.text, '(c) & co');
  });

  it('escapeXml escapes the five special characters', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('buildNupkg', () => {
  it('lays the package out like dotnet pack', async () => {
    const files = await unzipAll(buildNupkg({ id: 'Pallet.Sample', version: '1.0.0' }));
    const names = [...files.keys()];
    assert.ok(names.includes('Pallet.Sample.nuspec'));
    assert.ok(names.includes('[Content_Types].xml'));
    assert.ok(names.includes('_rels/.rels'));
    assert.ok(names.includes('lib/net10.0/Pallet.Sample.dll'));
    assert.ok(names.some((n) => /^package\/services\/metadata\/core-properties\/[^/]+\.psmdcp$/.test(n)));

    const nuspec = files.get('Pallet.Sample.nuspec')?.toString('utf8') ?? '';
    assert.equal(nuspec, nuspecXml({ id: 'Pallet.Sample', version: '1.0.0' }));

    const types = parseXml(files.get('[Content_Types].xml')?.toString('utf8') ?? '');
    const extensions = types.children.map((d) => d.attributes.Extension);
    for (const ext of ['rels', 'nuspec', 'dll', 'psmdcp']) assert.ok(extensions.includes(ext), ext);

    const rels = parseXml(files.get('_rels/.rels')?.toString('utf8') ?? '');
    const manifest = rels.children.find((r) => r.attributes.Type === 'http://schemas.microsoft.com/packaging/2010/07/manifest');
    assert.equal(manifest?.attributes.Target, '/Pallet.Sample.nuspec');
  });

  it('adds readme, icon, license file and extra files', async () => {
    const icon = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const files = await unzipAll(
      buildNupkg({
        id: 'WithFiles',
        version: '2.0.0',
        readme: { path: 'README.md', content: '# Read me' },
        icon: { path: 'images/icon.png', bytes: icon },
        license: { type: 'file', value: 'LICENSE.txt', fileContent: 'MIT License' },
        extraFiles: [{ name: 'content/data.json', data: '{"a":1}' }],
      }),
    );
    assert.equal(files.get('README.md')?.toString(), '# Read me');
    assert.deepEqual(files.get('images/icon.png'), icon);
    assert.equal(files.get('LICENSE.txt')?.toString(), 'MIT License');
    assert.equal(files.get('content/data.json')?.toString(), '{"a":1}');
    const metadata = child(parseXml(files.get('WithFiles.nuspec')?.toString() ?? ''), 'metadata');
    assert.equal(child(metadata, 'readme')?.text, 'README.md');
    assert.equal(child(metadata, 'icon')?.text, 'images/icon.png');
    assert.equal(child(metadata, 'license')?.attributes.type, 'file');
  });

  it('honours nuspecXml, nuspecName, nuspecBom and includeOpcParts overrides', async () => {
    const files = await unzipAll(
      buildNupkg({
        id: 'Raw',
        version: '1.0.0',
        nuspecXml: '<package><metadata><id>Other</id></metadata></package>',
        nuspecName: 'sub/raw.nuspec',
        nuspecBom: true,
        includeOpcParts: false,
        includeLib: false,
      }),
    );
    assert.deepEqual([...files.keys()], ['sub/raw.nuspec']);
    const raw = files.get('sub/raw.nuspec');
    assert.deepEqual(raw?.subarray(0, 3), Buffer.from([0xef, 0xbb, 0xbf]));
    assert.equal(raw?.subarray(3).toString(), '<package><metadata><id>Other</id></metadata></package>');
  });
});
