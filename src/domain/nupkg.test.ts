import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveError, openZipArchive } from '../archive/zip-reader.ts';
import { buildNupkg, nuspecXml, type NupkgOptions } from '../../test/support/nupkg-builder.ts';
import { writeZip, type ZipEntry } from '../../test/support/zip-writer.ts';
import {
  entryNameProblem,
  inspectPackage,
  PACKAGE_LIMITS,
  PackageRuleError,
  type ArchiveEntry,
  type InspectedPackage,
  type PackageArchive,
} from './nupkg.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake png body')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fake jpeg body')]);

let folder: string;
let fileCount = 0;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'pallet-nupkg-test-'));
});

after(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Writes the bytes to a temp file and runs the package rules through the real zip reader. */
async function inspectBytes(bytes: Buffer): Promise<InspectedPackage> {
  fileCount += 1;
  const file = path.join(folder, `package-${fileCount}.nupkg`);
  await writeFile(file, bytes);
  const archive = await openZipArchive(file, { maxEntries: PACKAGE_LIMITS.maxEntries });
  try {
    return await inspectPackage(archive);
  } finally {
    await archive.close();
  }
}

/** Expects the package to be refused with a PackageRuleError or ArchiveError; returns the message. */
async function refusal(bytes: Buffer, ...mustMention: (string | RegExp)[]): Promise<string> {
  let caught: unknown;
  try {
    await inspectBytes(bytes);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof PackageRuleError || caught instanceof ArchiveError,
    `expected a PackageRuleError or ArchiveError, got ${caught === undefined ? 'success' : String(caught)}`,
  );
  for (const expected of mustMention) {
    if (typeof expected === 'string') assert.ok(caught.message.includes(expected), `'${caught.message}' should mention '${expected}'`);
    else assert.match(caught.message, expected);
  }
  return caught.message;
}

const basic = (overrides: Partial<NupkgOptions> = {}): NupkgOptions => ({ id: 'Contoso.Widgets', version: '1.2.3', ...overrides });

/** A minimal package: a root nuspec plus the given entries. */
function zipWithNuspec(entries: ZipEntry[], nuspecName = 'Contoso.Widgets.nuspec'): Buffer {
  return writeZip([{ name: nuspecName, data: nuspecXml(basic()) }, ...entries]);
}

/**
 * A fake archive whose entries are only a directory listing; reading returns a small valid nuspec. Its size
 * is that of a large upload (1 GiB) unless given, so only the absolute limits apply.
 */
function fakeArchive(entries: ArchiveEntry[], size = 1024 * 1024 * 1024): PackageArchive & { verified: boolean; reads: string[] } {
  const fake = {
    size,
    entries,
    verified: false,
    reads: [] as string[],
    async read(name: string) {
      fake.reads.push(name);
      return Buffer.from(nuspecXml(basic()));
    },
    async verifyAll() {
      fake.verified = true;
    },
  };
  return fake;
}

describe('inspectPackage: a normal package', () => {
  it('returns the manifest and the nuspec bytes', async () => {
    const options = basic({ dependencyGroups: [{ targetFramework: 'net8.0', dependencies: [{ id: 'Newtonsoft.Json', range: '13.0.1' }] }] });
    const inspected = await inspectBytes(buildNupkg(options));
    assert.equal(inspected.manifest.id, 'Contoso.Widgets');
    assert.equal(inspected.manifest.version.normalized, '1.2.3');
    assert.equal(inspected.nuspecBytes.toString('utf8'), nuspecXml(options));
    assert.equal(inspected.manifest.dependencyGroups[0]?.dependencies[0]?.range.normalized, '[13.0.1, )');
    assert.equal(inspected.readme, undefined);
    assert.equal(inspected.icon, undefined);
    assert.equal(inspected.licenseFile, undefined);
  });

  it('accepts stored (uncompressed) entries and a nuspec with a byte order mark', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ method: 'store', nuspecBom: true })));
    assert.equal(inspected.manifest.id, 'Contoso.Widgets');
  });

  it('accepts a nuspec whose name differs in case from the id, and directory entries', async () => {
    const inspected = await inspectBytes(zipWithNuspec([{ name: 'lib/', data: '' }, { name: 'lib/net8.0/a.dll', data: 'MZ' }], 'CONTOSO.widgets.NUSPEC'));
    assert.equal(inspected.manifest.id, 'Contoso.Widgets');
  });

  it('returns readme, icon and license file bytes', async () => {
    const inspected = await inspectBytes(
      buildNupkg(
        basic({
          readme: { path: 'docs/README.md', content: '# Widgets\n' },
          icon: { path: 'images/icon.png', bytes: PNG },
          license: { type: 'file', value: 'LICENSE.txt', fileContent: 'MIT License\n' },
        }),
      ),
    );
    assert.equal(inspected.readme?.toString('utf8'), '# Widgets\n');
    assert.deepEqual(inspected.icon, { bytes: PNG, contentType: 'image/png' });
    assert.equal(inspected.licenseFile?.toString('utf8'), 'MIT License\n');
  });

  it('matches the files the nuspec names ignoring case and backslashes', async () => {
    const nuspec = nuspecXml(basic({ readme: { path: 'Docs\\ReadMe.MD', content: '' }, icon: { path: 'ICON.PNG', bytes: PNG } }));
    const inspected = await inspectBytes(
      writeZip([
        { name: 'Contoso.Widgets.nuspec', data: nuspec },
        { name: 'docs/readme.md', data: 'hello' },
        { name: 'icon.png', data: PNG },
      ]),
    );
    assert.equal(inspected.readme?.toString(), 'hello');
    assert.equal(inspected.icon?.contentType, 'image/png');
  });

  it('recognizes a JPEG icon', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ icon: { path: 'icon.jpg', bytes: JPEG } })));
    assert.equal(inspected.icon?.contentType, 'image/jpeg');
  });

  it('reports a manifest problem with the nuspec name', async () => {
    const message = await refusal(buildNupkg(basic({ version: '1.0.0-1' })), 'Contoso.Widgets.nuspec', /<version> '1\.0\.0-1'/);
    assert.match(message, /must start with a letter/);
  });

  it('refuses a nuspec that is not UTF-8', async () => {
    await refusal(writeZip([{ name: 'Bad.nuspec', data: Buffer.from([0x3c, 0xff, 0xfe, 0x3e]) }]), 'Bad.nuspec', /UTF-8/);
  });
});

