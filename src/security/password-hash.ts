/**
 * Password hashing with scrypt (memory-hard, in node:crypto), stored as a self-describing string
 * `scrypt$N=32768,r=8,p=3$<salt>$<key>` (base64 without padding, as PHC strings write it). The string carries
 * its own cost, so raising the default later still verifies old hashes and tells the caller to rehash them.
 *
 * A stored value that cannot be parsed verifies as a wrong password instead of throwing: it is bad data, not a
 * caller's mistake, and throwing would turn one corrupt row into a 500 on the sign-in page that tells an
 * attacker which accounts are broken. It also costs a full derivation, like every other failed sign-in.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's parameters: N is the CPU and memory cost (a power of two), r the block size, p the parallelism. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * One of OWASP's equivalent minimums (N=2^17,r=8,p=1 or N=2^15,r=8,p=3): this one holds 32 MiB per sign-in
 * instead of 128 MiB, trading memory for CPU time (about 0.2 s), which suits a small self-hosted server.
 */
export const DEFAULT_SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ N: 32768, r: 8, p: 3 });

export const MIN_PASSWORD_CHARACTERS = 10;
/** scrypt reads the whole password, so an unbounded one is a cheap way to make the server work. */
export const MAX_PASSWORD_BYTES = 1024;

export interface PasswordVerification {
  ok: boolean;
  /** True only when the password was right and its hash uses an older cost or size: store a fresh hash. */
  needsRehash: boolean;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// A stored cost beyond this is treated as corrupt, so one bad row cannot make a sign-in allocate gigabytes.
const MAX_STORED_COST_MEMORY_BYTES = 256 * 1024 * 1024;
const ENCODED_SHAPE = /^scrypt\$N=([1-9]\d{0,9}),r=([1-9]\d?),p=([1-9]\d?)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
// Derived and thrown away when there is no real hash to compare against; random so it matches no account.
const NOTHING_SALT = randomBytes(SALT_BYTES);

/** The message to show for an unacceptable new password, or undefined when it is acceptable. */
export function newPasswordProblem(password: string): string | undefined {
  if (normalizedPassword(password) === undefined) return `A password can be at most ${MAX_PASSWORD_BYTES} bytes long.`;
  if ([...password.normalize('NFKC')].length < MIN_PASSWORD_CHARACTERS) {
    return `A password needs at least ${MIN_PASSWORD_CHARACTERS} characters.`;
  }
  return undefined;
}

/** Throws a RangeError for a password over MAX_PASSWORD_BYTES; check newPasswordProblem first. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const passwordBytes = normalizedPassword(password);
  if (passwordBytes === undefined) throw new RangeError(`A password can be at most ${MAX_PASSWORD_BYTES} bytes long.`);
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(passwordBytes, salt, KEY_BYTES, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${unpaddedBase64(salt)}$${unpaddedBase64(key)}`;
}

/** `currentCost` is what hashPassword uses today; a right password under any other cost needs a rehash. */
export async function verifyPassword(
  password: string,
  encoded: string,
  currentCost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<PasswordVerification> {
  const stored = parseEncoded(encoded);
  if (stored === undefined) return verifyAgainstNothing(password, currentCost);
  // An over-long password can match nothing we stored, and answering at once reveals only its own length.
  const passwordBytes = normalizedPassword(password);
  if (passwordBytes === undefined) return { ok: false, needsRehash: false };
  const key = await deriveKey(passwordBytes, stored.salt, stored.key.length, stored.cost);
  const ok = timingSafeEqual(key, stored.key);
  const outdated =
    stored.cost.N !== currentCost.N ||
    stored.cost.r !== currentCost.r ||
    stored.cost.p !== currentCost.p ||
    stored.salt.length !== SALT_BYTES ||
    stored.key.length !== KEY_BYTES;
  return { ok, needsRehash: ok && outdated };
}

/**
 * For a sign-in whose user does not exist: spends the same derivation a real check would and fails, so the
 * answer's timing does not reveal which user names exist.
 */
export async function verifyAgainstNothing(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<PasswordVerification> {
  const passwordBytes = normalizedPassword(password);
  if (passwordBytes !== undefined) await deriveKey(passwordBytes, NOTHING_SALT, KEY_BYTES, cost);
  return { ok: false, needsRehash: false };
}

/**
 * NFKC first (NIST SP 800-63B), so the same password typed on keyboards that compose characters differently
 * hashes the same; undefined past MAX_PASSWORD_BYTES.
 */
function normalizedPassword(password: string): Buffer | undefined {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so this refuses a huge input before normalizing it.
  if (password.length > MAX_PASSWORD_BYTES) return undefined;
  const bytes = Buffer.from(password.normalize('NFKC'), 'utf8');
  return bytes.length <= MAX_PASSWORD_BYTES ? bytes : undefined;
}

function deriveKey(password: Buffer, salt: Buffer, keyBytes: number, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // OpenSSL's own limit defaults to 32 MiB, which the default cost just exceeds; allow exactly what it needs.
    const options = { N: cost.N, r: cost.r, p: cost.p, maxmem: scryptMemoryBytes(cost) };
    scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** What OpenSSL checks maxmem against: 128·r·p bytes of blocks plus 128·r·(N + 2) of lookup table. */
function scryptMemoryBytes(cost: ScryptCost): number {
  return 128 * cost.r * (cost.N + cost.p + 2);
}

function parseEncoded(encoded: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const match = ENCODED_SHAPE.exec(encoded);
  if (!match) return undefined;
  const cost = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const isPowerOfTwo = cost.N > 1 && (cost.N & (cost.N - 1)) === 0;
  if (!isPowerOfTwo || cost.p > 16 || scryptMemoryBytes(cost) > MAX_STORED_COST_MEMORY_BYTES) return undefined;
  const salt = canonicalBase64(match[4] as string);
  const key = canonicalBase64(match[5] as string);
  if (salt === undefined || salt.length < SALT_BYTES || salt.length > 64) return undefined;
  if (key === undefined || key.length < KEY_BYTES || key.length > 64) return undefined;
  return { cost, salt, key };
}

/** Buffer.from(…, 'base64') skips what it cannot read; only a string that re-encodes to itself is accepted. */
function canonicalBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return unpaddedBase64(bytes) === text ? bytes : undefined;
}

function unpaddedBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
