import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError, normalizePackagePath, parseNuspec } from './nuspec.ts';
import { isSemVer2Package, type Manifest } from './manifest.ts';

const NS_2013_05 = 'http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd';
const OLDER_NAMESPACES = [
  'http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd',
  'http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd',
  'http://schemas.microsoft.com/packaging/2011/10/nuspec.xsd',
  'http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd',
  'http://schemas.microsoft.com/packaging/2013/01/nuspec.xsd',
];

interface NuspecParts {
  id?: string | undefined;
  version?: string | undefined;
  description?: string | undefined;
  authors?: string | undefined;
  /** Raw XML appended inside <metadata>. */
  extra?: string;
  /** Attributes on <metadata>. */
  metadataAttributes?: string;
  /** undefined: the 2013/05 namespace; null: no namespace. */
  namespace?: string | null;
}

/** A nuspec with the four required fields (each can be dropped with `undefined`) plus raw extra XML. */
function nuspec(parts: NuspecParts = {}): string {
  const field = (name: string, fallback: string) => {
    const value = name in parts ? parts[name as keyof NuspecParts] : fallback;
    return value === undefined ? '' : `<${name}>${value}</${name}>`;
  };
  const namespace = parts.namespace === undefined ? NS_2013_05 : parts.namespace;
  const xmlns = namespace === null ? '' : ` xmlns="${namespace}"`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<package${xmlns}>\n  <metadata${parts.metadataAttributes ?? ''}>\n` +
    field('id', 'Contoso.Widgets') +
    field('version', '1.2.3') +
    field('description', 'Widgets for everyone.') +
    field('authors', 'Contoso') +
    (parts.extra ?? '') +
    '\n  </metadata>\n</package>\n'
  );
}

/** Parses and expects a ManifestError; returns its problems. */
function problemsOf(xml: string): readonly string[] {
  let caught: unknown;
  try {
    parseNuspec(xml);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ManifestError, `expected a ManifestError, got ${String(caught)}`);
  assert.ok(caught.problems.length > 0, 'a ManifestError must list at least one problem');
  assert.equal(caught.message, caught.problems.join('; '));
  return caught.problems;
}

/** Expects exactly one problem, matching `pattern`. */
function assertOneProblem(xml: string, pattern: RegExp): string {
  const problems = problemsOf(xml);
  assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
  assert.match(problems[0] as string, pattern);
  return problems[0] as string;
}

describe('parseNuspec: a golden nuspec', () => {
  const golden = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="${NS_2013_05}">
  <metadata minClientVersion="5.3.0">
    <id>Contoso.Widgets</id>
    <version>2.1.0-beta.1+sha.abc123</version>
    <title>Contoso Widgets</title>
    <authors>Contoso, Jane Doe</authors>
    <owners>contoso</owners>
    <requireLicenseAcceptance>true</requireLicenseAcceptance>
    <developmentDependency>True</developmentDependency>
    <license type="expression" version="1.0.0">MIT OR Apache-2.0</license>
    <licenseUrl>https://licenses.nuget.org/MIT%20OR%20Apache-2.0</licenseUrl>
    <icon>images\\icon.png</icon>
    <readme>docs/README.md</readme>
    <projectUrl>https://github.com/contoso/widgets</projectUrl>
    <iconUrl>http://example.com/icon.png</iconUrl>
    <description>  Widgets for everyone.  </description>
    <summary>Widgets.</summary>
    <releaseNotes><![CDATA[Fixed <everything>.]]></releaseNotes>
    <copyright>© Contoso 2024</copyright>
    <language>en-US</language>
    <tags>widgets, gadgets;tools  ui</tags>
    <repository type="git" url="https://github.com/contoso/widgets.git" branch="main" commit="0123456789abcdef" />
    <packageTypes>
      <packageType name="Dependency" />
      <packageType name="DotnetTool" version="1.0.0" />
    </packageTypes>
    <dependencies>
      <group targetFramework="net8.0">
        <dependency id="Newtonsoft.Json" version="13.0.1" exclude="Build,Analyzers" />
        <dependency id="Contoso.Core" version="[2.0.0-rc.1, 3.0.0)" />
      </group>
      <group targetFramework=".NETStandard2.0" />
      <group>
        <dependency id="Contoso.Any" />
      </group>
    </dependencies>
    <frameworkReferences>
      <group targetFramework="net8.0">
        <frameworkReference name="Microsoft.AspNetCore.App" />
      </group>
    </frameworkReferences>
  </metadata>
  <files>
    <file src="bin\\**" target="lib" />
  </files>
</package>`;

  it('maps every Manifest field', () => {
    const manifest = parseNuspec(golden);
    assert.equal(manifest.id, 'Contoso.Widgets');
    assert.equal(manifest.version.full, '2.1.0-beta.1+sha.abc123');
    assert.equal(manifest.version.normalized, '2.1.0-beta.1');
    assert.equal(manifest.version.originalText, '2.1.0-beta.1+sha.abc123');
    assert.equal(manifest.title, 'Contoso Widgets');
    assert.equal(manifest.description, 'Widgets for everyone.', 'text is trimmed');
    assert.equal(manifest.summary, 'Widgets.');
    assert.equal(manifest.authors, 'Contoso, Jane Doe');
    assert.deepEqual(manifest.tags, ['widgets', 'gadgets', 'tools', 'ui']);
    assert.equal(manifest.releaseNotes, 'Fixed <everything>.');
    assert.equal(manifest.copyright, '© Contoso 2024');
    assert.equal(manifest.language, 'en-US');
    assert.equal(manifest.projectUrl, 'https://github.com/contoso/widgets');
    assert.equal(manifest.iconUrl, 'http://example.com/icon.png');
    assert.equal(manifest.licenseUrl, 'https://licenses.nuget.org/MIT%20OR%20Apache-2.0');
    assert.equal(manifest.iconPath, 'images/icon.png', 'backslashes become forward slashes');
    assert.equal(manifest.readmePath, 'docs/README.md');
    assert.deepEqual(manifest.license, { type: 'expression', expression: 'MIT OR Apache-2.0' });
    assert.equal(manifest.requireLicenseAcceptance, true);
    assert.equal(manifest.developmentDependency, true);
    assert.equal(manifest.minClientVersion, '5.3.0');
    assert.deepEqual(manifest.repository, {
      type: 'git',
      url: 'https://github.com/contoso/widgets.git',
      branch: 'main',
      commit: '0123456789abcdef',
    });
    assert.deepEqual(manifest.packageTypes, [
      { name: 'Dependency', version: undefined },
      { name: 'DotnetTool', version: '1.0.0' },
    ]);

    assert.equal(manifest.dependencyGroups.length, 3);
    const [net8, netstandard, any] = manifest.dependencyGroups;
    assert.equal(net8?.targetFramework, 'net8.0');
    assert.deepEqual(
      net8?.dependencies.map((d) => [d.id, d.range.normalized]),
      [
        ['Newtonsoft.Json', '[13.0.1, )'],
        ['Contoso.Core', '[2.0.0-rc.1, 3.0.0)'],
      ],
    );
    assert.equal(netstandard?.targetFramework, '.NETStandard2.0', 'the target framework is kept verbatim');
    assert.deepEqual(netstandard?.dependencies, []);
    assert.equal(any?.targetFramework, undefined);
    assert.deepEqual(
      any?.dependencies.map((d) => [d.id, d.range.normalized]),
      [['Contoso.Any', '(, )']],
    );
  });

  it('gives optional fields their defaults when absent', () => {
    const manifest = parseNuspec(nuspec());
    assert.equal(manifest.id, 'Contoso.Widgets');
    assert.equal(manifest.version.normalized, '1.2.3');
    assert.equal(manifest.description, 'Widgets for everyone.');
    assert.equal(manifest.authors, 'Contoso');
    for (const key of [
      'title',
      'summary',
      'releaseNotes',
      'copyright',
      'language',
      'projectUrl',
      'iconUrl',
      'licenseUrl',
      'iconPath',
      'readmePath',
      'license',
      'minClientVersion',
      'repository',
    ] as const satisfies readonly (keyof Manifest)[]) {
      assert.equal(manifest[key], undefined, key);
    }
    assert.deepEqual(manifest.tags, []);
    assert.equal(manifest.requireLicenseAcceptance, false);
    assert.equal(manifest.developmentDependency, false);
    assert.deepEqual(manifest.packageTypes, []);
    assert.deepEqual(manifest.dependencyGroups, []);
  });

  it('treats empty optional elements as absent', () => {
    const manifest = parseNuspec(nuspec({ extra: '<title>  </title><summary/><tags></tags>' }));
    assert.equal(manifest.title, undefined);
    assert.equal(manifest.summary, undefined);
    assert.deepEqual(manifest.tags, []);
  });
});

