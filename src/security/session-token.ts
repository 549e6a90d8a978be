/**
 * Opaque session tokens and the CSRF tokens bound to them. The browser holds 32 random bytes (base64url); the
 * database holds only their SHA-256, so a leaked database or backup yields no live session. One fast hash is
 * enough because the token is 256 random bits: nothing can search that space, however fast the hash.
 *
 * The CSRF token is a synchronizer token derived rather than stored: HMAC-SHA256 of the session token under
 * a server secret. A page can carry it while the session cookie stays HttpOnly, it reveals nothing about the
 * session token, and it cannot be made without the secret, so a cross-site form cannot supply one.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
// Below 256 bits an HMAC key is weaker than the session token it protects.
const MIN_SECRET_KEY_BYTES = 32;
// Separates this use of the server secret from any other HMAC the server may compute with it.
const CSRF_CONTEXT = 'pallet csrf v1\0';

export function generateSessionToken(): { token: string; lookupHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, lookupHash: sessionLookupHash(token) };
}

/** The value the database stores and looks a session up by. */
export function sessionLookupHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Throws a RangeError for a secret key shorter than 32 bytes. */
export function csrfTokenFor(sessionToken: string, secretKey: Uint8Array): string {
  if (secretKey.length < MIN_SECRET_KEY_BYTES) throw new RangeError(`A CSRF secret key needs at least ${MIN_SECRET_KEY_BYTES} bytes.`);
  return createHmac('sha256', secretKey).update(CSRF_CONTEXT + sessionToken, 'utf8').digest('base64url');
}

/** Compared in constant time, so timing does not show how much of a forged token was right. */
export function verifyCsrfToken(sessionToken: string, presentedCsrfToken: string, secretKey: Uint8Array): boolean {
  const expected = Buffer.from(csrfTokenFor(sessionToken, secretKey), 'utf8');
  const presented = Buffer.from(presentedCsrfToken, 'utf8');
  // Every real token has the same length, so refusing a different one early reveals nothing.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
