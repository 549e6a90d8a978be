import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId } from './package-id.ts';
import { matchesPattern, parsePackageIdPattern } from './package-id-pattern.ts';

function matches(patternText: string, id: string): boolean {
  return matchesPattern(parsePackageIdPattern(patternText), lowerPackageId(id));
}

describe('parsePackageIdPattern', () => {
  it('keeps the text, lowers it, and tells a glob from an id', () => {
    assert.deepEqual(parsePackageIdPattern('Contoso.*'), { text: 'Contoso.*', lower: 'contoso.*', kind: 'glob' });
    assert.deepEqual(parsePackageIdPattern('Contoso.Utilities'), { text: 'Contoso.Utilities', lower: 'contoso.utilities', kind: 'id' });
    assert.deepEqual(parsePackageIdPattern('*'), { text: '*', lower: '*', kind: 'glob' });
  });

  it('gives back plain data that survives a structured clone (storage, worker messages)', () => {
    const pattern = parsePackageIdPattern('Contoso.*.Core');
    const copy = structuredClone(pattern);
    assert.deepEqual(copy, pattern);
    assert.equal(matchesPattern(copy, 'contoso.data.core'), true);
  });

  const accepted = [
    '*',
    '**',
    'Contoso.*',
    '*.Abstractions',
    'Contoso.*.Core',
    '*Json*',
    'a*b*c',
    '*-*',
    '*.*',
    'Newtonsoft.Json',
    'x'.repeat(MAX_PACKAGE_ID_LENGTH),
    `${'x'.repeat(MAX_PACKAGE_ID_LENGTH - 1)}*`,
  ];
  for (const text of accepted) {
    it(`accepts ${JSON.stringify(text.length > 20 ? `${text.slice(0, 10)}… (${text.length} chars)` : text)}`, () => {
      assert.equal(parsePackageIdPattern(text).text, text);
    });
  }

  const refused: [string, RegExp][] = [
    ['', /^The package pattern is empty; write a package id such as "Contoso\.Utilities", or a glob such as "Contoso\.\*"/],
    ['x'.repeat(MAX_PACKAGE_ID_LENGTH + 1), /is 101 characters long; the limit is 100, the longest a package id can be\.$/],
    [`${'*'.repeat(MAX_PACKAGE_ID_LENGTH)}a`, /is 101 characters long/],
    ['Contoso?', /^The package pattern "Contoso\?" contains "\?", which no package id can contain; .* "\*" is the only wildcard\.$/],
    ['Contoso Utilities', /contains " ", which no package id can contain; use ASCII letters, digits, "_", "\." and "-", and "\*" for any run of characters\.$/],
    ['Contoso/*', /contains "\/"/],
    ['$id$', /contains "\$"/],
    ['Contoso.[ab]', /contains "\["/],
    ['Contoso.%', /contains "%"/],
    ['İd.*', /contains "İ"/],
    ['Contoso.\u{1F600}', /contains "\u{1F600}"/u],
    ['Contoso\u0000', /contains "\\u0000"/],
    ['.Contoso', /^The package pattern "\.Contoso" can never match a package id: it starts with "\.", and an id starts with a letter, digit or "_"\.$/],
    ['-*', /can never match a package id: it starts with "-"/],
    ['Contoso.', /can never match a package id: it ends with "\.", and an id ends with a letter, digit or "_"\.$/],
    ['*-', /it ends with "-"/],
    ['Contoso..*', /can never match a package id: it has "\.\.", and an id never has two of "\." and "-" in a row\.$/],
    ['*.-Core', /it has "\.-"/],
    ['a--b', /it has "--"/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text.length > 20 ? `${text.slice(0, 10)}… (${text.length} chars)` : text)}`, () => {
      assert.throws(() => parsePackageIdPattern(text), (error: unknown) => error instanceof Error && message.test(error.message));
    });
  }
});

describe('matchesPattern', () => {
  it('"*" matches every id (the doc\'s pattern for a key that covers all packages)', () => {
    for (const id of ['A', 'Contoso.Utilities.Compression', 'Newtonsoft.Json', 'x'.repeat(MAX_PACKAGE_ID_LENGTH)]) {
      assert.equal(matches('*', id), true, id);
    }
  });

  it('"Contoso.*" matches the ids under Contoso. and nothing else (the doc\'s example)', () => {
    for (const id of ['Contoso.Utilities.Compression', 'Contoso.Utilities.Network', 'Contoso.Core', 'Contoso.a']) {
      assert.equal(matches('Contoso.*', id), true, id);
    }
    for (const id of ['Contoso', 'ContosoExtra', 'Fabrikam.Contoso.Core', 'Contoso-Core']) {
      assert.equal(matches('Contoso.*', id), false, id);
    }
  });

  it('ignores case on both sides', () => {
    assert.equal(matches('contoso.*', 'CONTOSO.Core'), true);
    assert.equal(matches('CONTOSO.*', 'contoso.core'), true);
    assert.equal(matches('NewtonSoft.JSON', 'Newtonsoft.Json'), true);
    assert.equal(matches('*.aBsTrAcTiOnS', 'Microsoft.Extensions.Logging.Abstractions'), true);
  });

  it('takes "*" at the start, in the middle, at the end, and several times', () => {
    assert.equal(matches('*.Abstractions', 'Microsoft.Extensions.Logging.Abstractions'), true);
    assert.equal(matches('*.Abstractions', 'Abstractions'), false);
    assert.equal(matches('Contoso.*.Core', 'Contoso.Data.Core'), true);
    assert.equal(matches('Contoso.*.Core', 'Contoso.Data.Sql.Core'), true);
    assert.equal(matches('Contoso.*.Core', 'Contoso.Core'), false);
    assert.equal(matches('Contoso*', 'Contoso'), true);
    assert.equal(matches('Contoso*', 'ContosoExtra'), true);
    assert.equal(matches('*Json*', 'Newtonsoft.Json'), true);
    assert.equal(matches('*Json*', 'System.Text.Json.Serialization'), true);
    assert.equal(matches('*Json*', 'Newtonsoft.Xml'), false);
    assert.equal(matches('*.*.*', 'a.b.c'), true);
    assert.equal(matches('*.*.*', 'a.b'), false);
    assert.equal(matches('C*o*n*t*o*s*o', 'Contoso'), true);
    assert.equal(matches('C*o*n*t*o*s*o', 'Contos'), false);
  });

  it('lets a run of stars act as one', () => {
    assert.equal(matches('Contoso.**', 'Contoso.Core'), true);
    assert.equal(matches('***', 'A'), true);
    assert.equal(matches('a**b', 'ab'), true);
  });

  it('does not let the first and last literal runs share characters', () => {
    assert.equal(matches('a*a', 'a'), false);
    assert.equal(matches('a*a', 'aa'), true);
    assert.equal(matches('ab*bc', 'abc'), false);
    assert.equal(matches('ab*bc', 'abbc'), true);
    assert.equal(matches('a*b*a', 'aba'), true);
    assert.equal(matches('a*b*a', 'ab'), false);
  });

  it('a pattern without "*" is a package id and matches only that id', () => {
    assert.equal(matches('Contoso.Utilities', 'contoso.utilities'), true);
    assert.equal(matches('Contoso.Utilities', 'Contoso.Utilities.Compression'), false);
    assert.equal(matches('Contoso.Utilities', 'Contoso'), false);
  });

  it('treats "." and "-" as the characters they are, not as regex syntax', () => {
    assert.equal(matches('a.b', 'a-b'), false);
    assert.equal(matches('a.*', 'ab'), false);
    assert.equal(matches('a-*', 'a-b'), true);
  });
});