describe('parseNuspec: namespaces', () => {
  it('accepts a nuspec without a namespace', () => {
    const manifest = parseNuspec(nuspec({ namespace: null, extra: '<title>T</title>' }));
    assert.equal(manifest.id, 'Contoso.Widgets');
    assert.equal(manifest.title, 'T');
  });

  for (const namespace of OLDER_NAMESPACES) {
    it(`accepts the ${namespace.slice(39, 46)} namespace`, () => {
      const manifest = parseNuspec(
        nuspec({ namespace, extra: '<dependencies><dependency id="A.B" version="1.0" /></dependencies>' }),
      );
      assert.equal(manifest.id, 'Contoso.Widgets');
      assert.equal(manifest.version.normalized, '1.2.3');
      assert.equal(manifest.dependencyGroups[0]?.dependencies[0]?.id, 'A.B');
    });
  }

  it('reads a prefixed namespace as well as a default one', () => {
    const xml =
      `<?xml version="1.0"?><n:package xmlns:n="${NS_2013_05}"><n:metadata>` +
      '<n:id>A</n:id><n:version>1.0.0</n:version><n:description>d</n:description><n:authors>me</n:authors>' +
      '</n:metadata></n:package>';
    assert.equal(parseNuspec(xml).id, 'A');
  });

  it('ignores metadata children in a different namespace than <metadata>', () => {
    const problems = problemsOf(nuspec({ description: undefined, extra: '<description xmlns="urn:other">d</description>' }));
    assert.deepEqual(problems, ['<description> is required']);
  });

  it('element names are case-sensitive: <Description> is not <description>', () => {
    const problems = problemsOf(nuspec({ description: undefined, extra: '<Description>Widgets.</Description>' }));
    assert.deepEqual(problems, ['<description> is required']);
  });

  it('requires the root element to be <package> with a <metadata> child', () => {
    assertOneProblem('<nuspec><metadata/></nuspec>', /root element must be <package>.*<nuspec>/);
    assertOneProblem(`<package xmlns="${NS_2013_05}"><files/></package>`, /no <metadata> element/);
  });
});

