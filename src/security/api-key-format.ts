/**
 * The format of the API keys users create (nuget.org-style scoped keys): `pallet_`, 43 base62 characters
 * holding 32 random bytes, then 6 base62 characters of CRC-32 over those 43 (the scheme GitHub's tokens use).
 * The prefix lets secret scanners find a leaked key; the checksum lets them, and us, tell a real key from a
 * look-alike offline, so a mistyped or made-up key never reaches the database.
 *
 * Base62 rather than base64url: with no `-` or `_` past the prefix, the whole key is one word to a double-click
 * and to a scanner's word boundaries, however the random part falls.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'pallet_';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32;
// 62^43 ≥ 2^256 > 62^42: the shortest fixed width that holds any 32 bytes.
const BODY_LENGTH = 43;
// 62^6 ≥ 2^32: any CRC-32.
const CHECKSUM_LENGTH = 6;
const API_KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

export function generateApiKey(): { secret: string; lookupHash: string } {
  const body = base62(BigInt(`0x${randomBytes(RANDOM_BYTES).toString('hex')}`), BODY_LENGTH);
  const secret = `${API_KEY_PREFIX}${body}${base62(BigInt(crc32(body)), CHECKSUM_LENGTH)}`;
  return { secret, lookupHash: sha256Hex(secret) };
}

/**
 * The value the database stores and looks a key up by, or undefined for anything that is not a well-formed
 * key, so a checksum-invalid string is refused before any query. A single SHA-256, not scrypt: a key carries
 * 256 random bits, so no offline search can reach it however fast the hash, and every push must find its key
 * by this hash in one indexed lookup, which a salted slow hash would make impossible.
 */
export function apiKeyLookupHash(secret: string): string | undefined {
  return looksLikeApiKey(secret) ? sha256Hex(secret) : undefined;
}

/** Prefix, length, alphabet and checksum: what a secret scanner checks, with no database. */
export function looksLikeApiKey(text: string): boolean {
  if (!API_KEY_SHAPE.test(text)) return false;
  const body = text.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + BODY_LENGTH);
  return text.slice(API_KEY_PREFIX.length + BODY_LENGTH) === base62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

/** Big-endian base62, left-padded with `0` to a fixed width so every key has the same shape. */
function base62(value: bigint, width: number): string {
  let digits = '';
  for (let rest = value; rest > 0n; rest /= 62n) digits = BASE62_ALPHABET[Number(rest % 62n)] + digits;
  return digits.padStart(width, '0');
}

// CRC-32 (IEEE 802.3, the zlib and GitHub-token variant), table-driven.
const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, index) => {
  let entry = index;
  for (let bit = 0; bit < 8; bit++) entry = entry & 1 ? 0xedb88320 ^ (entry >>> 1) : entry >>> 1;
  return entry;
});

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
