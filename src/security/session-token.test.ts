import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { csrfTokenFor, generateSessionToken, sessionLookupHash, verifyCsrfToken } from './session-token.ts';

describe('generateSessionToken', () => {
  it('makes 32 random bytes as base64url and stores their SHA-256', () => {
    const { token, lookupHash } = generateSessionToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(lookupHash, createHash('sha256').update(token).digest('hex'));
    assert.equal(sessionLookupHash(token), lookupHash);
    assert.notEqual(lookupHash, token);
  });

  it('never repeats a token', () => {
    assert.equal(new Set(Array.from({ length: 1000 }, () => generateSessionToken().token)).size, 1000);
  });
});

describe('CSRF tokens', () => {
  const secretKey = randomBytes(32);
  const { token: sessionToken } = generateSessionToken();

  it('accepts the token made for the session', () => {
    const csrfToken = csrfTokenFor(sessionToken, secretKey);
    assert.match(csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(csrfTokenFor(sessionToken, secretKey), csrfToken);
    assert.equal(verifyCsrfToken(sessionToken, csrfToken, secretKey), true);
  });

  it('refuses it for another session or under another secret key', () => {
    const csrfToken = csrfTokenFor(sessionToken, secretKey);
    assert.equal(verifyCsrfToken(generateSessionToken().token, csrfToken, secretKey), false);
    assert.equal(verifyCsrfToken(sessionToken, csrfToken, randomBytes(32)), false);
  });

  it('refuses a tampered, shortened, lengthened or empty token', () => {
    const csrfToken = csrfTokenFor(sessionToken, secretKey);
    for (let position = 0; position < csrfToken.length; position++) {
      const tampered = csrfToken.slice(0, position) + (csrfToken[position] === 'A' ? 'B' : 'A') + csrfToken.slice(position + 1);
      assert.equal(verifyCsrfToken(sessionToken, tampered, secretKey), false, tampered);
    }
    for (const presented of ['', csrfToken.slice(1), `${csrfToken}A`, sessionToken, sessionLookupHash(sessionToken)]) {
      assert.equal(verifyCsrfToken(sessionToken, presented, secretKey), false, presented);
    }
  });

  it('is not the session token or its lookup hash in another form', () => {
    const csrfToken = csrfTokenFor(sessionToken, secretKey);
    assert.notEqual(csrfToken, sessionToken);
    assert.notEqual(Buffer.from(csrfToken, 'base64url').toString('hex'), sessionLookupHash(sessionToken));
  });

  it('refuses a secret key shorter than 32 bytes', () => {
    assert.throws(() => csrfTokenFor(sessionToken, randomBytes(31)), RangeError);
    assert.throws(() => verifyCsrfToken(sessionToken, 'x', Buffer.alloc(0)), RangeError);
  });
});