describe('parseNuspec: required fields', () => {
  for (const field of ['id', 'version', 'description', 'authors'] as const) {
    it(`names <${field}> when it is missing`, () => {
      assert.deepEqual(problemsOf(nuspec({ [field]: undefined })), [`<${field}> is required`]);
    });
    it(`names <${field}> when it is blank`, () => {
      assert.deepEqual(problemsOf(nuspec({ [field]: '   ' })), [`<${field}> is required`]);
    });
  }

  it('lists every missing field at once', () => {
    const problems = problemsOf(nuspec({ id: undefined, version: undefined, description: undefined, authors: undefined }));
    assert.deepEqual(problems, ['<id> is required', '<version> is required', '<description> is required', '<authors> is required']);
  });

  it('rejects a field that appears twice', () => {
    assertOneProblem(nuspec({ extra: '<id>Other</id>' }), /<id> appears 2 times/);
  });
});

describe('parseNuspec: id and version', () => {
  for (const id of ['a..b', '.Leading', 'has space', 'x'.repeat(101), '$id$']) {
    it(`rejects the id ${JSON.stringify(id.length > 20 ? `${id.slice(0, 5)}… (${id.length})` : id)}`, () => {
      const problem = assertOneProblem(nuspec({ id }), /package id/i);
      if (id.length <= 100) assert.ok(problem.includes(id), `the problem names the id: ${problem}`);
    });
  }

  for (const version of ['not-a-version', '1.0.0.0.0', '1.0.0-', '1.0.0-beta_1', 'v1.0']) {
    it(`rejects the version '${version}'`, () => {
      const problem = assertOneProblem(nuspec({ version }), /<version>/);
      assert.ok(problem.includes(version), problem);
    });
  }

  it('rejects an over-long version', () => {
    const version = `1.0.0-${'a'.repeat(60)}`;
    assertOneProblem(nuspec({ version }), /<version> is 66 characters long; the limit is 64/);
  });

  it("rejects '1.0.0-1' under the legacy rule, saying how to fix it", () => {
    const problem = assertOneProblem(nuspec({ version: '1.0.0-1' }), /<version> '1\.0\.0-1'/);
    assert.match(problem, /must start with a letter/);
    assert.match(problem, /1\.0\.0-rc1/);
    assert.match(problem, /1\.0\.0-rc\.1/);
  });

  for (const version of ['1.0.0-rc1', '1.0.0-1.2', '1.0.0-rc.1', '1.0.0+build.5', '1.0', '1.0.0.0', ' 1.0.0 ']) {
    it(`accepts the version '${version}'`, () => {
      assert.equal(parseNuspec(nuspec({ version })).version.originalText, version.trim());
    });
  }

  it('rejects an invalid minClientVersion', () => {
    assertOneProblem(nuspec({ metadataAttributes: ' minClientVersion="banana"' }), /minClientVersion 'banana'/);
  });
});

