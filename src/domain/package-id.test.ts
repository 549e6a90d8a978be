import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId, packageIdProblem } from './package-id.ts';

const valid = ['Newtonsoft.Json', 'A', 'a-b_c.D9', 'x'.repeat(MAX_PACKAGE_ID_LENGTH)];

const invalid = ['', 'x'.repeat(MAX_PACKAGE_ID_LENGTH + 1), 'a..b', '.a', 'a.', 'a b', 'a/b', '..', 'İd', '$id$', 'a--b'];

for (const id of valid) {
  test(`accepts ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}… (${id.length} chars)` : id)}`, () => {
    assert.equal(packageIdProblem(id), undefined);
    assert.equal(packageIdProblem(id), undefined);
  });
}

for (const id of invalid) {
  test(`rejects ${JSON.stringify(id.length > 20 ? `${id.slice(0, 10)}… (${id.length} chars)` : id)}`, () => {
    const problem = packageIdProblem(id);
    assert.equal(typeof problem, 'string');
    assert.notEqual(packageIdProblem(id), undefined);
  });
}

test('problems name the id and the rule', () => {
  assert.match(packageIdProblem('a..b') ?? '', /"a\.\.b".*single dots or hyphens/);
  assert.match(packageIdProblem('x'.repeat(101)) ?? '', /101 characters.*limit is 100/);
  assert.match(packageIdProblem('') ?? '', /empty/);
});

test('the unreplaced pack token gets its own message', () => {
  assert.match(packageIdProblem('$id$') ?? '', /unreplaced token/);
});

test('lowerPackageId lowers ASCII letters only', () => {
  assert.equal(lowerPackageId('Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(lowerPackageId('A-B_C.D9'), 'a-b_c.d9');
  // Non-ASCII is left alone rather than lowered the JavaScript way ("İ" would become "i̇").
  assert.equal(lowerPackageId('İd'), 'İd');
});
