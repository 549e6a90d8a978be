import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';
import { writeZip } from './zip-writer.ts';

interface ReadEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  data?: Buffer;
}

/** Reads every entry with yauzl; names are taken raw so hostile names survive. */
async function readZip(zip: Buffer, options: { readData?: boolean; validateEntrySizes?: boolean } = {}): Promise<ReadEntry[]> {
  const zipfile = await yauzl.fromBufferPromise(zip, {
    lazyEntries: true,
    decodeStrings: false,
    validateEntrySizes: options.validateEntrySizes ?? true,
  });
  const entries: ReadEntry[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) {
      const item: ReadEntry = {
        name: (entry.fileName as unknown as Buffer).toString('utf8'),
        method: entry.compressionMethod,
        crc32: entry.crc32,
        compressedSize: entry.compressedSize,
        uncompressedSize: entry.uncompressedSize,
      };
      if (options.readData ?? true) item.data = await buffer(await zipfile.openReadStreamPromise(entry));
      entries.push(item);
    }
  } finally {
    zipfile.close();
  }
  return entries;
}

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('writeZip', () => {
  it('round-trips deflated and stored entries through yauzl', async () => {
    const big = Buffer.from('hello world '.repeat(1000));
    const zip = writeZip([
      { name: 'a.txt', data: 'hello' },
      { name: 'dir/big.bin', data: big, method: 'deflate' },
      { name: 'stored.txt', data: 'stored text', method: 'store' },
      { name: 'ünïcode/ファイル.txt', data: 'utf8 name' },
      { name: 'empty', data: '' },
    ]);
    const entries = await readZip(zip);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['a.txt', 'dir/big.bin', 'stored.txt', 'ünïcode/ファイル.txt', 'empty'],
    );
    assert.equal(entries[0]?.data?.toString(), 'hello');
    assert.deepEqual(entries[1]?.data, big);
    assert.equal(entries[1]?.method, 8);
    assert.ok((entries[1]?.compressedSize ?? 0) < big.length);
    assert.equal(entries[2]?.method, 0);
    assert.equal(entries[2]?.data?.toString(), 'stored text');
    assert.equal(entries[3]?.data?.toString(), 'utf8 name');
    assert.equal(entries[4]?.data?.length, 0);
    assert.equal(entries[0]?.crc32, crc32(Buffer.from('hello')));
  });

  it('writes hostile names verbatim, including duplicates', async () => {
    const names = ['../evil.txt', '/abs', 'a\\b', 'dup.txt', 'dup.txt', 'C:/win.txt'];
    const zip = writeZip(names.map((name, i) => ({ name, data: `entry ${i}` })));
    const entries = await readZip(zip);
    assert.deepEqual(
      entries.map((e) => e.name),
      names,
    );
    assert.equal(entries[3]?.data?.toString(), 'entry 3');
    assert.equal(entries[4]?.data?.toString(), 'entry 4');
  });

  it('yauzl with default options rejects the traversal name', async () => {
    const zip = writeZip([{ name: '../evil.txt', data: 'x' }]);
    await assert.rejects(async () => {
      const zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
      try {
        for await (const _ of zipfile.eachEntry()) {
          // consume
        }
      } finally {
        zipfile.close();
      }
    }, /invalid relative path/);
  });

  it('can lie about the uncompressed size', async () => {
    const data = Buffer.alloc(5000, 0x61);
    const zip = writeZip([{ name: 'bomb.txt', data, declaredUncompressedSize: 10 }]);
    const [entry] = await readZip(zip, { readData: false });
    assert.equal(entry?.uncompressedSize, 10);
    await assert.rejects(() => readZip(zip), /too many bytes|size/i);
    const [unvalidated] = await readZip(zip, { validateEntrySizes: false });
    assert.equal(unvalidated?.data?.length, 5000);
  });

  it('can write a wrong CRC', async () => {
    const zip = writeZip([{ name: 'x.txt', data: 'payload', crc32: 0xdeadbeef, method: 'store' }]);
    const [entry] = await readZip(zip, { readData: false });
    assert.equal(entry?.crc32, 0xdeadbeef);
  });

  it('writes the archive comment and an empty archive', async () => {
    const empty = writeZip([]);
    assert.equal(empty.length, 22);
    assert.equal(empty.readUInt32LE(0), 0x06054b50);
    const zipfile = await yauzl.fromBufferPromise(writeZip([{ name: 'a', data: 'b' }], { comment: 'hi' }), {
      lazyEntries: true,
    });
    assert.equal(zipfile.comment, 'hi');
    assert.equal(zipfile.entryCount, 1);
    zipfile.close();
  });

  it('is accepted by unzip -l and unzip -t', { skip: !hasUnzip() && 'unzip not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pallet-zip-'));
    try {
      const file = join(dir, 'test.zip');
      writeFileSync(
        file,
        writeZip([
          { name: 'a.txt', data: 'hello' },
          { name: 'lib/net10.0/x.dll', data: Buffer.alloc(2048, 7) },
          { name: 'stored.txt', data: 'stored', method: 'store' },
        ]),
      );
      const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
      assert.match(listing, /a\.txt/);
      assert.match(listing, /lib\/net10\.0\/x\.dll/);
      assert.match(listing, /2048/);
      assert.match(listing, /3 files/);
      const testOutput = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
      assert.match(testOutput, /No errors detected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