describe('parseNuspec: lengths, URLs and flags', () => {
  it('accepts a 256-character title and rejects 257', () => {
    assert.equal(parseNuspec(nuspec({ extra: `<title>${'t'.repeat(256)}</title>` })).title?.length, 256);
    assertOneProblem(nuspec({ extra: `<title>${'t'.repeat(257)}</title>` }), /<title> is 257 characters long; the limit is 256/);
  });

  it('accepts a 4000-character description and rejects 4001', () => {
    assert.equal(parseNuspec(nuspec({ description: 'd'.repeat(4000) })).description.length, 4000);
    assertOneProblem(nuspec({ description: 'd'.repeat(4001) }), /<description> is 4001 characters long; the limit is 4000/);
  });

  for (const name of ['projectUrl', 'iconUrl', 'licenseUrl']) {
    for (const value of ['ftp://example.com/x', 'javascript:alert(1)', 'relative/path', 'file:///etc/passwd']) {
      it(`rejects <${name}> '${value}'`, () => {
        const problem = assertOneProblem(nuspec({ extra: `<${name}>${value}</${name}>` }), new RegExp(`<${name}>`));
        assert.ok(problem.includes(value), problem);
        assert.match(problem, /http or https/);
      });
    }
  }

  it('lists every bad URL at once', () => {
    const problems = problemsOf(nuspec({ extra: '<projectUrl>ftp://x</projectUrl><iconUrl>nope</iconUrl>' }));
    assert.equal(problems.length, 2);
    assert.match(problems[0] as string, /<projectUrl>/);
    assert.match(problems[1] as string, /<iconUrl>/);
  });

  it('rejects a flag that is neither true nor false', () => {
    assertOneProblem(
      nuspec({ extra: '<requireLicenseAcceptance>yes</requireLicenseAcceptance>' }),
      /<requireLicenseAcceptance> must be true or false, not 'yes'/,
    );
  });
});

