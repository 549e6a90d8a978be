import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { API_KEY_PREFIX, apiKeyLookupHash, crc32, generateApiKey, looksLikeApiKey } from './api-key-format.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generateApiKey', () => {
  it('makes prefixed 56-character base62 keys that pass their own check', () => {
    for (let round = 0; round < 200; round++) {
      const { secret } = generateApiKey();
      assert.match(secret, /^pallet_[0-9A-Za-z]{49}$/);
      assert.ok(looksLikeApiKey(secret), secret);
    }
  });

  it('stores the SHA-256 of the whole key, the same hash a lookup computes', () => {
    const { secret, lookupHash } = generateApiKey();
    assert.equal(lookupHash, createHash('sha256').update(secret).digest('hex'));
    assert.equal(apiKeyLookupHash(secret), lookupHash);
  });

  it('never repeats a key', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateApiKey().secret));
    assert.equal(secrets.size, 1000);
  });
});

describe('looksLikeApiKey', () => {
  const { secret } = generateApiKey();

  it('detects any one-character change, in the body or in the checksum', () => {
    for (let position = API_KEY_PREFIX.length; position < secret.length; position++) {
      for (const replacement of ['0', 'Z', 'z', 'a']) {
        if (secret[position] === replacement) continue;
        const changed = secret.slice(0, position) + replacement + secret.slice(position + 1);
        assert.equal(looksLikeApiKey(changed), false, `position ${position} → ${replacement}`);
        assert.equal(apiKeyLookupHash(changed), undefined);
      }
    }
  });

  it('detects two swapped neighbouring characters in the body', () => {
    const bodyEnd = API_KEY_PREFIX.length + 43;
    for (let position = API_KEY_PREFIX.length; position < bodyEnd - 1; position++) {
      if (secret[position] === secret[position + 1]) continue;
      const swapped = secret.slice(0, position) + secret[position + 1] + secret[position] + secret.slice(position + 2);
      assert.equal(looksLikeApiKey(swapped), false, `swap at ${position}`);
    }
  });

  it('refuses the wrong prefix, length or alphabet', () => {
    const body = secret.slice(API_KEY_PREFIX.length);
    for (const text of [
      '',
      API_KEY_PREFIX,
      `Pallet_${body}`,
      `pallet-${body}`,
      `ghp_${body}`,
      body,
      secret.slice(0, -1),
      `${secret}0`,
      ` ${secret}`,
      `${secret}\n`,
      `${API_KEY_PREFIX}${'-'.repeat(49)}`,
      `${API_KEY_PREFIX}${body.slice(0, 20)}_${body.slice(21)}`,
    ]) {
      assert.equal(looksLikeApiKey(text), false, JSON.stringify(text));
      assert.equal(apiKeyLookupHash(text), undefined);
    }
  });

  it('accepts a key built by hand from the documented format', () => {
    const body = '0'.repeat(42) + '1';
    let checksum = '';
    for (let rest = crc32(body); rest > 0; rest = Math.floor(rest / 62)) checksum = BASE62[rest % 62] + checksum;
    assert.ok(looksLikeApiKey(`${API_KEY_PREFIX}${body}${checksum.padStart(6, '0')}`));
  });
});

describe('crc32', () => {
  it('matches the CRC-32 check value and zlib', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
    assert.equal(crc32(''), 0);
    const body = generateApiKey().secret.slice(API_KEY_PREFIX.length, -6);
    assert.equal(crc32(body), zlibCrc32(body));
  });
});
