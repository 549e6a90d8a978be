import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authenticatorIssuer, base32Decode, base32Encode, generateTotpSecret, otpauthUri, totpCode, verifyTotp } from './totp.ts';

// RFC 6238 Appendix B and RFC 4226 Appendix D share this SHA-1 secret: ASCII "12345678901234567890".
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890', 'ascii'));
const STEP_MS = 30_000;

describe('totpCode', () => {
  const rfc6238: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, code] of rfc6238) {
    it(`matches RFC 6238 at T=${seconds}: ${code}, and its last six digits by default`, () => {
      const step = Math.floor(seconds / 30);
      assert.equal(totpCode(RFC_SECRET, step, 8), code);
      assert.equal(totpCode(RFC_SECRET, step), code.slice(-6));
    });
  }

  it('matches the RFC 4226 HOTP vectors for counters 0 to 9', () => {
    const rfc4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    assert.deepEqual(rfc4226.map((_, counter) => totpCode(RFC_SECRET, counter)), rfc4226);
  });
});

describe('base32', () => {
  it('matches the RFC 4648 vectors, unpadded', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain, 'ascii')), encoded);
      assert.equal(base32Decode(encoded).toString('ascii'), plain);
    }
  });

  it('round-trips every length up to 64 bytes', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = Buffer.from(Array.from({ length }, (_, index) => (index * 151 + length * 37) & 0xff));
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
    }
    assert.deepEqual(base32Decode(base32Encode(Buffer.alloc(7, 0xff))), Buffer.alloc(7, 0xff));
  });

  it('refuses what the encoder would never write', () => {
    for (const text of ['MY======', 'my', 'M', 'MZX', 'MZXW6Y', 'MZXW6YTBO', 'MZ', 'MZXR', 'M1', 'M0', 'M8', 'MZ XQ', ' MY']) {
      assert.throws(() => base32Decode(text), RangeError, text);
    }
  });
});

describe('generateTotpSecret', () => {
  it('makes 20 random bytes as 32 base32 characters', () => {
    const secret = generateTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).length, 20);
    assert.notEqual(generateTotpSecret(), secret);
  });
});

describe('verifyTotp', () => {
  const secret = generateTotpSecret();
  const step = 56_000_000;
  const stepStartMs = step * STEP_MS;

  it('accepts the current code at both ends of its step and returns the step', () => {
    assert.equal(verifyTotp(secret, totpCode(secret, step), stepStartMs), step);
    assert.equal(verifyTotp(secret, totpCode(secret, step), stepStartMs + STEP_MS - 1), step);
    assert.equal(verifyTotp(secret, totpCode(secret, step), stepStartMs + STEP_MS), step);
    assert.equal(verifyTotp(secret, totpCode(secret, step), stepStartMs + 2 * STEP_MS), undefined);
  });

  it('accepts one step either side by default, and no further', () => {
    assert.equal(verifyTotp(secret, totpCode(secret, step - 1), stepStartMs), step - 1);
    assert.equal(verifyTotp(secret, totpCode(secret, step + 1), stepStartMs), step + 1);
    assert.equal(verifyTotp(secret, totpCode(secret, step - 2), stepStartMs), undefined);
    assert.equal(verifyTotp(secret, totpCode(secret, step + 2), stepStartMs), undefined);
  });

  it('takes the window it is given', () => {
    assert.equal(verifyTotp(secret, totpCode(secret, step - 1), stepStartMs, { window: 0 }), undefined);
    assert.equal(verifyTotp(secret, totpCode(secret, step), stepStartMs, { window: 0 }), step);
    assert.equal(verifyTotp(secret, totpCode(secret, step - 2), stepStartMs, { window: 2 }), step - 2);
    assert.equal(verifyTotp(secret, totpCode(secret, step + 2), stepStartMs, { window: 2 }), step + 2);
  });

  it('refuses a replayed code and any code for an earlier step', () => {
    const code = totpCode(secret, step);
    const usedStep = verifyTotp(secret, code, stepStartMs);
    assert.equal(usedStep, step);
    assert.equal(verifyTotp(secret, code, stepStartMs + 1000, { lastUsedStep: usedStep }), undefined);
    assert.equal(verifyTotp(secret, totpCode(secret, step - 1), stepStartMs, { lastUsedStep: usedStep }), undefined);
    assert.equal(verifyTotp(secret, totpCode(secret, step + 1), stepStartMs, { lastUsedStep: usedStep }), step + 1);
    assert.equal(verifyTotp(secret, code, stepStartMs, { lastUsedStep: step - 1 }), step);
  });

  it('refuses a wrong or malformed code and ignores spaces', () => {
    const code = totpCode(secret, step);
    const inWindow = [step - 1, step, step + 1].map((other) => totpCode(secret, other));
    let wrong = code;
    while (inWindow.includes(wrong)) wrong = String((Number(wrong) + 1) % 1_000_000).padStart(6, '0');
    assert.equal(verifyTotp(secret, wrong, stepStartMs), undefined);
    assert.equal(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, stepStartMs), step);
    for (const malformed of ['', code.slice(1), `${code}0`, `${code.slice(0, 5)}x`, `-${code.slice(1)}`, code.replace(/\d/, (digit) => String.fromCharCode(0xff10 + Number(digit)))]) {
      assert.equal(verifyTotp(secret, malformed, stepStartMs), undefined, JSON.stringify(malformed));
    }
  });

  it('does not look before the epoch', () => {
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, 0), 0), 0);
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, 1), 0), 1);
  });
});

