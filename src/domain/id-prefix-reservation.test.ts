import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId } from './package-id.ts';
import { parseReservedPrefix, reservationCovers } from './id-prefix-reservation.ts';

function covers(reservationText: string, id: string): boolean {
  return reservationCovers(parseReservedPrefix(reservationText), lowerPackageId(id));
}

describe('parseReservedPrefix', () => {
  it('reads "Contoso.*" and "Contoso." as the one prefix "contoso."', () => {
    assert.deepEqual(parseReservedPrefix('Contoso.*'), { text: 'Contoso.*', kind: 'prefix', valueLower: 'contoso.' });
    assert.deepEqual(parseReservedPrefix('Contoso.'), { text: 'Contoso.', kind: 'prefix', valueLower: 'contoso.' });
  });

  it('reads an id without "*" as that exact id', () => {
    assert.deepEqual(parseReservedPrefix('Contoso'), { text: 'Contoso', kind: 'id', valueLower: 'contoso' });
    assert.deepEqual(parseReservedPrefix('Contoso.Core'), { text: 'Contoso.Core', kind: 'id', valueLower: 'contoso.core' });
  });

  it('reads "Contoso*" as a prefix with no separator, and "Contoso-*" and "Contoso-" as a hyphen prefix', () => {
    assert.deepEqual(parseReservedPrefix('Contoso*'), { text: 'Contoso*', kind: 'prefix', valueLower: 'contoso' });
    assert.deepEqual(parseReservedPrefix('Contoso-*'), { text: 'Contoso-*', kind: 'prefix', valueLower: 'contoso-' });
    assert.deepEqual(parseReservedPrefix('Contoso-'), { text: 'Contoso-', kind: 'prefix', valueLower: 'contoso-' });
  });

  it('accepts the doc\'s examples', () => {
    for (const text of ['Microsoft.*', 'Microsoft.AspNet.*']) {
      assert.equal(parseReservedPrefix(text).kind, 'prefix');
    }
  });

  it('accepts prefixes up to the length an id can still go on from', () => {
    assert.equal(parseReservedPrefix(`${'x'.repeat(MAX_PACKAGE_ID_LENGTH - 2)}.*`).valueLower.length, MAX_PACKAGE_ID_LENGTH - 1);
    assert.equal(parseReservedPrefix(`${'x'.repeat(MAX_PACKAGE_ID_LENGTH)}*`).valueLower.length, MAX_PACKAGE_ID_LENGTH);
    assert.equal(parseReservedPrefix('x'.repeat(MAX_PACKAGE_ID_LENGTH)).kind, 'id');
  });

  const refused: [string, RegExp][] = [
    ['', /^The reserved prefix is empty; write one such as "Contoso\.\*" \(every id that starts with "Contoso\."\) or "Contoso" \(that id alone\)\.$/],
    ['*', /^The reserved prefix "\*" would reserve every package id; write one such as "Contoso\.\*"/],
    ['**', /^The reserved prefix "\*\*" has "\*" before its end; a reservation is a prefix, not a glob/],
    ['*.Core', /has "\*" before its end; a reservation is a prefix, not a glob/],
    ['Contoso.*.Core', /has "\*" before its end/],
    ['Contoso.*.*', /has "\*" before its end/],
    ['.*', /^The reserved prefix "\.\*" is not valid: a reservation is a package id, or a prefix written as one followed by .* The package id is empty\.$/],
    ['-', /^The reserved prefix "-" is not valid: .* The package id is empty\.$/],
    ['Contoso..*', /^The reserved prefix "Contoso\.\.\*" is not valid: .* The package id "Contoso\." is not valid: use only ASCII letters/],
    ['Contoso.-', /The package id "Contoso\." is not valid/],
    ['.Contoso.*', /The package id "\.Contoso" is not valid/],
    ['Con toso.*', /The package id "Con toso" is not valid/],
    ['Contoso?', /The package id "Contoso\?" is not valid/],
    ['İd.*', /The package id "İd" is not valid/],
    ['$id$', /unreplaced token/],
    [`${'x'.repeat(MAX_PACKAGE_ID_LENGTH + 1)}*`, /is 101 characters long; the limit is 100/],
    [`${'x'.repeat(MAX_PACKAGE_ID_LENGTH - 1)}.*`, /can never cover a package id: an id starting with it would be longer than the limit of 100 characters\.$/],
    [`${'x'.repeat(MAX_PACKAGE_ID_LENGTH)}.`, /can never cover a package id/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${JSON.stringify(text.length > 20 ? `${text.slice(0, 10)}… (${text.length} chars)` : text)}`, () => {
      assert.throws(() => parseReservedPrefix(text), (error: unknown) => error instanceof Error && message.test(error.message));
    });
  }
});

describe('reservationCovers', () => {
  it('"Contoso.*" covers the ids that start with "Contoso." and no others', () => {
    for (const id of ['Contoso.Core', 'Contoso.Utilities.Compression', 'contoso.core', 'CONTOSO.A']) {
      assert.equal(covers('Contoso.*', id), true, id);
    }
    for (const id of ['Contoso', 'ContosoExtra', 'Contoso-Core', 'Fabrikam.Contoso.Core', 'Contos']) {
      assert.equal(covers('Contoso.*', id), false, id);
    }
  });

  it('"Contoso*" also covers "Contoso" itself and ids that go on without a separator', () => {
    for (const id of ['Contoso', 'ContosoExtra', 'Contoso.Core', 'Contoso-Core']) {
      assert.equal(covers('Contoso*', id), true, id);
    }
    assert.equal(covers('Contoso*', 'Contos'), false);
  });

  it('an exact id covers that id alone, in any case', () => {
    assert.equal(covers('Contoso', 'Contoso'), true);
    assert.equal(covers('Contoso', 'CONTOSO'), true);
    assert.equal(covers('CONTOSO', 'contoso'), true);
    assert.equal(covers('Contoso', 'Contoso.Core'), false);
    assert.equal(covers('Contoso', 'ContosoExtra'), false);
  });

  it('ignores the case the prefix was written in', () => {
    assert.equal(covers('MICROSOFT.aspnet.*', 'Microsoft.AspNet.Mvc'), true);
  });
});