describe('inspectPackage: not a usable zip', () => {
  it('refuses an empty zip', async () => {
    await refusal(writeZip([]), /empty zip archive/);
  });

  it('refuses bytes that are not a zip', async () => {
    await refusal(Buffer.from('this is a text file, not a package\n'.repeat(10)), /not a readable zip archive/);
  });

  it('refuses an empty file', async () => {
    await refusal(Buffer.alloc(0), /not a readable zip archive/);
  });

  for (const [name, cut] of [
    ['the end record', (zip: Buffer) => zip.subarray(0, zip.length - 10)],
    ['the central directory', (zip: Buffer) => zip.subarray(0, Math.floor(zip.length * 0.9))],
    ['half the file', (zip: Buffer) => zip.subarray(0, Math.floor(zip.length / 2))],
  ] as const) {
    it(`refuses a zip truncated through ${name}`, async () => {
      await refusal(cut(buildNupkg(basic())), /zip/);
    });
  }
});

describe('inspectPackage: nuspec placement', () => {
  it('refuses a package without a nuspec', async () => {
    await refusal(writeZip([{ name: 'lib/net8.0/a.dll', data: 'MZ' }]), /no \.nuspec file at its root/);
  });

  it('refuses a nuspec that is only in a subfolder', async () => {
    await refusal(writeZip([{ name: 'sub/Contoso.Widgets.nuspec', data: nuspecXml(basic()) }]), /no \.nuspec file at its root/);
  });

  it('refuses two nuspecs at the root, naming both', async () => {
    await refusal(
      zipWithNuspec([{ name: 'Other.nuspec', data: nuspecXml(basic({ id: 'Other' })) }]),
      'Contoso.Widgets.nuspec',
      'Other.nuspec',
      /2 \.nuspec files/,
    );
  });

  it('refuses a second nuspec in a subfolder, naming it', async () => {
    await refusal(zipWithNuspec([{ name: 'content/Copy.nuspec', data: 'x' }]), 'content/Copy.nuspec');
  });

  it('refuses a nuspec over 1 MiB, naming it', async () => {
    const padding = `<!-- ${'x'.repeat(PACKAGE_LIMITS.maxNuspecBytes)} -->`;
    const nuspec = nuspecXml(basic()).replace('<metadata>', `<metadata>${padding}`);
    await refusal(writeZip([{ name: 'Contoso.Widgets.nuspec', data: nuspec }]), 'Contoso.Widgets.nuspec', String(PACKAGE_LIMITS.maxNuspecBytes));
  });

  it('accepts a nuspec of exactly 1 MiB', async () => {
    const nuspec = nuspecXml(basic());
    const padding = `<!--${'x'.repeat(PACKAGE_LIMITS.maxNuspecBytes - Buffer.byteLength(nuspec) - 7)}-->`;
    const padded = nuspec.replace('<metadata>', `<metadata>${padding}`);
    assert.equal(Buffer.byteLength(padded), PACKAGE_LIMITS.maxNuspecBytes);
    const inspected = await inspectBytes(writeZip([{ name: 'Contoso.Widgets.nuspec', data: padded }]));
    assert.equal(inspected.nuspecBytes.length, PACKAGE_LIMITS.maxNuspecBytes);
  });
});