describe('otpauthUri', () => {
  it('writes the key URI format, percent-encoded with %20 for spaces', () => {
    const uri = otpauthUri({ issuer: 'Pallet (ACME)', accountName: 'alice smith@example.com', secretBase32: RFC_SECRET });
    assert.equal(
      uri,
      `otpauth://totp/Pallet%20(ACME):alice%20smith%40example.com?secret=${RFC_SECRET}&issuer=Pallet%20(ACME)&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('keeps reserved characters from breaking the URI apart', () => {
    const uri = new URL(otpauthUri({ issuer: 'A&B/C?#', accountName: 'bob+ü', secretBase32: RFC_SECRET }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/A&B/C?#:bob+ü');
    assert.equal(uri.hash, '');
    assert.equal(uri.searchParams.get('issuer'), 'A&B/C?#');
    assert.equal(uri.searchParams.get('secret'), RFC_SECRET);
    assert.deepEqual([...uri.searchParams.keys()], ['secret', 'issuer', 'algorithm', 'digits', 'period']);
  });

  it('refuses a colon, an empty part or a malformed secret', () => {
    for (const input of [
      { issuer: 'A:B', accountName: 'bob', secretBase32: RFC_SECRET },
      { issuer: 'Pallet', accountName: 'bob:admin', secretBase32: RFC_SECRET },
      { issuer: '', accountName: 'bob', secretBase32: RFC_SECRET },
      { issuer: 'Pallet', accountName: '', secretBase32: RFC_SECRET },
      { issuer: 'Pallet', accountName: 'bob', secretBase32: RFC_SECRET.toLowerCase() },
    ]) {
      assert.throws(() => otpauthUri(input), RangeError);
    }
  });
});

describe('authenticatorIssuer', () => {
  it('names the host without its port, which the otpauth label cannot hold', () => {
    assert.equal(authenticatorIssuer(undefined), 'Pallet');
    assert.equal(authenticatorIssuer('https://nuget.example.com/feed'), 'Pallet (nuget.example.com)');
    const issuer = authenticatorIssuer('http://127.0.0.1:5000');
    assert.equal(issuer, 'Pallet (127.0.0.1)');
    assert.match(otpauthUri({ issuer, accountName: 'alice', secretBase32: 'JBSWY3DPEHPK3PXP' }), /^otpauth:\/\/totp\/Pallet%20\(127\.0\.0\.1\):alice\?/);
  });
});
