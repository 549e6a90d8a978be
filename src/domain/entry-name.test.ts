import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { clientEntryName, entryFileKey, entryNameProblem } from './entry-name.ts';

describe('clientEntryName (NuGet decodes entry names with Uri.UnescapeDataString)', () => {
  const cases: [string, string][] = [
    ['lib/net8.0/a.dll', 'lib/net8.0/a.dll'],
    ['%2e%2e/evil.txt', '../evil.txt'],
    ['..%2fevil.txt', '../evil.txt'],
    ['a%5c..%5cevil', 'a\\..\\evil'],
    ['My%20File.dll', 'My File.dll'],
    ['%C3%A9t%C3%A9.txt', 'été.txt'],
    // Bytes that do not form UTF-8 stay escaped, as .NET leaves them.
    ['bad%C3.txt', 'bad%C3.txt'],
    ['bad%ff%2e.txt', 'bad%FF..txt'],
    ['%c0%ae%c0%ae/x', '%C0%AE%C0%AE/x'],
    ['%E2%82.txt', '%E2%82.txt'],
    // Not an escape: left alone.
    ['100%.txt', '100%.txt'],
    ['%zz.txt', '%zz.txt'],
    ['%2', '%2'],
  ];
  for (const [stored, decoded] of cases) {
    it(`${stored} → ${decoded}`, () => assert.equal(clientEntryName(stored), decoded));
  }
});

describe('entryNameProblem judges the name as stored and as decoded', () => {
  const refused: [string, RegExp][] = [
    ['%2e%2e/evil.txt', /escapes the package folder.*the entry name '%2e%2e\/evil.txt' decodes to '\.\.\/evil.txt'/],
    ['%252e%252e/evil.txt', /escapes the package folder.*decodes to '\.\.\/evil.txt'/],
    ['..%2fevil.txt', /escapes the package folder/],
    ['lib/..%2F..%2Fevil.dll', /escapes the package folder/],
    ['a%5c..%5c..%5cevil', /escapes the package folder/],
    ['%2fetc/passwd', /absolute path/],
    ['%5cwindows/x', /absolute path/],
    ['C%3a/x', /absolute path/],
    ['lib/a%00.dll', /control characters/],
    ['lib%2f%2fa.dll', /empty path segment/],
    ['lib/./a.dll', /'\.' path segment/],
    ['lib/%2e/a.dll', /'\.' path segment/],
    ['lib/.. /a.dll', /ending in a dot or a space/],
    ['lib/a.dll.', /ending in a dot or a space/],
    ['lib/.../a.dll', /ending in a dot or a space/],
    ['lib/a.dll:stream', /contains ':'/],
    ['lib/a.dll%3astream', /contains ':'/],
    ['tab\there', /control characters/],
    ['del\u007fete', /control characters/],
  ];
  for (const [name, pattern] of refused) {
    it(`refuses ${JSON.stringify(name)}`, () => assert.match(entryNameProblem(name) ?? 'accepted', pattern));
  }

  for (const name of ['lib/net8.0/My%20File.dll', '[Content_Types].xml', '_rels/.rels', 'lib/', 'a..b/c', 'x...y', 'content/100%.txt', 'bad%FF.txt']) {
    it(`accepts ${JSON.stringify(name)}`, () => assert.equal(entryNameProblem(name), undefined));
  }

  it('two names that decode to one file share a key', () => {
    assert.equal(entryFileKey('lib/My%20File.dll'), entryFileKey('LIB\\my file.dll'));
    assert.notEqual(entryFileKey('lib/a.dll'), entryFileKey('lib/b.dll'));
  });
});

describe('entry name properties', () => {
  const nameCharacter = fc.constantFrom('a', 'B', '.', '/', '\\', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', 'C', ':', ' ', '0', '\u0000', 'é');
  const hostileName = fc.array(nameCharacter, { maxLength: 40 }).map((chars) => chars.join(''));
  const percentForm = (char: string) => fc.constantFrom(char, `%${char.charCodeAt(0).toString(16)}`, `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  const dotDot = fc.tuple(percentForm('.'), percentForm('.')).map(([a, b]) => a + b);
  const separator = fc.oneof(percentForm('/'), percentForm('\\'));

  it('never throws, and what it accepts stays inside the package once decoded and extracted', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 })), (name) => {
        const problem = entryNameProblem(name);
        if (problem !== undefined) return;
        for (const form of [name, clientEntryName(name), clientEntryName(clientEntryName(name))]) {
          const asPosix = form.replace(/\\/g, '/');
          assert.ok(!path.posix.isAbsolute(asPosix), form);
          const normalized = path.posix.normalize(asPosix);
          assert.ok(!normalized.startsWith('../') && normalized !== '..', `${name} resolves outside: ${normalized}`);
          // Accepted names are already normal: no '.' or '..' segment and no doubled separator.
          assert.equal(normalized, asPosix, name);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses every percent-encoded spelling of a traversal', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('lib', 'a', 'net8.0'), { maxLength: 3 }), dotDot, separator, (prefix, parent, slash) => {
        const name = [...prefix, parent].join('/') + slash + 'evil.dll';
        assert.match(entryNameProblem(name) ?? 'accepted', /escapes the package folder/, name);
      }),
      { numRuns: 500 },
    );
  });

  it('decoding is the identity on names without a percent sign, and idempotent on its own output for ASCII escapes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const withoutPercent = text.replace(/%/g, '');
        assert.equal(clientEntryName(withoutPercent), withoutPercent);
      }),
    );
  });
});
