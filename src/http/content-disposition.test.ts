import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeExtendedValue, parseContentDisposition, parseParameterizedHeader } from './content-disposition.ts';

test('parseContentDisposition reads quoted and token values, names case-insensitively', () => {
  const browser = parseContentDisposition('form-data; name="package"; filename="package.nupkg"');
  assert.equal(browser.value, 'form-data');
  assert.equal(browser.name, 'package');
  assert.equal(browser.filename, 'package.nupkg');

  const dotnet = parseContentDisposition("Form-Data; NAME=package; FileName=package.nupkg; filename*=utf-8''package.nupkg");
  assert.equal(dotnet.value, 'form-data');
  assert.equal(dotnet.name, 'package');
  assert.equal(dotnet.filename, 'package.nupkg');
});

test('parseContentDisposition keeps a ; inside quotes and unescapes quoted-pairs', () => {
  const parsed = parseContentDisposition('form-data; name="a;b"; filename="say \\"hi\\"; ok\\\\.nupkg" ; x=1');
  assert.equal(parsed.name, 'a;b');
  assert.equal(parsed.filename, 'say "hi"; ok\\.nupkg');
  assert.equal(parsed.parameters.get('x'), '1');
});

test('parseContentDisposition prefers a decodable filename*, else filename, else filename* as sent', () => {
  assert.equal(parseContentDisposition("form-data; filename=\"plain.nupkg\"; filename*=UTF-8''%E2%82%AC%20rates.nupkg").filename, '€ rates.nupkg');
  assert.equal(parseContentDisposition("form-data; filename*=iso-8859-1'en'%E9t%E9.nupkg").filename, 'été.nupkg');
  assert.equal(parseContentDisposition("form-data; filename=\"plain.nupkg\"; filename*=UTF-8''%FF").filename, 'plain.nupkg');
  assert.equal(parseContentDisposition("form-data; filename*=koi8-r''abc").filename, "koi8-r''abc");
  assert.equal(parseContentDisposition('form-data; filename=""').filename, '');
  assert.equal(parseContentDisposition('form-data; name="field"').filename, undefined);
  assert.equal(parseContentDisposition('form-data; filenames="x"').filename, undefined);
});

test('parseContentDisposition survives junk without throwing', () => {
  for (const junk of ['', ';', ';;;', 'form-data; =x', 'form-data; name', 'form-data; name="unterminated', 'form-data; name="a" junk; filename=b']) {
    parseContentDisposition(junk);
  }
  assert.equal(parseContentDisposition('form-data; name="unterminated').name, 'unterminated');
  assert.equal(parseContentDisposition('form-data; name="a" junk; filename=b').filename, 'b');
  assert.equal(parseContentDisposition('form-data; name=a; name=b').name, 'a');
});

test('decodeExtendedValue refuses what is not an RFC 8187 ext-value', () => {
  assert.equal(decodeExtendedValue("UTF-8''a%20b"), 'a b');
  assert.equal(decodeExtendedValue("utf-8'de-CH'x"), 'x');
  assert.equal(decodeExtendedValue('no-quotes'), undefined);
  assert.equal(decodeExtendedValue("utf-8''%zz"), undefined);
  assert.equal(decodeExtendedValue("utf-8''é"), undefined);
});

test('parseParameterizedHeader lowercases the value and the parameter names', () => {
  const parsed = parseParameterizedHeader('Multipart/Form-Data ; Boundary="a b" ; charset=UTF-8 ');
  assert.equal(parsed.value, 'multipart/form-data');
  assert.equal(parsed.parameters.get('boundary'), 'a b');
  assert.equal(parsed.parameters.get('charset'), 'UTF-8');
});