describe('inspectPackage: unsafe entry names', () => {
  for (const [name, pattern] of [
    ['../evil.txt', /escapes the package/],
    ['a/../../evil', /escapes the package/],
    ['lib/..', /escapes the package/],
    ['/abs', /absolute path/],
    ['\\abs', /absolute path/],
    ['C:/x', /absolute path/],
    ['c:x', /absolute path/],
    ['a//b', /empty path segment/],
    ['a\\..\\b', /escapes the package/],
    ['..\\evil.txt', /escapes the package/],
    ['a\\\\b', /empty path segment/],
    ['a\u0000b', /control characters/],
  ] as const) {
    it(`refuses the entry ${JSON.stringify(name)}`, async () => {
      const message = await refusal(zipWithNuspec([{ name, data: 'evil' }]), pattern);
      const shown = /control/.test(message) ? JSON.stringify(name) : name;
      assert.ok(message.includes(shown), `'${message}' should name the entry`);
    });
  }

  it('refuses an entry name twice', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/a.dll', data: '1' }, { name: 'lib/a.dll', data: '2' }]), "'lib/a.dll' twice");
  });

  it('refuses two entry names that differ only by case', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/a.dll', data: '1' }, { name: 'LIB/A.DLL', data: '2' }]), "the entries 'lib/a.dll' and 'LIB/A.DLL' name the same file");
  });

  // entryNameProblem treats '\' as a separator, so 'lib\a.dll' and 'lib/a.dll' name the same file once extracted.
  it('refuses two entry names that differ only by slash direction', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/a.dll', data: '1' }, { name: 'lib\\a.dll', data: '2' }]), 'lib\\a.dll', /name the same file/);
  });

  it('refuses two entry names that NuGet decodes to one file', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/My File.dll', data: '1' }, { name: 'lib/My%20File.dll', data: '2' }]), "the entries 'lib/My File.dll' and 'lib/My%20File.dll' name the same file");
  });
});