describe('parseNuspec: license', () => {
  for (const expression of ['MIT', 'MIT OR Apache-2.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0', 'UNLICENSED', '(MIT AND BSD-3-Clause)']) {
    it(`accepts the expression '${expression}'`, () => {
      const manifest = parseNuspec(nuspec({ extra: `<license type="expression">${expression}</license>` }));
      assert.deepEqual(manifest.license, { type: 'expression', expression });
    });
  }

  for (const expression of ['MIT OR', 'NotALicense', 'MIT AND AND Apache-2.0']) {
    it(`rejects the expression '${expression}'`, () => {
      const problem = assertOneProblem(nuspec({ extra: `<license type="expression">${expression}</license>` }), /<license>/);
      assert.ok(problem.includes(expression), problem);
      assert.match(problem, /SPDX/);
    });
  }

  it('rejects an over-long expression', () => {
    const expression = Array.from({ length: 100 }, () => 'MIT').join(' OR ');
    assertOneProblem(nuspec({ extra: `<license type="expression">${expression}</license>` }), /<license> expression is \d+ characters long; the limit is 500/);
  });

  for (const path of ['LICENSE', 'LICENSE.txt', 'LICENSE.TXT', 'docs/license.md', 'docs\\LICENSE.md']) {
    it(`accepts the license file '${path}'`, () => {
      const manifest = parseNuspec(nuspec({ extra: `<license type="file">${path}</license>` }));
      assert.deepEqual(manifest.license, { type: 'file', path: normalizePackagePath(path) });
      assert.ok(manifest.license?.type === 'file' && !manifest.license.path.includes('\\'));
    });
  }

  for (const path of ['LICENSE.rtf', 'license.pdf', 'docs/LICENSE.html']) {
    it(`rejects the license file '${path}'`, () => {
      const problem = assertOneProblem(nuspec({ extra: `<license type="file">${path}</license>` }), /<license type="file">/);
      assert.ok(problem.includes(path), problem);
      assert.match(problem, /\.txt or \.md/);
    });
  }

  it('accepts license version 1.0.0 and rejects any other', () => {
    assert.ok(parseNuspec(nuspec({ extra: '<license type="expression" version="1.0.0">MIT</license>' })).license);
    assertOneProblem(nuspec({ extra: '<license type="expression" version="2.0.0">MIT</license>' }), /<license version="2\.0\.0">/);
  });

  it('rejects an empty license and an unknown license type', () => {
    assertOneProblem(nuspec({ extra: '<license type="expression"></license>' }), /<license> is empty/);
    assertOneProblem(nuspec({ extra: '<license type="url">https://x</license>' }), /<license> type must be 'expression' or 'file', not 'url'/);
    assertOneProblem(nuspec({ extra: '<license>MIT</license>' }), /<license> type/);
  });
});

describe('parseNuspec: dependencies', () => {
  const withDependencies = (inner: string) => nuspec({ extra: `<dependencies>${inner}</dependencies>` });

  it('keeps the targetFramework verbatim, for short and long names', () => {
    const manifest = parseNuspec(
      withDependencies(
        '<group targetFramework="net8.0-windows7.0"/><group targetFramework=".NETFramework4.7.2"/>' +
          '<group targetFramework=".NETFramework,Version=v4.6.1"/><group targetFramework="netstandard2.1"/>',
      ),
    );
    assert.deepEqual(
      manifest.dependencyGroups.map((group) => group.targetFramework),
      ['net8.0-windows7.0', '.NETFramework4.7.2', '.NETFramework,Version=v4.6.1', 'netstandard2.1'],
    );
  });

  it('rejects a target framework NuGet cannot parse, naming it', () => {
    const problem = assertOneProblem(withDependencies('<group targetFramework="foo!bar"><dependency id="A" version="1.0"/></group>'), /dependency group/);
    assert.ok(problem.includes('foo!bar'), problem);
  });

  it('rejects the same dependency twice in a group (ids compare ignoring case)', () => {
    const problem = assertOneProblem(
      withDependencies('<group targetFramework="net8.0"><dependency id="A.B" version="1.0"/><dependency id="a.b" version="2.0"/></group>'),
      /listed twice/,
    );
    assert.match(problem, /'a\.b'/);
    assert.match(problem, /net8\.0/);
  });

  it('allows the same dependency in different groups', () => {
    const manifest = parseNuspec(
      withDependencies(
        '<group targetFramework="net8.0"><dependency id="A" version="1.0"/></group>' +
          '<group targetFramework="net6.0"><dependency id="A" version="1.0"/></group>',
      ),
    );
    assert.equal(manifest.dependencyGroups.length, 2);
  });

  it('rejects two groups for the same framework', () => {
    assertOneProblem(withDependencies('<group targetFramework="net8.0"/><group targetFramework="NET8.0"/>'), /two groups for 'NET8\.0'/);
  });

  it("rejects a floating range such as '1.*', saying floating versions are not allowed", () => {
    const problem = assertOneProblem(withDependencies('<group><dependency id="A" version="1.*"/></group>'), /dependency 'A' version '1\.\*'/);
    assert.match(problem, /floating/i);
  });

  for (const [written, normalized] of [
    ['1.0.0', '[1.0.0, )'],
    ['1.0', '[1.0.0, )'],
    ['[1.0.0, )', '[1.0.0, )'],
    ['[1.0,2.0)', '[1.0.0, 2.0.0)'],
    ['[1.0]', '[1.0.0, 1.0.0]'],
    ['(,2.0]', '(, 2.0.0]'],
    ['', '(, )'],
  ] as const) {
    it(`normalizes the range '${written}' to '${normalized}'`, () => {
      const manifest = parseNuspec(withDependencies(`<group><dependency id="A" version="${written}"/></group>`));
      assert.equal(manifest.dependencyGroups[0]?.dependencies[0]?.range.normalized, normalized);
    });
  }

  for (const [range, pattern] of [
    ['[2.0, 1.0]', /lower bound/],
    ['[1.0.0+meta, )', /build metadata/],
    ['1.0.0-1', /must start with a letter/],
    ['banana', /banana/],
  ] as const) {
    it(`rejects the range '${range}'`, () => {
      assertOneProblem(withDependencies(`<group><dependency id="A" version="${range}"/></group>`), pattern);
    });
  }

  it('rejects a dependency with an invalid id', () => {
    assertOneProblem(withDependencies('<group targetFramework="net8.0"><dependency id="bad id" version="1.0"/></group>'), /dependency in net8\.0:.*"bad id"/);
  });

  it('reads legacy flat dependencies as one group with no framework', () => {
    const manifest = parseNuspec(withDependencies('<dependency id="A" version="1.0"/><dependency id="B" version="[2.0]"/>'));
    assert.equal(manifest.dependencyGroups.length, 1);
    assert.equal(manifest.dependencyGroups[0]?.targetFramework, undefined);
    assert.deepEqual(
      manifest.dependencyGroups[0]?.dependencies.map((d) => [d.id, d.range.normalized]),
      [
        ['A', '[1.0.0, )'],
        ['B', '[2.0.0, 2.0.0]'],
      ],
    );
  });

  it('rejects flat dependencies mixed with groups', () => {
    assertOneProblem(withDependencies('<dependency id="A" version="1.0"/><group targetFramework="net8.0"/>'), /<dependencies> mixes <group> and <dependency>/);
  });

  it('an empty <dependencies> gives no groups', () => {
    assert.deepEqual(parseNuspec(withDependencies('')).dependencyGroups, []);
  });
});

