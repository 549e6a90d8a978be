import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLru } from './byte-lru.ts';

describe('ByteLru', () => {
  it('evicts the least recently used entries past its byte bound', () => {
    const cache = new ByteLru<string>(10);
    cache.set('a', 'A', 4);
    cache.set('b', 'B', 4);
    assert.equal(cache.get('a'), 'A'); // a is now the most recent
    cache.set('c', 'C', 4); // 12 bytes: b, the least recent, goes
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 'A');
    assert.equal(cache.get('c'), 'C');
  });

  it('counts a replaced entry once, and drops an entry larger than the bound', () => {
    const cache = new ByteLru<string>(10);
    cache.set('a', 'A', 6);
    cache.set('a', 'A2', 8);
    assert.equal(cache.get('a'), 'A2');
    cache.set('b', 'B', 2);
    assert.equal(cache.get('a'), 'A2');
    cache.set('huge', 'H', 11);
    assert.equal(cache.get('huge'), undefined);
    assert.equal(cache.get('a'), undefined); // evicted before the huge one was
  });
});
