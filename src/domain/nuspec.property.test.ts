/**
 * Properties of the nuspec reader: what a generated nuspec says comes back out, and no input (random
 * text, mangled documents, hostile shapes at the size cap) throws anything but ManifestError or takes
 * long.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManifestError, parseNuspec } from './nuspec.ts';
import { NuGetVersion } from './nuget-version.ts';
import { nuspecXml, type NupkgOptions } from '../../test/support/nupkg-builder.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const idPart = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
const packageId = fc.array(idPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
const numericPart = fc.integer({ min: 0, max: 99 });
const version = fc
  .tuple(fc.array(numericPart, { minLength: 3, maxLength: 3 }), fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { nil: undefined }))
  .map(([parts, pre]) => parts.join('.') + (pre === undefined ? '' : `-${pre}`));
// Printable text without leading or trailing space (the reader trims fields) and without XML-illegal characters.
const text = fc.stringMatching(/^[\x21-\x7e](?:[\x20-\x7e]{0,60}[\x21-\x7e])?$/);
const framework = fc.constantFrom('net8.0', 'net10.0', 'netstandard2.0', 'net472', undefined);

const manifestOptions: fc.Arbitrary<NupkgOptions> = fc.record({
  id: packageId,
  version,
  description: text,
  authors: text,
  title: fc.option(text, { nil: undefined }),
  tags: fc.array(fc.stringMatching(/^[a-z0-9]{1,10}$/), { maxLength: 5 }),
  dependencyGroups: fc.uniqueArray(
    fc.record({
      targetFramework: framework,
      dependencies: fc.uniqueArray(fc.record({ id: packageId, range: fc.constantFrom('1.0.0', '[1.0.0, 2.0.0)', '(, 3.0]', '[2.1.0]') }), {
        selector: (dependency) => dependency.id.toLowerCase(),
        maxLength: 4,
      }),
    }),
    { selector: (group) => group.targetFramework ?? '', maxLength: 3 },
  ),
});

/** Runs the parser, allowing only success or the domain's own error. */
function parseOrRefuse(xml: string): 'parsed' | 'refused' {
  try {
    parseNuspec(xml);
    return 'parsed';
  } catch (error) {
    if (error instanceof ManifestError) return 'refused';
    throw error;
  }
}

describe('nuspec properties', () => {
  it('a generated nuspec round-trips its fields', () => {
    fc.assert(
      fc.property(manifestOptions, (options) => {
        const manifest = parseNuspec(nuspecXml(options));
        assert.equal(manifest.id, options.id);
        assert.equal(manifest.version.normalized, NuGetVersion.parse(options.version).normalized);
        assert.equal(manifest.description, options.description);
        assert.equal(manifest.authors, options.authors);
        assert.equal(manifest.title, options.title);
        assert.deepEqual(manifest.tags, options.tags);
        assert.deepEqual(
          manifest.dependencyGroups.map((group) => ({ targetFramework: group.targetFramework, ids: group.dependencies.map((d) => d.id) })),
          (options.dependencyGroups ?? []).map((group) => ({ targetFramework: group.targetFramework, ids: group.dependencies.map((d) => d.id) })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('random text never throws anything but ManifestError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (input) => void parseOrRefuse(input)), {
      numRuns: 2000,
    });
  });

  it('a valid nuspec with random fragments spliced in is parsed or refused, never anything else', () => {
    const fragment = fc.constantFrom(
      '<', '>', '</', '/>', '<metadata>', '</metadata>', '<id>', '</id>', '<!DOCTYPE x>', '&amp;', '&bogus;', '<![CDATA[', ']]>', '<?pi?>',
      '<!--', '-->', 'xmlns="urn:x"', 'xmlns:p="u"', '<p:id>', '"', "'", '=', '\u0000', '\uFFFE', '<dependency id="A" version="[1,"/>',
      '<group targetFramework="net999.0">', '<license type="expression">MIT OR (</license>', '<version>1.0.0-01</version>',
    );
    fc.assert(
      fc.property(manifestOptions, fc.array(fc.tuple(fc.nat(), fragment), { minLength: 1, maxLength: 6 }), (options, splices) => {
        let xml = nuspecXml(options);
        for (const [position, piece] of splices) {
          const at = position % (xml.length + 1);
          xml = xml.slice(0, at) + piece + xml.slice(at);
        }
        parseOrRefuse(xml);
      }),
      { numRuns: 1500 },
    );
  });

  it('hostile shapes at the nuspec size cap are refused quickly', () => {
    const cap = 1024 * 1024;
    const wrap = (inner: string) => `<package><metadata>${inner}</metadata></package>`;
    const shapes = fc.constantFrom(
      wrap('<a>'.repeat(cap / 3)),
      wrap('<dependencies>' + '<group>'.repeat(cap / 7)),
      wrap(`<tags>${'x'.repeat(cap - 100)}</tags>`),
      wrap(`<dependencies>${'<dependency id="A" version="1.0"/>'.repeat(cap / 34)}</dependencies>`),
      wrap(`<license type="expression">${'MIT OR '.repeat(cap / 7)}MIT</license>`),
      wrap(`<license type="expression">${'('.repeat(490)}MIT${')'.repeat(5)}</license>`),
      wrap(`<id>${'a.'.repeat(cap / 2)}</id>`),
      wrap(`<version>${'1.'.repeat(cap / 2)}0</version>`),
      wrap(`<dependencies><dependency id="A" version="${'['.repeat(8000)}"/></dependencies>`),
    );
    fc.assert(
      fc.property(shapes, (xml) => {
        const best = bestOfThreeMs(() => assert.equal(parseOrRefuse(xml), 'refused'));
        // Minutes without the XML bounds; loose enough for a busy machine.
        assert.ok(best < 2000, `took ${best.toFixed(1)} ms`);
      }),
      { numRuns: 20 },
    );
  });
});