describe('entryNameProblem', () => {
  for (const name of ['Contoso.nuspec', 'lib/net8.0/a.dll', '[Content_Types].xml', '_rels/.rels', 'lib/', 'a/.hidden/b', 'a..b/c', 'x...y', 'file name with spaces.txt']) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(entryNameProblem(name), undefined);
    });
  }

  for (const name of ['', '../evil.txt', 'a/../../evil', '/abs', 'C:/x', 'Z:\\x', 'a//b', 'a\\..\\b', '..', 'a/..', 'tab\there', 'line\nbreak']) {
    it(`refuses ${JSON.stringify(name)}`, () => {
      const problem = entryNameProblem(name);
      assert.equal(typeof problem, 'string');
      if (name !== '' && !/[\t\n]/.test(name)) assert.ok(problem?.includes(name), problem);
    });
  }
});

describe('inspectPackage: sizes and integrity', () => {
  it('refuses a deflated entry whose declared size is smaller than its content', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/liar.dll', data: 'x'.repeat(10_000), declaredUncompressedSize: 100 }]), 'lib/liar.dll');
  });

  it('stops inflating a lying entry at its declared size instead of inflating the whole bomb', async () => {
    // 64 MiB of zeros deflate to about 64 KiB; the headers claim 100 bytes.
    const bomb = zipWithNuspec([{ name: 'lib/bomb.dll', data: Buffer.alloc(64 * 1024 * 1024), declaredUncompressedSize: 100 }]);
    const message = await refusal(bomb, 'lib/bomb.dll');
    assert.match(message, /inflates past the 100 bytes its headers declare/);
  });

  it('refuses a deflated entry whose declared size is bigger than its content', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/liar.dll', data: 'x'.repeat(100), declaredUncompressedSize: 10_000 }]), 'lib/liar.dll');
  });

  it('refuses a stored entry whose declared size does not match its content', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/liar.dll', data: 'x'.repeat(100), method: 'store', declaredUncompressedSize: 10_000 }]), 'lib/liar.dll');
  });

  it('refuses a lying size on the nuspec itself', async () => {
    await refusal(writeZip([{ name: 'Contoso.Widgets.nuspec', data: nuspecXml(basic()), declaredUncompressedSize: 10 }]), 'Contoso.Widgets.nuspec');
  });

  it('refuses an entry with a bad CRC-32', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/bad-crc.dll', data: 'some content', crc32: 0x12345678 }]), 'lib/bad-crc.dll', /CRC/);
  });

  it('refuses a stored entry with a bad CRC-32', async () => {
    await refusal(zipWithNuspec([{ name: 'lib/bad-crc.dll', data: 'some content', crc32: 0, method: 'store' }]), 'lib/bad-crc.dll', /CRC/);
  });

  it('refuses an entry that declares more than deflate can expand its compressed bytes to, before inflating anything', async () => {
    const message = await refusal(
      zipWithNuspec([{ name: 'lib/bomb.dll', data: 'x', declaredUncompressedSize: 0xffff_fff0 }]),
      /the entry 'lib\/bomb\.dll' declares 4294967280 bytes from 3 compressed bytes, more than deflate can expand them \(1032:1\): its headers lie/,
    );
    assert.ok(message.length > 0);
  });

  it('checks the absolute inflated-size limit on the declared total (fake archive)', async () => {
    const nuspec = { name: 'a.nuspec', compressedSize: 10, uncompressedSize: 100, type: 'file' as const };
    const big = (uncompressedSize: number): ArchiveEntry => ({ name: 'big', compressedSize: Math.ceil(uncompressedSize / 1000), uncompressedSize, type: 'file' });
    const justUnder = fakeArchive([nuspec, big(PACKAGE_LIMITS.maxInflatedBytes - 100)]);
    await inspectPackage(justUnder);
    assert.equal(justUnder.verified, true);

    const justOver = fakeArchive([nuspec, big(PACKAGE_LIMITS.maxInflatedBytes - 99)]);
    await assert.rejects(inspectPackage(justOver), (error: unknown) => {
      assert.ok(error instanceof PackageRuleError);
      assert.match(error.message, /inflates to 4294967297 bytes from 1073741824; the limit for a package of this size is 4294967296 bytes/);
      return true;
    });
    assert.equal(justOver.verified, false, 'nothing is inflated once the declared total is too big');
    assert.deepEqual(justOver.reads, []);
  });

  it('caps the declared total relative to the upload: 64 MiB plus 20 times its size (fake archive)', async () => {
    const uploadSize = 2 * 1024 * 1024;
    const limit = PACKAGE_LIMITS.inflationFloorBytes + PACKAGE_LIMITS.maxInflationFactor * uploadSize;
    const entries = (total: number): ArchiveEntry[] => [
      { name: 'a.nuspec', compressedSize: 10, uncompressedSize: 100, type: 'file' },
      { name: 'content/zeros.bin', compressedSize: Math.ceil((total - 100) / 1000), uncompressedSize: total - 100, type: 'file' },
    ];
    await inspectPackage(fakeArchive(entries(limit), uploadSize));
    const over = fakeArchive(entries(limit + 1), uploadSize);
    await assert.rejects(inspectPackage(over), (error: unknown) => {
      assert.ok(error instanceof PackageRuleError);
      assert.equal(error.message, `the package inflates to ${limit + 1} bytes from ${uploadSize}; the limit for a package of this size is ${limit} bytes (a zip bomb?)`);
      return true;
    });
    assert.equal(over.verified, false);
  });

  it('refuses symbolic links and special files, naming them (fake archive)', async () => {
    const nuspec = { name: 'a.nuspec', compressedSize: 10, uncompressedSize: 100, type: 'file' as const };
    for (const [type, expected] of [
      ['symlink', /the entry 'lib\/link' is a symbolic link; a package may contain only files and folders/],
      ['special', /the entry 'lib\/link' is a device, pipe or socket/],
    ] as const) {
      await assert.rejects(inspectPackage(fakeArchive([nuspec, { name: 'lib/link', compressedSize: 5, uncompressedSize: 5, type }])), expected);
    }
    await inspectPackage(fakeArchive([nuspec, { name: 'lib/', compressedSize: 0, uncompressedSize: 0, type: 'directory' }]));
  });

  it('allows 65,533 entries and refuses 65,534 (fake archive)', async () => {
    const entries = (count: number): ArchiveEntry[] => [
      { name: 'a.nuspec', compressedSize: 1, uncompressedSize: 1, type: 'file' },
      ...Array.from({ length: count - 1 }, (_, i) => ({ name: `content/f${i}.txt`, compressedSize: 1, uncompressedSize: 1, type: 'file' as const })),
    ];
    assert.equal(PACKAGE_LIMITS.maxEntries, 65_533);
    await inspectPackage(fakeArchive(entries(65_533)));
    await assert.rejects(inspectPackage(fakeArchive(entries(65_534))), (error: unknown) => {
      assert.ok(error instanceof PackageRuleError);
      assert.match(error.message, /65534 entries; the limit is 65533/);
      return true;
    });
  });

  it('reads only the capped nuspec before the integrity pass, and refuses the package when the pass fails (fake archive)', async () => {
    const archive = fakeArchive([
      { name: 'a.nuspec', compressedSize: 1, uncompressedSize: 1, type: 'file' },
      { name: 'lib/a.dll', compressedSize: 1, uncompressedSize: 1, type: 'file' },
    ]);
    archive.verifyAll = async () => {
      throw new Error('corrupt');
    };
    await assert.rejects(inspectPackage(archive), /corrupt/);
    assert.deepEqual(archive.reads, ['a.nuspec']);
  });
});

