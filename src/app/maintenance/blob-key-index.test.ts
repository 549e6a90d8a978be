import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BlobKeyIndex } from './blob-key-index.ts';

const keyOf = (text: string) => createHash('sha512').update(text).digest('hex');

async function* yielded(keys: readonly string[]): AsyncIterable<readonly string[]> {
  for (let start = 0; start < keys.length; start += 1000) yield keys.slice(start, start + 1000);
}

test('holds every key it was given, repeated or not, and no other', async () => {
  const given = Array.from({ length: 5000 }, (_, index) => keyOf(`given ${index}`));
  const index = await BlobKeyIndex.of(yielded([...given, ...given.slice(0, 100)]));
  for (const key of given) assert.ok(index.has(key), key);
  for (let other = 0; other < 5000; other += 1) assert.equal(index.has(keyOf(`other ${other}`)), false);
});

test('an empty index holds nothing', async () => {
  const index = await BlobKeyIndex.of(yielded([]));
  assert.equal(index.has(keyOf('anything')), false);
});

test('keys are told apart by their first 52 bits, the short keys the store allows included', async () => {
  const index = await BlobKeyIndex.of(yielded(['0000000000000000', 'fffffffffffff000']));
  assert.ok(index.has('0000000000000000'));
  assert.ok(index.has('fffffffffffff000'));
  assert.equal(index.has('0000000000001000'), false);
  assert.equal(index.has('ffffffffffffe000'), false);
  // The same first 13 digits: the one case where it says yes for a key it was not given.
  assert.ok(index.has('0000000000000fff'));
});
