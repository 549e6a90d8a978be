import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountNameFrom, accountNameProblem } from './account-name.ts';

describe('accountNameFrom', () => {
  it('keeps a name that follows the rule, and folds the rest into one', () => {
    assert.equal(accountNameFrom('alice'), 'alice');
    assert.equal(accountNameFrom('José Müller'), 'Jose-Muller');
    assert.equal(accountNameFrom('  _bob..smith!! '), 'bob..smith');
    assert.equal(accountNameFrom('ops+ci@contoso.com'.split('@')[0] ?? ''), 'ops-ci');
  });

  it('gives undefined when nothing usable is left', () => {
    assert.equal(accountNameFrom('山田'), undefined);
    assert.equal(accountNameFrom('---'), undefined);
    assert.equal(accountNameFrom(''), undefined);
  });

  it('always gives a valid name with room for a suffix', () => {
    for (const text of ['a'.repeat(200), 'Ünïcødé name', '9lives', 'x.y_z-w', `${'ab-'.repeat(30)}!`]) {
      const name = accountNameFrom(text);
      assert.ok(name !== undefined && name.length <= 56, text);
      assert.equal(accountNameProblem(`${name}-9999`), undefined, text);
    }
  });
});
