/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) with the parameters every authenticator app
 * expects and many apps silently assume: HMAC-SHA-1, 6 digits, 30-second steps. Secrets travel as unpadded
 * RFC 4648 base32, the form the Google Authenticator key URI carries.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
// 160 bits: the HMAC-SHA-1 output size, RFC 4226's recommended secret length.
const SECRET_BYTES = 20;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// Unpadded base32 ends on a whole byte only after 0, 2, 4, 5 or 7 characters of the last group of 8.
const BASE32_SHAPE = /^(?:[A-Z2-7]{8})*(?:[A-Z2-7]{2}|[A-Z2-7]{4,5}|[A-Z2-7]{7})?$/;

export function generateTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** RFC 4648 base32, upper case, without `=` padding. */
export function base32Encode(bytes: Uint8Array): string {
  let text = '';
  let bits = 0;
  let bitCount = 0;
  for (const byte of bytes) {
    bits = (bits << 8) | byte;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      text += BASE32_ALPHABET[(bits >>> bitCount) & 31];
    }
    bits &= (1 << bitCount) - 1;
  }
  return bitCount > 0 ? text + BASE32_ALPHABET[(bits << (5 - bitCount)) & 31] : text;
}

/**
 * The inverse of base32Encode, strict: a RangeError for anything base32Encode would not have written (lower
 * case, padding, a length no byte count gives, or stray bits set in the last character), since a secret that
 * decodes loosely could silently differ from the one the user's app holds.
 */
export function base32Decode(text: string): Buffer {
  if (!BASE32_SHAPE.test(text)) throw new RangeError('Not unpadded upper-case base32.');
  const bytes: number[] = [];
  let bits = 0;
  let bitCount = 0;
  for (const character of text) {
    bits = (bits << 5) | BASE32_ALPHABET.indexOf(character);
    bitCount += 5;
    if (bitCount >= 8) {
      bitCount -= 8;
      bytes.push((bits >>> bitCount) & 0xff);
      bits &= (1 << bitCount) - 1;
    }
  }
  if (bits !== 0) throw new RangeError('Base32 with bits set past its last byte.');
  return Buffer.from(bytes);
}

/** The code for one 30-second time step (seconds since the epoch / 30, rounded down). */
export function totpCode(secretBase32: string, timeStep: number, digits: number = DIGITS): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(timeStep));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 31 bits out of the MAC.
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const truncated = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(truncated).padStart(digits, '0');
}

export interface TotpVerifyOptions {
  /** Steps accepted either side of now, for clock drift and typing time; 1 is RFC 6238's recommendation. */
  window?: number;
  /** The step of the last code this account accepted; that code and every earlier one are refused. */
  lastUsedStep?: number;
}

/**
 * The time step the code matched, which the caller stores as the next lastUsedStep so an observed code can
 * never be replayed, or undefined. Spaces are ignored, as apps show codes as `123 456`. Every step in the
 * window is compared in constant time, so timing reveals neither how much of the code matched nor where.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  nowMs: number,
  { window = 1, lastUsedStep }: TotpVerifyOptions = {},
): number | undefined {
  const presented = code.replace(/\s+/g, '');
  if (!/^\d+$/.test(presented) || presented.length !== DIGITS) return undefined;
  const presentedBytes = Buffer.from(presented, 'ascii');
  const currentStep = Math.floor(nowMs / 1000 / PERIOD_SECONDS);
  let matchedStep: number | undefined;
  for (let step = Math.max(0, currentStep - window); step <= currentStep + window; step++) {
    if (lastUsedStep !== undefined && step <= lastUsedStep) continue;
    const matches = timingSafeEqual(Buffer.from(totpCode(secretBase32, step), 'ascii'), presentedBytes);
    if (matches && matchedStep === undefined) matchedStep = step;
  }
  return matchedStep;
}

/**
 * The `otpauth://` URI an authenticator app reads from a QR code (Google Authenticator's key URI format):
 * label `issuer:account` and the issuer again as a parameter, which newer apps prefer, each part
 * percent-encoded with `%20` for spaces as the format asks (not form encoding's `+`). Neither part may hold
 * a colon, since the label could no longer be split.
 */
export function otpauthUri({ issuer, accountName, secretBase32 }: { issuer: string; accountName: string; secretBase32: string }): string {
  if (issuer === '' || accountName === '' || issuer.includes(':') || accountName.includes(':')) {
    throw new RangeError('An otpauth issuer and account name must be non-empty and hold no colon.');
  }
  // A malformed secret fails here, not later as codes the user's app can never match.
  base32Decode(secretBase32);
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const parameters = [
    `secret=${secretBase32}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${DIGITS}`,
    `period=${PERIOD_SECONDS}`,
  ];
  return `otpauth://totp/${label}?${parameters.join('&')}`;
}

/**
 * The issuer authenticator apps show next to the account: `Pallet (nuget.example.com)`. The host name
 * only, never the port: a colon would break the `issuer:account` label.
 */
export function authenticatorIssuer(publicUrl: string | undefined): string {
  return publicUrl === undefined ? 'Pallet' : `Pallet (${new URL(publicUrl).hostname})`;
}
