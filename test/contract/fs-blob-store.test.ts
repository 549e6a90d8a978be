import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../src/stores/blob/fs-blob-store.ts';
import { blobKeyOf, blobStoreContract } from './blob-store.contract.ts';

async function fsSubject() {
  const folder = await mkdtemp(path.join(tmpdir(), 'pallet-blob-contract-'));
  const root = path.join(folder, 'blobs');
  const temp = path.join(folder, 'tmp');
  await mkdir(temp);
  let count = 0;
  return {
    folder,
    root,
    store: new FsBlobStore(root),
    makeTempFile: async (bytes: Uint8Array) => {
      count += 1;
      const file = path.join(temp, `upload-${count}.tmp`);
      await writeFile(file, bytes);
      return file;
    },
    close: () => rm(folder, { recursive: true, force: true }),
  };
}

blobStoreContract('FsBlobStore on a temp folder', fsSubject);

describe('FsBlobStore specifics', () => {
  it('shards blobs as ab/cd/<key> under its root', async () => {
    const subject = await fsSubject();
    try {
      const key = blobKeyOf('sharded');
      await subject.store.putBytes(key, Buffer.from('sharded'));
      const info = await stat(path.join(subject.root, key.slice(0, 2), key.slice(2, 4), key));
      assert.equal(info.size, 7);
    } finally {
      await subject.close();
    }
  });

  it('a repeated put refreshes the modified time of an old blob', async () => {
    const subject = await fsSubject();
    try {
      const key = blobKeyOf('old');
      await subject.store.putBytes(key, Buffer.from('old'));
      const file = path.join(subject.root, key.slice(0, 2), key.slice(2, 4), key);
      const longAgo = new Date('2000-01-01T00:00:00Z');
      await utimes(file, longAgo, longAgo);
      assert.equal((await subject.store.stat(key))?.modifiedAt.getTime(), longAgo.getTime());
      await subject.store.putBytes(key, Buffer.from('old'));
      assert.ok(((await subject.store.stat(key))?.modifiedAt.getTime() ?? 0) > Date.now() - 60_000);
      await utimes(file, longAgo, longAgo);
      await subject.store.putFile(key, await subject.makeTempFile(Buffer.from('old')));
      assert.ok(((await subject.store.stat(key))?.modifiedAt.getTime() ?? 0) > Date.now() - 60_000);
    } finally {
      await subject.close();
    }
  });

  it('putBytes leaves no temp files behind', async () => {
    const subject = await fsSubject();
    try {
      const key = blobKeyOf('tidy');
      await subject.store.putBytes(key, Buffer.from('tidy'));
      assert.deepEqual(await readdir(path.join(subject.root, key.slice(0, 2), key.slice(2, 4))), [key]);
    } finally {
      await subject.close();
    }
  });

  it('list skips stray files that are not blobs', async () => {
    const subject = await fsSubject();
    try {
      const key = blobKeyOf('real');
      await subject.store.putBytes(key, Buffer.from('real'));
      const shard = path.join(subject.root, key.slice(0, 2), key.slice(2, 4));
      await writeFile(path.join(shard, `${key}.0000.tmp`), 'half written');
      await writeFile(path.join(subject.root, 'README'), 'not a shard');
      const listed: string[] = [];
      for await (const listedKey of subject.store.list()) listed.push(listedKey);
      assert.deepEqual(listed, [key]);
    } finally {
      await subject.close();
    }
  });

  it('list works before anything was stored (no root folder yet)', async () => {
    const subject = await fsSubject();
    try {
      const listed: string[] = [];
      for await (const key of subject.store.list()) listed.push(key);
      assert.deepEqual(listed, []);
    } finally {
      await subject.close();
    }
  });
});
