/**
 * Single-use recovery codes, shown once when two-factor sign-in is set up and stored only as hashes: ten
 * characters of Crockford's base32 (no i, l, o or u) as `xxxxx-xxxxx`, 50 random bits each. What a user types
 * back is normalized the way Crockford's alphabet intends (case, spaces and dashes ignored, `o` read as `0`,
 * `i` and `l` as `1`), so a code copied from paper by eye still works.
 *
 * One SHA-256, not scrypt: a code replaces only the second factor, so one cracked out of a stolen database is
 * still useless without the account's scrypt-protected password; online, 2^50 guesses are out of reach of any
 * rate-limited sign-in; and a sign-in must test the typed code against each of the account's unused codes,
 * which a salted slow hash would make ten slow derivations.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUP_LENGTH = 5;
const LOOK_ALIKES: Record<string, string> = { o: '0', i: '1', l: '1' };

export function generateRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    // 256 is a multiple of 32, so taking each byte's low 5 bits keeps every character equally likely.
    const characters = [...randomBytes(2 * GROUP_LENGTH)].map((byte) => ALPHABET[byte & 31]).join('');
    return `${characters.slice(0, GROUP_LENGTH)}-${characters.slice(GROUP_LENGTH)}`;
  });
}

/** The stored form of a code, and the value to look a typed one up by. */
export function recoveryCodeHash(code: string): string {
  const normalized = code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[oil]/g, (character) => LOOK_ALIKES[character] as string);
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}
