/**
 * The token of an email verification link: HMAC-SHA256 of the verification's id and address under a key the
 * server keeps, so the database stores no secret and a link cannot be made for another row or address.
 * Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const CONTEXT = 'pallet email verification v1\0';

export function emailVerificationToken(key: Uint8Array, verificationId: number, email: string): string {
  return createHmac('sha256', key).update(`${CONTEXT}${verificationId}\0${email.toLowerCase()}`, 'utf8').digest('base64url');
}

export function verifyEmailVerificationToken(key: Uint8Array, verificationId: number, email: string, presented: string): boolean {
  const expected = Buffer.from(emailVerificationToken(key, verificationId, email), 'utf8');
  const given = Buffer.from(presented, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
