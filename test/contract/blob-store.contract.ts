/**
 * The contract every BlobStore must keep (src/app/ports.ts). A driver's test calls `blobStoreContract`
 * with a factory that makes a fresh, empty store for each test.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobKey, BlobStore } from '../../src/app/ports.ts';

export interface BlobStoreSubject {
  readonly store: BlobStore;
  /** Writes a finished temp file where this store's `putFile` can take it from, and returns its path. */
  makeTempFile(bytes: Uint8Array): Promise<string>;
  /** Releases the store; called after each test. */
  close(): Promise<void> | void;
}

export type BlobStoreFactory = () => Promise<BlobStoreSubject> | BlobStoreSubject;

/** The content address of these bytes, as push computes it. */
export function blobKeyOf(bytes: Uint8Array | string): BlobKey {
  return createHash('sha512').update(bytes).digest('hex');
}

export const INVALID_BLOB_KEYS: readonly string[] = ['../x', 'ABC', '', '../../../../etc/passwd', 'A'.repeat(128), `${'a'.repeat(126)}/x`, 'zz'.repeat(40)];

export function blobStoreContract(name: string, factory: BlobStoreFactory): void {
  describe(`BlobStore contract: ${name}`, () => {
    let subject: BlobStoreSubject;
    let store: BlobStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.close();
    });

    async function read(key: BlobKey): Promise<Buffer | undefined> {
      const stream = await store.open(key);
      return stream === undefined ? undefined : buffer(stream);
    }

    async function keys(): Promise<string[]> {
      const all: string[] = [];
      for await (const key of store.list()) all.push(key);
      return all.sort();
    }

    it('putFile moves the file in under its key', async () => {
      const bytes = Buffer.from('package bytes');
      const key = blobKeyOf(bytes);
      const source = await subject.makeTempFile(bytes);
      await store.putFile(key, source);
      assert.equal(existsSync(source), false, 'the temp file is gone');
      assert.deepEqual(await read(key), bytes);
    });

    it('putFile with a key already stored keeps the blob and removes the temp file', async () => {
      const bytes = Buffer.from('first');
      const key = blobKeyOf(bytes);
      await store.putFile(key, await subject.makeTempFile(bytes));
      const before = await store.stat(key);
      await sleep(20);
      // Different bytes under the same key prove the existing blob is kept, not overwritten.
      const second = await subject.makeTempFile(Buffer.from('second'));
      await store.putFile(key, second);
      assert.equal(existsSync(second), false, 'the second temp file is removed');
      assert.deepEqual(await read(key), bytes);
      const after = await store.stat(key);
      assert.ok(before && after);
      assert.ok(after.modifiedAt.getTime() >= before.modifiedAt.getTime(), 'a repeated put never makes a blob look older');
      assert.deepEqual(await keys(), [key]);
    });

    it('putBytes stores bytes, and the same key twice keeps the first', async () => {
      const bytes = Buffer.from('<nuspec/>');
      const key = blobKeyOf(bytes);
      await store.putBytes(key, bytes);
      await store.putBytes(key, Buffer.from('other'));
      assert.deepEqual(await read(key), bytes);
      assert.deepEqual(await keys(), [key]);
    });

    it('putBytes accepts a Uint8Array and empty content', async () => {
      const bytes = new Uint8Array([1, 2, 3, 255]);
      await store.putBytes(blobKeyOf(bytes), bytes);
      assert.deepEqual(await read(blobKeyOf(bytes)), Buffer.from(bytes));
      const empty = new Uint8Array(0);
      await store.putBytes(blobKeyOf(empty), empty);
      assert.deepEqual(await read(blobKeyOf(empty)), Buffer.alloc(0));
      assert.equal((await store.stat(blobKeyOf(empty)))?.size, 0);
    });

    it('stores larger blobs intact', async () => {
      const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
      const key = blobKeyOf(bytes);
      await store.putFile(key, await subject.makeTempFile(bytes));
      assert.ok((await read(key))?.equals(bytes));
    });

    it('open is undefined for a missing blob, and never throws for it', async () => {
      assert.equal(await store.open(blobKeyOf('missing')), undefined);
    });

    it('readBytes gives the whole blob, or undefined when missing', async () => {
      const bytes = Buffer.from('read me whole');
      const key = blobKeyOf(bytes);
      await store.putBytes(key, bytes);
      assert.deepEqual(await store.readBytes(key), bytes);
      assert.equal(await store.readBytes(blobKeyOf('missing')), undefined);
    });

    it('stat gives the size and a modified time, or undefined when missing', async () => {
      const bytes = Buffer.from('twelve bytes');
      const key = blobKeyOf(bytes);
      const started = Date.now();
      await store.putBytes(key, bytes);
      const info = await store.stat(key);
      assert.equal(info?.size, 12);
      assert.ok(info?.modifiedAt instanceof Date);
      assert.ok(Math.abs(info.modifiedAt.getTime() - started) < 60_000);
      assert.equal(await store.stat(blobKeyOf('missing')), undefined);
    });

    it('delete removes the blob; deleting a missing blob is fine', async () => {
      const bytes = Buffer.from('to delete');
      const key = blobKeyOf(bytes);
      await store.putBytes(key, bytes);
      await store.delete(key);
      assert.equal(await store.open(key), undefined);
      assert.equal(await store.stat(key), undefined);
      await store.delete(key);
      await store.delete(blobKeyOf('never stored'));
      assert.deepEqual(await keys(), []);
    });

    it('a deleted key can be stored again', async () => {
      const bytes = Buffer.from('again');
      const key = blobKeyOf(bytes);
      await store.putBytes(key, bytes);
      await store.delete(key);
      await store.putBytes(key, bytes);
      assert.deepEqual(await read(key), bytes);
    });

    it('list yields nothing for an empty store and every key otherwise', async () => {
      assert.deepEqual(await keys(), []);
      const stored: string[] = [];
      for (let i = 0; i < 20; i++) {
        const bytes = Buffer.from(`blob ${i}`);
        stored.push(blobKeyOf(bytes));
        if (i % 2 === 0) await store.putBytes(blobKeyOf(bytes), bytes);
        else await store.putFile(blobKeyOf(bytes), await subject.makeTempFile(bytes));
      }
      assert.deepEqual(await keys(), stored.sort());
    });

    it('keeps working under concurrent puts of the same key', async () => {
      const bytes = Buffer.from('raced');
      const key = blobKeyOf(bytes);
      const sources = await Promise.all(Array.from({ length: 4 }, () => subject.makeTempFile(bytes)));
      await Promise.all([...sources.map((source) => store.putFile(key, source)), store.putBytes(key, bytes), store.putBytes(key, bytes)]);
      assert.deepEqual(await read(key), bytes);
      assert.deepEqual(await keys(), [key]);
    });

    for (const key of INVALID_BLOB_KEYS) {
      it(`refuses the key ${JSON.stringify(key.length > 20 ? `${key.slice(0, 12)}…` : key)} in every method`, async () => {
        const source = await subject.makeTempFile(Buffer.from('x'));
        await assert.rejects(store.putFile(key, source));
        await assert.rejects(store.putBytes(key, Buffer.from('x')));
        await assert.rejects(store.open(key));
        await assert.rejects(store.readBytes(key));
        await assert.rejects(store.stat(key));
        await assert.rejects(store.delete(key));
        assert.deepEqual(await keys(), []);
      });
    }
  });
}
