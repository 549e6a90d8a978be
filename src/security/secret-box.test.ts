import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  it('opens what it sealed, with a fresh nonce each time', () => {
    const box = new SecretBox('a configured secret');
    const first = box.seal('oy2-upstream-key');
    const second = box.seal('oy2-upstream-key');
    assert.notEqual(first, second);
    assert.ok(!first.includes('oy2-upstream-key'));
    assert.equal(box.open(first), 'oy2-upstream-key');
  });

  it('refuses a value sealed under another key, or changed', () => {
    const sealed = new SecretBox('one secret').seal('value');
    assert.throws(() => new SecretBox('another secret').open(sealed));
    const parts = sealed.split('.');
    assert.throws(() => new SecretBox('one secret').open([parts[0], parts[1], parts[2], `A${parts[3]?.slice(1)}`].join('.')));
    assert.throws(() => new SecretBox('one secret').open('garbage'));
  });
});