describe('inspectPackage: readme', () => {
  it('refuses a readme the package lacks, naming it', async () => {
    const nuspec = nuspecXml(basic({ readme: { path: 'docs/README.md', content: '' } }));
    await refusal(writeZip([{ name: 'Contoso.Widgets.nuspec', data: nuspec }]), /<readme> names 'docs\/README\.md', but the package has no such file/);
  });

  it('refuses a readme that is not markdown, naming it', async () => {
    await refusal(buildNupkg(basic({ readme: { path: 'README.txt', content: 'hello' } })), /<readme> 'README\.txt' must be a \.md file/);
  });

  it('refuses an empty readme, naming it', async () => {
    await refusal(buildNupkg(basic({ readme: { path: 'README.md', content: '' } })), /<readme> 'README\.md' is empty/);
  });

  it('refuses a readme over 1 MiB, naming it', async () => {
    await refusal(
      buildNupkg(basic({ readme: { path: 'README.md', content: 'x'.repeat(PACKAGE_LIMITS.maxReadmeBytes + 1) } })),
      'README.md',
      String(PACKAGE_LIMITS.maxReadmeBytes),
    );
  });

  it('refuses a readme that is not UTF-8, naming it', async () => {
    const nuspec = nuspecXml(basic({ readme: { path: 'README.md', content: '' } }));
    await refusal(writeZip([{ name: 'Contoso.Widgets.nuspec', data: nuspec }, { name: 'README.md', data: Buffer.from([0xc3, 0x28]) }]), 'README.md', /UTF-8/);
  });

  it('returns the readme bytes', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ readme: { path: 'README.md', content: '# Hello — wörld\n' } })));
    assert.deepEqual(inspected.readme, Buffer.from('# Hello — wörld\n'));
  });
});

