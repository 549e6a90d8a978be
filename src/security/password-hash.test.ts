import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  MAX_PASSWORD_BYTES,
  newPasswordProblem,
  verifyAgainstNothing,
  verifyPassword,
} from './password-hash.ts';
import type { ScryptCost } from './password-hash.ts';

// Cheap enough for many derivations per test; the default cost is exercised once below.
const FAST: ScryptCost = { N: 1024, r: 8, p: 1 };
const REFUSED = { ok: false, needsRehash: false };
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 43 characters hold 258 bits for a 32-byte key; setting one of the 2 spare bits decodes to the same bytes. */
function nonCanonical(key: string): string {
  return key.slice(0, -1) + BASE64[BASE64.indexOf(key.at(-1) as string) + 1];
}

describe('hashPassword and verifyPassword', () => {
  it('round-trips at the default cost, which is at least N=32768', async () => {
    assert.ok(DEFAULT_SCRYPT_COST.N >= 32768);
    const encoded = await hashPassword('correct horse battery staple');
    assert.match(encoded, /^scrypt\$N=32768,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(await verifyPassword('correct horse battery staple', encoded), { ok: true, needsRehash: false });
  });

  it('refuses a wrong password', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    assert.deepEqual(await verifyPassword('correct horse battery stapl', encoded, FAST), REFUSED);
    assert.deepEqual(await verifyPassword('Correct horse battery staple', encoded, FAST), REFUSED);
    assert.deepEqual(await verifyPassword('', encoded, FAST), REFUSED);
  });

  it('salts every hash', async () => {
    const first = await hashPassword('the same password', FAST);
    const second = await hashPassword('the same password', FAST);
    assert.notEqual(first, second);
    assert.equal((await verifyPassword('the same password', second, FAST)).ok, true);
  });

  it('asks for a rehash when a right password was hashed at another cost', async () => {
    const encoded = await hashPassword('an older password hash', FAST);
    const raised = { ...FAST, N: 2048 };
    assert.deepEqual(await verifyPassword('an older password hash', encoded, raised), { ok: true, needsRehash: true });
    assert.deepEqual(await verifyPassword('not the password', encoded, raised), REFUSED);
  });

  it('refuses a tampered salt, key or cost', async () => {
    const encoded = await hashPassword('tamper with me please', FAST);
    const [scheme, cost, salt, key] = encoded.split('$') as [string, string, string, string];
    const flip = (text: string, index: number) => text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);
    for (const tampered of [
      [scheme, cost, flip(salt, 0), key],
      [scheme, cost, salt, flip(key, 0)],
      [scheme, cost, salt, flip(key, 20)],
      [scheme, 'N=2048,r=8,p=1', salt, key],
      [scheme, 'N=1024,r=8,p=2', salt, key],
    ]) {
      assert.equal((await verifyPassword('tamper with me please', tampered.join('$'), FAST)).ok, false, tampered.join('$'));
    }
  });

  it('verifies a malformed stored value as a wrong password, without throwing', async () => {
    const encoded = await hashPassword('a good password', FAST);
    const [, , salt, key] = encoded.split('$') as [string, string, string, string];
    for (const stored of [
      '',
      'scrypt',
      'a good password',
      encoded.replace('scrypt$', 'bcrypt$'),
      encoded.replace('N=1024', 'N=1000'),
      encoded.replace('N=1024', 'N=1'),
      encoded.replace('N=1024', 'N=0'),
      encoded.replace('N=1024', 'N=1073741824'),
      encoded.replace('p=1', 'p=17'),
      encoded.replace('r=8', 'r=0'),
      `scrypt$N=1024,r=8,p=1$${salt}`,
      `scrypt$N=1024,r=8,p=1$$${key}`,
      `${encoded}==`,
      `${encoded}$extra`,
      ` ${encoded}`,
      `scrypt$N=1024,r=8,p=1$${salt.slice(0, 11)}$${key}`,
      `scrypt$N=1024,r=8,p=1$${salt}$${key.slice(0, 22)}`,
      `scrypt$N=1024,r=8,p=1$${salt}$${nonCanonical(key)}`,
      `scrypt$N=1024,r=8,p=1$${salt}$${key.slice(0, 10)}!${key.slice(11)}`,
    ]) {
      assert.deepEqual(await verifyPassword('a good password', stored, FAST), REFUSED, stored);
    }
  });

  it('spends a derivation on a malformed stored value too', async () => {
    // A cost scrypt refuses makes the derivation visible: the call rejects instead of answering at once.
    await assert.rejects(verifyPassword('a good password', 'not a hash', { N: 3, r: 8, p: 1 }));
  });

  it('treats differently composed Unicode as the same password', async () => {
    const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    const encoded = await hashPassword(composed, FAST);
    assert.equal((await verifyPassword(decomposed, encoded, FAST)).ok, true);
  });

  it('hashes a password of exactly the maximum bytes and refuses one byte more', async () => {
    const longest = 'a'.repeat(MAX_PASSWORD_BYTES);
    const encoded = await hashPassword(longest, FAST);
    assert.equal((await verifyPassword(longest, encoded, FAST)).ok, true);
    await assert.rejects(hashPassword(`${longest}a`, FAST), RangeError);
    // 342 three-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes.
    await assert.rejects(hashPassword('\u20ac'.repeat(342), FAST), RangeError);
    assert.deepEqual(await verifyPassword(`${longest}a`, encoded, FAST), REFUSED);
  });
});

describe('verifyAgainstNothing', () => {
  it('always fails', async () => {
    assert.deepEqual(await verifyAgainstNothing('any password at all', FAST), REFUSED);
    assert.deepEqual(await verifyAgainstNothing('', FAST), REFUSED);
  });

  it('runs the same derivation a real check runs', async () => {
    await assert.rejects(verifyAgainstNothing('any password at all', { N: 3, r: 8, p: 1 }));
  });
});

describe('newPasswordProblem', () => {
  it('accepts ten characters and refuses nine', () => {
    assert.equal(newPasswordProblem('0123456789'), undefined);
    assert.match(newPasswordProblem('012345678') ?? '', /at least 10 characters/);
    assert.match(newPasswordProblem('') ?? '', /at least 10 characters/);
  });

  it('counts characters, not UTF-16 code units', () => {
    assert.equal(newPasswordProblem('\u{1f511}'.repeat(10)), undefined);
    assert.match(newPasswordProblem('\u{1f511}'.repeat(9)) ?? '', /at least 10 characters/);
  });

  it('refuses more than the maximum bytes', () => {
    assert.equal(newPasswordProblem('a'.repeat(MAX_PASSWORD_BYTES)), undefined);
    assert.match(newPasswordProblem('a'.repeat(MAX_PASSWORD_BYTES + 1)) ?? '', /at most 1024 bytes/);
    assert.match(newPasswordProblem('\u20ac'.repeat(342)) ?? '', /at most 1024 bytes/);
  });
});