describe('parseNuspec: package types and framework references', () => {
  it('reads package types with and without versions', () => {
    const manifest = parseNuspec(
      nuspec({ extra: '<packageTypes><packageType name="DotnetTool"/><packageType name="Template" version="2.0"/></packageTypes>' }),
    );
    assert.deepEqual(manifest.packageTypes, [
      { name: 'DotnetTool', version: undefined },
      { name: 'Template', version: '2.0' },
    ]);
  });

  it('rejects a package type without a valid name or with a bad version', () => {
    assertOneProblem(nuspec({ extra: '<packageTypes><packageType/></packageTypes>' }), /<packageType name="">/);
    assertOneProblem(nuspec({ extra: '<packageTypes><packageType name="bad name"/></packageTypes>' }), /<packageType name="bad name">/);
    assertOneProblem(
      nuspec({ extra: '<packageTypes><packageType name="DotnetTool" version="x.y"/></packageTypes>' }),
      /<packageType name="DotnetTool"> has an invalid version 'x\.y'/,
    );
  });

  it('accepts framework references with valid frameworks', () => {
    assert.ok(
      parseNuspec(
        nuspec({
          extra:
            '<frameworkReferences><group targetFramework="net8.0"><frameworkReference name="Microsoft.AspNetCore.App"/></group></frameworkReferences>',
        }),
      ),
    );
  });

  it('rejects a framework reference group with a bad target framework, naming it', () => {
    const problem = assertOneProblem(
      nuspec({
        extra: '<frameworkReferences><group targetFramework="bogus!!"><frameworkReference name="Microsoft.AspNetCore.App"/></group></frameworkReferences>',
      }),
      /framework reference group/,
    );
    assert.ok(problem.includes('bogus!!'), problem);
  });
});