describe('inspectPackage: icon', () => {
  it('refuses an icon the package lacks, naming it', async () => {
    const nuspec = nuspecXml(basic({ icon: { path: 'images/icon.png', bytes: PNG } }));
    await refusal(writeZip([{ name: 'Contoso.Widgets.nuspec', data: nuspec }]), /<icon> names 'images\/icon\.png', but the package has no such file/);
  });

  it('refuses an icon with the wrong extension, naming it', async () => {
    await refusal(buildNupkg(basic({ icon: { path: 'icon.gif', bytes: PNG } })), /<icon> 'icon\.gif' must be a \.png, \.jpg or \.jpeg file/);
  });

  it('refuses a .png that is not really a PNG, naming it', async () => {
    await refusal(buildNupkg(basic({ icon: { path: 'icon.png', bytes: Buffer.from('<svg>not a png</svg>') } })), /<icon> 'icon\.png' is not a PNG or JPEG image/);
  });

  it('refuses a truncated PNG signature', async () => {
    await refusal(buildNupkg(basic({ icon: { path: 'icon.png', bytes: PNG.subarray(0, 7) } })), 'icon.png');
  });

  it('refuses an icon over 1 MiB, naming it', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(PACKAGE_LIMITS.maxIconBytes)]);
    await refusal(buildNupkg(basic({ icon: { path: 'icon.png', bytes: big } })), 'icon.png', String(PACKAGE_LIMITS.maxIconBytes));
  });

  it('returns a real PNG with its content type', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ icon: { path: 'icon.png', bytes: PNG } })));
    assert.ok(inspected.icon);
    assert.ok(inspected.icon.bytes.equals(PNG));
    assert.equal(inspected.icon.contentType, 'image/png');
  });
});

describe('inspectPackage: license file', () => {
  it('refuses a license file the package lacks, naming it', async () => {
    await refusal(buildNupkg(basic({ license: { type: 'file', value: 'LICENSE.txt' } })), /<license> names 'LICENSE\.txt', but the package has no such file/);
  });

  it('returns the license file bytes', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ license: { type: 'file', value: 'docs/LICENSE', fileContent: 'Copyright\n' } })));
    assert.equal(inspected.licenseFile?.toString(), 'Copyright\n');
    assert.deepEqual(inspected.manifest.license, { type: 'file', path: 'docs/LICENSE' });
  });

  it('does not look for a file when the license is an expression', async () => {
    const inspected = await inspectBytes(buildNupkg(basic({ license: { type: 'expression', value: 'MIT' } })));
    assert.equal(inspected.licenseFile, undefined);
    assert.deepEqual(inspected.manifest.license, { type: 'expression', expression: 'MIT' });
  });
});
