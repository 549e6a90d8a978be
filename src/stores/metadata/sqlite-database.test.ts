import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { StatementCache } from './sqlite-database.ts';

describe('StatementCache', () => {
  it('prepares a text once and drops the least recently used past its size', () => {
    const database = new DatabaseSync(':memory:');
    const cache = new StatementCache(database, 2);
    const one = cache.prepare('SELECT 1 AS value');
    assert.equal(cache.prepare('SELECT 1 AS value'), one);
    const two = cache.prepare('SELECT 2 AS value');
    assert.equal(cache.prepare('SELECT 1 AS value'), one, 'used again, so 2 is now the least recent');
    cache.prepare('SELECT 3 AS value');
    assert.equal(cache.prepare('SELECT 1 AS value'), one);
    assert.notEqual(cache.prepare('SELECT 2 AS value'), two, 'evicted, so prepared anew');
    assert.deepEqual({ ...one.get() }, { value: 1 });
    database.close();
  });
});
