import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { emailVerificationToken, verifyEmailVerificationToken } from './email-verification.ts';

describe('email verification tokens', () => {
  const key = randomBytes(32);

  it('accepts the token of the row and address, whatever the address casing', () => {
    const token = emailVerificationToken(key, 7, 'Alice@Example.com');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(verifyEmailVerificationToken(key, 7, 'alice@example.com', token), true);
  });

  it('refuses it for another row, another address, another key or a cut token', () => {
    const token = emailVerificationToken(key, 7, 'alice@example.com');
    assert.equal(verifyEmailVerificationToken(key, 8, 'alice@example.com', token), false);
    assert.equal(verifyEmailVerificationToken(key, 7, 'mallory@example.com', token), false);
    assert.equal(verifyEmailVerificationToken(randomBytes(32), 7, 'alice@example.com', token), false);
    assert.equal(verifyEmailVerificationToken(key, 7, 'alice@example.com', token.slice(0, -1)), false);
  });
});
