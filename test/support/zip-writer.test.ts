import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';
import { extraField, unicodePathExtra, unixMode, writeZip, type ZipEntry } from './zip-writer.ts';

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

  // Well-formed outputs with every optional structure, as independent readers see them.
  const wellFormed: [string, ZipEntry[], Parameters<typeof writeZip>[1]][] = [
    ['plain data descriptors', [{ name: 'a.txt', data: 'hello '.repeat(100), dataDescriptor: 'plain' }, { name: 'b.txt', data: 'stored', method: 'store', dataDescriptor: 'plain' }], {}],
    ['signed data descriptors', [{ name: 'a.txt', data: 'hello '.repeat(100), dataDescriptor: 'signed' }, { name: 'b.txt', data: 'stored', method: 'store', dataDescriptor: 'signed' }], {}],
    [
      'Zip64 records and extra fields',
      [
        { name: 'a.txt', data: 'hello '.repeat(100), zip64: true },
        { name: 'b.txt', data: 'descriptor', zip64: true, dataDescriptor: 'signed' },
        { name: 'c.txt', data: 'no zip64 field' },
      ],
      { zip64: true },
    ],
    ['a directory, a comment, Unix modes and a Unicode Path field', [
      { name: 'lib/', data: '', method: 'store', ...unixMode(0o040755) },
      { name: 'lib/ü.txt', data: 'x', ...unixMode(0o100644), centralExtra: unicodePathExtra('lib/ü.txt', 'lib/ü.txt') },
    ], { comment: 'comment' }],
  ];

  for (const [what, entries, options] of wellFormed) {
    it(`writes ${what} that yauzl reads`, async () => {
      const read = await readZip(writeZip(entries, options));
      assert.deepEqual(
        read.map((e) => e.name),
        entries.map((e) => e.name),
      );
      for (const [i, entry] of entries.entries()) assert.equal(read[i]?.data?.toString(), entry.data.toString());
    });

    it(`writes ${what} that unzip -t accepts`, { skip: !hasUnzip() && 'unzip not installed' }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'pallet-zip-'));
      try {
        const file = join(dir, 'test.zip');
        writeFileSync(file, writeZip(entries, options));
        assert.match(execFileSync('unzip', ['-t', file], { encoding: 'utf8' }), /No errors detected/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('writeZip: hostile knobs', () => {
  const localHeaderName = (zip: Buffer, at = 0) => zip.subarray(at + 30, at + 30 + zip.readUInt16LE(at + 26)).toString('latin1');
  const endRecord = (zip: Buffer) => zip.subarray(zip.length - 22);
  const centralOffset = (zip: Buffer) => endRecord(zip).readUInt32LE(16);

  it('writes another name into the local header only, and raw name bytes', async () => {
    const zip = writeZip([{ name: 'a.dll', data: 'x', localName: 'b.dll' }]);
    assert.equal(localHeaderName(zip), 'b.dll');
    assert.equal((await readZip(zip, { readData: false }))[0]?.name, 'a.dll');
    const raw = writeZip([{ name: 'ignored', nameBytes: Buffer.from([0x61, 0xff]), data: 'x', flags: 0 }]);
    assert.deepEqual(raw.subarray(30, 32), Buffer.from([0x61, 0xff]));
    assert.equal(raw.readUInt16LE(6), 0);
  });

  it('writes methods, flags, attributes and local values as told', () => {
    const zip = writeZip([{ name: 'a', data: 'lzma?', method: 14, flags: 0x0801, versionMadeBy: 0x0314, externalAttributes: 0x1234, local: { crc32: 7 } }]);
    const central = centralOffset(zip);
    assert.equal(zip.readUInt16LE(8), 14);
    assert.equal(zip.readUInt16LE(6), 0x0801);
    assert.equal(zip.readUInt32LE(14), 7);
    assert.deepEqual(zip.subarray(31, 36), Buffer.from('lzma?'));
    assert.equal(zip.readUInt16LE(central + 4), 0x0314);
    assert.equal(zip.readUInt32LE(central + 38), 0x1234);
    assert.deepEqual(unixMode(0o120777), { versionMadeBy: 0x031e, externalAttributes: 0xa1ff0000 });
  });

  it('writes a Unicode Path extra field and raw extra fields', () => {
    const field = unicodePathExtra('b', 'a');
    assert.equal(field.readUInt16LE(0), 0x7075);
    assert.equal(field.readUInt16LE(2), 6);
    assert.equal(field.readUInt8(4), 1);
    assert.equal(field.readUInt32LE(5), crc32(Buffer.from('a')));
    assert.equal(field.subarray(9).toString(), 'b');
    const zip = writeZip([{ name: 'a', data: 'x', localExtra: extraField(0xcafe, Buffer.from('hi')) }]);
    assert.equal(zip.readUInt16LE(28), 6);
    assert.equal(zip.readUInt16LE(31), 0xcafe);
  });

  it('writes data descriptors: local values zero, descriptor after the data', () => {
    const zip = writeZip([{ name: 'a', data: 'abc', method: 'store', dataDescriptor: 'signed', descriptor: { crc32: 9 } }]);
    assert.equal(zip.readUInt16LE(6), 0x0808);
    assert.equal(zip.readUInt32LE(14), 0);
    assert.equal(zip.readUInt32LE(18), 0);
    assert.equal(zip.readUInt32LE(34), 0x08074b50);
    assert.equal(zip.readUInt32LE(38), 9);
    assert.equal(zip.readUInt32LE(42), 3);
    assert.equal(centralOffset(zip), 34 + 16);
  });

  it('writes a prefix, gaps, declared counts and sizes, and end-record overrides', () => {
    const zip = writeZip([{ name: 'a', data: 'x', method: 'store', gapAfter: 3 }, { name: 'b', data: 'y', method: 'store' }], {
      prefix: Buffer.from('MZ'),
      declaredEntryCount: 7,
      declaredCentralDirectorySize: 5,
      end: { disk: 1 },
    });
    assert.equal(zip.readUInt32LE(2), 0x04034b50);
    assert.equal(zip.readUInt32LE(2 + 32 + 3), 0x04034b50, 'the second record follows the gap');
    const end = endRecord(zip);
    assert.equal(end.readUInt16LE(4), 1);
    assert.equal(end.readUInt16LE(10), 7);
    assert.equal(end.readUInt32LE(12), 5);
    assert.equal(zip.readUInt32LE(centralOffset(zip) + 42), 2, 'offsets count from the start of the file');
  });

  it('writes a Zip64 end record and locator', () => {
    const zip = writeZip([{ name: 'a', data: 'x', zip64: true }], { zip64: true });
    const end = endRecord(zip);
    assert.equal(end.readUInt16LE(10), 0xffff);
    assert.equal(end.readUInt32LE(16), 0xffffffff);
    const locator = zip.subarray(zip.length - 42, zip.length - 22);
    assert.equal(locator.readUInt32LE(0), 0x07064b50);
    const record = Number(locator.readBigUInt64LE(8));
    assert.equal(zip.readUInt32LE(record), 0x06064b50);
    assert.equal(zip.readBigUInt64LE(record + 32), 1n);
  });

  it('writes central records that share a local header, and local records nested in stored data', () => {
    const shared = writeZip([{ name: 'kernel', data: 'x'.repeat(100) }, { name: 'copy', data: '', pointsAtLocalOf: 0 }]);
    const central = centralOffset(shared);
    const second = central + 46 + 'kernel'.length;
    assert.equal(shared.readUInt32LE(second + 42), 0, 'both records point at offset 0');
    assert.equal(shared.readUInt32LE(second + 20), shared.readUInt32LE(central + 20), 'with the same compressed size');
    assert.equal(shared.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), 1), -1, 'and there is one local header');

    const nested = writeZip([{ name: 'outer', data: '!', method: 'store' }, { name: 'inner', data: 'in', method: 'store', insideDataOf: 0 }]);
    const innerOffset = 30 + 'outer'.length;
    assert.equal(nested.readUInt32LE(innerOffset), 0x04034b50);
    assert.equal(localHeaderName(nested, innerOffset), 'inner');
    const nestedCentral = centralOffset(nested);
    assert.equal(nested.readUInt32LE(nestedCentral + 46 + 'outer'.length + 42), innerOffset);
    assert.equal(nested.readUInt32LE(nestedCentral + 20), 30 + 'inner'.length + 2 + 1, 'the outer entry holds the inner record and its own byte');
  });
});
