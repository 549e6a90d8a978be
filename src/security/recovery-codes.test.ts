import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateRecoveryCodes, recoveryCodeHash } from './recovery-codes.ts';

describe('generateRecoveryCodes', () => {
  it('makes ten xxxxx-xxxxx codes from the unambiguous alphabet by default', () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    assert.equal(new Set(codes).size, 10);
  });

  it('makes as many as asked', () => {
    assert.equal(generateRecoveryCodes(3).length, 3);
    assert.deepEqual(generateRecoveryCodes(0), []);
  });

  it('uses all 32 characters, each about equally often', () => {
    const counts = new Map<string, number>();
    for (const code of generateRecoveryCodes(2000)) {
      for (const character of code.replace('-', '')) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    assert.equal(counts.size, 32);
    // 20,000 characters: 625 expected each; ±25% is more than 7 standard deviations.
    for (const [character, count] of counts) assert.ok(count > 468 && count < 782, `${character}: ${count}`);
  });
});

describe('recoveryCodeHash', () => {
  it('is the SHA-256 of the code without its dash', () => {
    assert.equal(recoveryCodeHash('ab3de-fg7hj'), createHash('sha256').update('ab3defg7hj').digest('hex'));
  });

  it('ignores case, spaces and dashes, and reads look-alike letters as digits', () => {
    const stored = recoveryCodeHash('a0b1c-d1e2f');
    for (const typed of ['a0b1c-d1e2f', 'A0B1C-D1E2F', 'a0b1cd1e2f', ' a0b1c d1e2f ', 'a0b-1c-d1e-2f', 'aOb1c-dIe2f', 'aob1c-dle2f', 'AoBLc-DiE2F']) {
      assert.equal(recoveryCodeHash(typed), stored, typed);
    }
  });

  it('tells different codes apart', () => {
    const stored = recoveryCodeHash('a0b1c-d1e2f');
    for (const typed of ['a0b1c-d1e2g', 'a0b1c-d1e2', 'a0b1c-d1e2ff', '0ab1c-d1e2f', '']) {
      assert.notEqual(recoveryCodeHash(typed), stored, typed);
    }
  });
});