describe('parseNuspec: hostile and malformed XML', () => {
  it('rejects a DOCTYPE with internal entities (billion laughs) without expanding them', () => {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const xml =
      `<?xml version="1.0"?>\n<!DOCTYPE package [\n${entities.join('\n')}\n]>\n` +
      `<package><metadata><id>A</id><version>1.0.0</version><description>&lol9;</description><authors>x</authors></metadata></package>`;
    const started = performance.now();
    const problem = assertOneProblem(xml, /DOCTYPE/);
    assert.ok(performance.now() - started < 1000, 'parsing must not expand entities');
    assert.ok(problem.length < 500, 'the problem does not carry expanded text');
    assert.doesNotMatch(problem, /lollol/);
  });

  it('rejects an external entity without reading the file', () => {
    const xml =
      '<?xml version="1.0"?>\n<!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' +
      '<package><metadata><id>A</id><version>1.0.0</version><description>&x;</description><authors>x</authors></metadata></package>';
    const problem = assertOneProblem(xml, /DOCTYPE/);
    assert.doesNotMatch(problem, /root:/);
  });

  it('rejects a reference to an undeclared entity', () => {
    problemsOf(nuspec({ description: '&undeclared;' }));
  });

  for (const [name, xml] of [
    ['an unclosed element', `<package xmlns="${NS_2013_05}"><metadata><id>A</id></metadata>`],
    ['mismatched tags', `<package><metadata><id>A</version></metadata></package>`],
    ['text that is not XML', 'this is not xml'],
    ['an empty document', ''],
    ['two root elements', '<package/><package/>'],
    ['an unescaped ampersand', nuspec({ description: 'Salt & pepper' })],
  ] as const) {
    it(`rejects ${name} as not well-formed`, () => {
      assertOneProblem(xml, /not well-formed XML/);
    });
  }
});

describe('parseNuspec: every error is a ManifestError that names the field', () => {
  it('collects problems from many fields in one error', () => {
    const problems = problemsOf(
      nuspec({
        id: 'bad id',
        version: 'nope',
        description: undefined,
        extra:
          '<title>' +
          't'.repeat(300) +
          '</title><projectUrl>ftp://x</projectUrl><license type="expression">NotALicense</license>' +
          '<dependencies><group targetFramework="foo!"><dependency id="A" version="1.*"/></group></dependencies>' +
          '<frameworkReferences><group targetFramework="bar!"/></frameworkReferences>',
      }),
    );
    const expectations: [string, RegExp][] = [
      ['id', /package id "bad id"/],
      ['version', /<version> 'nope'/],
      ['description', /<description> is required/],
      ['title', /<title> is 300 characters/],
      ['projectUrl', /<projectUrl> 'ftp:\/\/x'/],
      ['license', /<license> 'NotALicense'/],
      ['dependency group', /dependency group:.*foo!/],
      ['dependency range', /dependency 'A' version '1\.\*'/],
      ['framework reference', /framework reference group:.*bar!/],
    ];
    for (const [field, pattern] of expectations) {
      assert.ok(
        problems.some((problem) => pattern.test(problem)),
        `expected a problem about ${field} matching ${pattern}; got ${JSON.stringify(problems, null, 2)}`,
      );
    }
    assert.equal(problems.length, expectations.length, JSON.stringify(problems, null, 2));
  });
});

describe('normalizePackagePath', () => {
  it('turns backslashes into slashes and drops a leading ./', () => {
    assert.equal(normalizePackagePath('docs\\README.md'), 'docs/README.md');
    assert.equal(normalizePackagePath('./icon.png'), 'icon.png');
    assert.equal(normalizePackagePath('.\\icon.png'), 'icon.png');
  });
});

describe('isSemVer2Package', () => {
  const manifestWith = (version: string, dependencyRange?: string): Manifest =>
    parseNuspec(
      nuspec({
        version,
        extra:
          dependencyRange === undefined
            ? ''
            : `<dependencies><group targetFramework="net8.0"><dependency id="Dep" version="${dependencyRange}"/></group></dependencies>`,
      }),
    );

  for (const [version, range, expected] of [
    ['1.0.0', undefined, false],
    ['1.0.0-beta', undefined, false],
    ['1.0.0-beta.1', undefined, true],
    ['1.0.0+build', undefined, true],
    ['1.0.0', '1.0.0', false],
    ['1.0.0', '1.0.0-beta', false],
    ['1.0.0', '[1.0.0-rc.1, )', true],
    ['1.0.0', '[1.0.0, 2.0.0-alpha.1)', true],
  ] as const) {
    it(`version ${version}${range === undefined ? '' : ` depending on '${range}'`} → ${expected}`, () => {
      assert.equal(isSemVer2Package(manifestWith(version, range)), expected);
    });
  }
});
