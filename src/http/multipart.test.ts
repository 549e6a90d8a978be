import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { MultipartError, boundaryOf, readFirstFilePart, type MultipartLimits } from './multipart.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';

// ---- body building ----

type Newline = '\r\n' | '\n';
/** The places the RFC puts a CRLF. */
type Slot = 'boundary-line' | 'header' | 'blank' | 'before-delimiter' | 'before-close' | 'preamble' | 'epilogue';

interface Part {
  readonly headers: readonly string[];
  readonly content: Buffer;
}

interface BodyOptions {
  readonly boundary: string;
  readonly newline: (slot: Slot) => Newline;
  readonly preamble?: string;
  readonly epilogue?: string;
  /** Transport padding after each boundary. */
  readonly padding?: string;
  /** Leave the close delimiter out. */
  readonly unclosed?: boolean;
}

/** The body, and the offset of every delimiter (its leading newline, or its `--` when there is none). */
function buildBody(parts: readonly Part[], options: BodyOptions): { body: Buffer; delimiters: number[] } {
  const pieces: Buffer[] = [];
  const delimiters: number[] = [];
  let length = 0;
  const add = (piece: string | Buffer): void => {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece;
    pieces.push(bytes);
    length += bytes.length;
  };
  const { boundary, newline, padding = '' } = options;
  if (options.preamble !== undefined) add(options.preamble + newline('preamble'));
  parts.forEach((part, index) => {
    delimiters.push(length);
    if (index > 0) add(newline('before-delimiter'));
    add(`--${boundary}${padding}${newline('boundary-line')}`);
    for (const header of part.headers) add(header + newline('header'));
    add(newline('blank'));
    add(part.content);
  });
  if (!options.unclosed) {
    delimiters.push(length);
    add(`${newline('before-close')}--${boundary}--`);
    if (options.epilogue !== undefined) add(newline('epilogue') + options.epilogue);
  }
  return { body: Buffer.concat(pieces), delimiters };
}


function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Random binary content rich in what a parser can trip on: CR, LF, dashes, boundary prefixes, the boundary
 * not after a newline, `--boundaryX`. Never a real delimiter, even with the newline that follows it (each
 * one the pieces happen to form is broken by turning its LF into `x`), and never ending in CR (that case
 * has its own test).
 */
function trickyContent(random: () => number, length: number, boundary: string): Buffer {
  const pieces = [
    '\r', '\n', '-', '--', '\r\n', '\n\n', '\r\r\n', `--${boundary}`, `x--${boundary}--`, `\n--${boundary}X`,
    `\r\n--${boundary}-x`, `\n--${boundary.slice(0, Math.max(0, boundary.length - 1))}`, `\r\n-`, `\n--`,
  ];
  const content = Buffer.alloc(length);
  for (let at = 0; at < length; ) {
    if (random() < 0.3) {
      at += content.write(pieces[Math.floor(random() * pieces.length)] ?? '', at, 'latin1');
    } else {
      content[at++] = Math.floor(random() * 256);
    }
  }
  if (content[length - 1] === 0x0d) content[length - 1] = 0x78;
  const real = new RegExp(`\\n--${escapeRegExp(boundary)}(?=--|[ \\t\\r\\n]|$)`, 'g');
  for (const match of content.toString('latin1').matchAll(real)) content[match.index] = 0x78;
  return content;
}

const FILE_HEADERS = ['Content-Type: application/octet-stream', 'Content-Disposition: form-data; name="package"; filename="package.nupkg"'];
const DOTNET_FILE_HEADERS = [
  'Content-Type: application/octet-stream',
  "Content-Disposition: form-data; name=package; filename=package.nupkg; filename*=utf-8''package.nupkg",
];

function field(name: string, value: string | Buffer): Part {
  return { headers: [`Content-Disposition: form-data; name="${name}"`], content: typeof value === 'string' ? Buffer.from(value) : value };
}

// ---- feeding ----

function chunksOf(body: Buffer, cuts: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, body.length]) {
    if (cut > start && cut <= body.length) {
      chunks.push(body.subarray(start, cut));
      start = cut;
    }
  }
  return chunks;
}

function sourceOf(chunks: readonly Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

async function readFile(chunks: readonly Buffer[], boundary: string, limits?: Partial<MultipartLimits>): Promise<Buffer> {
  const { file, completed } = await readFirstFilePart(sourceOf(chunks), boundary, limits);
  const content = Buffer.concat(await file.toArray());
  await completed;
  return content;
}

/** Every chunking the brief asks for: whole, one byte at a time, seeded random sizes, and two-chunk splits around each delimiter. */
function* chunkings(body: Buffer, delimiters: readonly number[], boundary: string, seed: number): Generator<{ label: string; chunks: Buffer[] }> {
  yield { label: 'whole', chunks: [body] };
  yield { label: 'one byte at a time', chunks: chunksOf(body, Array.from({ length: body.length }, (_, i) => i + 1)) };
  const random = seededRandom(seed);
  for (let round = 0; round < 5; round++) {
    const cuts: number[] = [];
    for (let at = 0; at < body.length; ) cuts.push((at += 1 + Math.floor(random() * 97)));
    yield { label: `random sizes #${round}`, chunks: chunksOf(body, cuts) };
  }
  const span = boundary.length + 8;
  for (const delimiter of delimiters) {
    for (let cut = delimiter - 3; cut <= delimiter + span; cut++) {
      if (cut <= 0 || cut >= body.length) continue;
      yield { label: `split at ${cut} (delimiter at ${delimiter})`, chunks: chunksOf(body, [cut]) };
      yield { label: `one-byte chunk at ${cut} (delimiter at ${delimiter})`, chunks: chunksOf(body, [cut, cut + 1]) };
    }
  }
}

const STYLES: Record<string, (random: () => number) => (slot: Slot) => Newline> = {
  'CRLF everywhere (NuGet)': () => () => '\r\n',
  'bare LF everywhere': () => () => '\n',
  'bare LF before the close only (Paket)': () => (slot) => (slot === 'before-close' ? '\n' : '\r\n'),
  mixed: (random) => () => (random() < 0.5 ? '\n' : '\r\n'),
};

const BOUNDARIES = ['c2a4b0d4-3f4e-4a3b-9d8e-0f1e2d3c4b5a', 'b', "'()+_,-./:=? x", 'x'.repeat(70)];

async function assertEveryChunking(parts: Part[], options: BodyOptions, expected: Buffer, seed: number): Promise<number> {
  const { body, delimiters } = buildBody(parts, options);
  let runs = 0;
  for (const { label, chunks } of chunkings(body, delimiters, options.boundary, seed)) {
    const content = await readFile(chunks, options.boundary);
    if (!content.equals(expected)) assert.fail(`${label}: got ${content.length} bytes, expected ${expected.length}`);
    runs++;
  }
  return runs;
}

// ---- tests ----

describe('boundaryOf', () => {
  test('reads the quoted and the token form, any case', () => {
    assert.equal(boundaryOf('multipart/form-data; boundary="c2a4b0d4-3f4e"'), 'c2a4b0d4-3f4e');
    assert.equal(boundaryOf('multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW'), '----WebKitFormBoundary7MA4YWxkTrZu0gW');
    assert.equal(boundaryOf('Multipart/Form-Data; BOUNDARY=abc'), 'abc');
    assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"; x=y'), 'a b:c');
    assert.equal(boundaryOf("multipart/form-data;boundary='()+_,-./:=?"), "'()+_,-./:=?");
    assert.equal(boundaryOf(`multipart/form-data; boundary=${'x'.repeat(70)}`), 'x'.repeat(70));
  });

  test('is lenient about trailing whitespace', () => {
    assert.equal(boundaryOf('multipart/form-data; boundary=abc  '), 'abc');
    assert.equal(boundaryOf('multipart/form-data; boundary=abc \t; charset=utf-8'), 'abc');
    assert.equal(boundaryOf('multipart/form-data; boundary="abc "'), 'abc');
  });

  test('refuses a missing or invalid boundary, or another media type', () => {
    for (const contentType of [
      'multipart/form-data',
      'multipart/form-data; charset=utf-8',
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${'x'.repeat(71)}`,
      'multipart/form-data; boundary=a"b',
      'multipart/form-data; boundary="a\\\\b"',
      'multipart/form-data; boundary=a*b',
      'multipart/form-data; boundary="é"',
      'multipart/mixed; boundary=abc',
      'application/octet-stream',
      '',
    ]) {
      assert.throws(() => boundaryOf(contentType), (error: unknown) => error instanceof MultipartError && error.reason === 'invalid-content-type', contentType);
    }
    assert.throws(() => boundaryOf('multipart/form-data'), /no boundary parameter/);
    assert.throws(() => boundaryOf('multipart/form-data; boundary=a*b'), /1 to 70 characters/);
  });
});

describe('readFirstFilePart reads the file in every line-ending style and every chunking', { timeout: 120_000 }, () => {
  let seed = 1;
  for (const [style, makeNewline] of Object.entries(STYLES)) {
    for (const boundary of BOUNDARIES) {
      test(`${style}, a lone file part, boundary ${JSON.stringify(boundary.slice(0, 12))}`, async () => {
        const random = seededRandom(seed++);
        const file = trickyContent(random, 600, boundary);
        const runs = await assertEveryChunking([{ headers: DOTNET_FILE_HEADERS, content: file }], { boundary, newline: makeNewline(random) }, file, seed);
        assert.ok(runs > 40, `only ${runs} chunkings`);
      });
    }
    test(`${style}, a 1 MiB file in random chunks of up to 64 KiB`, async () => {
      const boundary = 'big-one';
      const random = seededRandom(seed++);
      const file = trickyContent(random, 1024 * 1024, boundary);
      const { body } = buildBody([field('before', 'x'), { headers: FILE_HEADERS, content: file }], { boundary, newline: makeNewline(random) });
      const cuts: number[] = [];
      for (let at = 0; at < body.length; ) cuts.push((at += 1 + Math.floor(random() * 64 * 1024)));
      assert.ok((await readFile(chunksOf(body, cuts), boundary)).equals(file));
    });
    test(`${style}, fields before and after, a preamble, an epilogue and transport padding`, async () => {
      const boundary = 'pallet-7f3a';
      const random = seededRandom(seed++);
      const file = trickyContent(random, 900, boundary);
      const parts = [
        field('comment', trickyContent(random, 80, boundary)),
        field('empty', ''),
        { headers: FILE_HEADERS, content: file },
        field('after', 'later'),
        { headers: ['Content-Disposition: form-data; name="second"; filename="second.nupkg"'], content: Buffer.from('not this one') },
      ];
      const options = { boundary, newline: makeNewline(random), preamble: 'This is a preamble.\r\n--pallet-7f3aX\n', epilogue: 'an epilogue\r\n', padding: ' \t ' };
      await assertEveryChunking(parts, options, file, seed);
    });
  }
});

describe('readFirstFilePart framing edge cases', { timeout: 30_000 }, () => {
  const boundary = 'edge';
  const read = (text: string | Buffer): Promise<Buffer> => readFile([typeof text === 'string' ? Buffer.from(text, 'latin1') : text], boundary);

  test('a delimiter at the very start, or after a preamble', async () => {
    assert.equal((await read('--edge\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--edge--')).toString(), 'abc');
    assert.equal((await read('\r\n--edge\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--edge--')).toString(), 'abc');
    assert.equal((await read('\n--edge\nContent-Type: application/octet-stream\n\nabc\n--edge--\n')).toString(), 'abc');
    assert.equal((await read('pre--edge\n--edge\nContent-Type: application/octet-stream\n\nabc\n--edge--')).toString(), 'abc');
  });

  test('boundary look-alikes inside the content stay content', async () => {
    const content = 'a--edge--b\r\n--edgeX\n--edge-x\r\n--edg\n--\r\n-';
    const body = `--edge\r\n${FILE_HEADERS.join('\r\n')}\r\n\r\n${content}\r\n--edge--\r\n`;
    assert.equal((await read(body)).toString('latin1'), content);
  });

  test('`--boundaryX` is not the delimiter, even when the boundary is a prefix of a longer one', async () => {
    const body = '--edge\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n--edgeedge\r\n--edge-\r\n--edge--';
    assert.equal((await read(body)).toString(), 'x\r\n--edgeedge\r\n--edge-');
  });

  test('a CR at the end of one chunk and \\n--boundary at the start of the next', async () => {
    const head = Buffer.from('--edge\r\nContent-Type: application/octet-stream\r\n\r\nabc\r');
    const content = await readFile([head, Buffer.from('\n--edge--\r\n')], boundary);
    assert.equal(content.toString(), 'abc');
    const lone = await readFile([head, Buffer.from('x\r\n--edge--')], boundary);
    assert.equal(lone.toString(), 'abc\rx');
  });

  test('content ending in CR before a bare-LF delimiter loses that CR, as in ASP.NET', async () => {
    // `\r` `\n--edge` reads as one CRLF delimiter; only a second CR survives.
    assert.equal((await read('--edge\nContent-Type: application/octet-stream\n\nabc\r\n--edge--')).toString(), 'abc');
    assert.equal((await read('--edge\nContent-Type: application/octet-stream\n\nabc\r\r\n--edge--')).toString(), 'abc\r');
  });

  test('an empty file part, and one with no headers before the file', async () => {
    assert.equal((await read('--edge\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--edge--')).length, 0);
    assert.equal((await read('--edge\nContent-Type: application/octet-stream\n\n\n--edge--')).length, 0);
    assert.equal((await read('--edge\r\n\r\nfield\r\n--edge\r\nContent-Type: application/octet-stream\r\n\r\nf\r\n--edge--')).toString(), 'f');
  });

  test('a part without a filename but with a binary Content-Type is the file; text/* and untyped ones are not', async () => {
    const body = [
      '--edge',
      'Content-Disposition: form-data; name="notes"',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'notes',
      '--edge',
      'Content-Disposition: form-data; name="untyped"',
      '',
      'untyped',
      '--edge',
      'Content-Disposition: form-data; name="package"',
      'Content-Type: Application/Octet-Stream',
      '',
      'the package',
      '--edge--',
    ].join('\r\n');
    assert.equal((await read(body)).toString(), 'the package');
    const filenameStar = "--edge\r\nContent-Disposition: form-data; name=p; filename*=UTF-8''%E2%82%AC.nupkg\r\n\r\nstar\r\n--edge--";
    assert.equal((await read(filenameStar)).toString(), 'star');
  });

  test('Content-Disposition with quoted values holding ; and escaped quotes', async () => {
    const body =
      '--edge\r\nContent-Disposition: form-data; name="a;filename=no"\r\n\r\nfield\r\n' +
      '--edge\r\ncontent-disposition: form-data; name="p"; filename="we \\"said\\"; hi.nupkg"\r\n\r\nfile\r\n--edge--';
    assert.equal((await read(body)).toString(), 'file');
  });

  test('header names are case-insensitive, folded lines continue a header', async () => {
    const body = '--edge\r\nCONTENT-DISPOSITION: form-data; name="p";\r\n filename="p.nupkg"\r\n\r\nfolded\r\n--edge--';
    assert.equal((await read(body)).toString(), 'folded');
  });

  test('the rest of the body after the close delimiter is ignored, and drained', async () => {
    const source = new PassThrough();
    const pending = readFirstFilePart(source, boundary);
    source.write('--edge\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--edge--\r\n');
    const { file, completed } = await pending;
    assert.equal(Buffer.concat(await file.toArray()).toString(), 'abc');
    await completed; // before the body has ended
    source.write(Buffer.alloc(256 * 1024, '-'));
    source.end('\r\n--edge\r\ngarbage');
    await new Promise((resolve) => source.on('end', resolve));
  });

  test('resolves as soon as the file part begins, and streams it', async () => {
    const source = new PassThrough();
    const pending = readFirstFilePart(source, boundary);
    source.write('--edge\r\nContent-Type: application/octet-stream\r\n\r\nfirst bytes');
    const { file, completed } = await pending;
    const first = await new Promise<Buffer>((resolve) => file.once('data', resolve));
    assert.equal(first.toString(), 'first bytes');
    const rest = file.toArray();
    source.end(' and the rest\r\n--edge--');
    assert.equal(Buffer.concat(await rest).toString(), ' and the rest');
    await completed;
  });
});

describe('readFirstFilePart refusals', { timeout: 30_000 }, () => {
  const boundary = 'refuse';
  const head = `--${boundary}\r\n${FILE_HEADERS.join('\r\n')}\r\n\r\n`;
  const isError = (reason: MultipartError['reason'], pattern?: RegExp) => (error: unknown) =>
    error instanceof MultipartError && error.reason === reason && (pattern === undefined || pattern.test(error.message));

  test('a body that ends after the file part but without the close delimiter: the file ends, completed rejects', async () => {
    for (const tail of ['\r\n--refuse\r\n', '\r\n--refuse\r\nContent-Disposition: form-data; name="x"\r\n\r\nabc', '\n--refuse \t\n']) {
      const { file, completed } = await readFirstFilePart(sourceOf([Buffer.from(head + 'content' + tail)]), boundary);
      assert.equal(Buffer.concat(await file.toArray()).toString(), 'content');
      await assert.rejects(completed, isError('truncated', /before the closing boundary/));
    }
  });

  test('a body that ends in the middle of the file (or on an undecided delimiter): the file errors', async () => {
    for (const tail of ['', '\r', '\r\n', '\r\n--refu', '\r\n--refuse', '\r\n--refuse-']) {
      const { file, completed } = await readFirstFilePart(sourceOf([Buffer.from(head + 'content' + tail)]), boundary);
      await assert.rejects(file.toArray(), isError('truncated', /middle of the package file/), JSON.stringify(tail));
      await assert.rejects(completed, isError('truncated'));
    }
  });

  test('a source destroyed mid-file (with or without an error): the file errors', async () => {
    for (const cause of [new Error('socket hang up'), undefined]) {
      const source = new PassThrough();
      const pending = readFirstFilePart(source, boundary);
      source.write(head + 'partial content');
      const { file, completed } = await pending;
      const read = file.toArray();
      source.destroy(cause);
      await assert.rejects(read, isError('truncated', /middle of the package file/));
      await assert.rejects(completed, isError('truncated'));
    }
  });

  test('a source that errors before the file part rejects', async () => {
    const source = new PassThrough();
    const pending = readFirstFilePart(source, boundary);
    source.write('--refuse\r\n');
    source.destroy(new Error('aborted'));
    await assert.rejects(pending, isError('no-file'));
  });

  test('no file part: rejects at the close delimiter, or when the body ends', async () => {
    const onlyFields = `--refuse\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--refuse--`;
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from(onlyFields)]), boundary), isError('no-file', /contains no package file/));
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from('--refuse--\r\n')]), boundary), isError('no-file'));
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from('just some bytes')]), boundary), isError('no-file', /contains no package file/));
    await assert.rejects(readFirstFilePart(sourceOf([]), boundary), isError('no-file'));
    // Still pending until then: the reader does not guess from a body that has not ended.
    const source = new PassThrough();
    const pending = readFirstFilePart(source, boundary);
    source.write(`--refuse\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`);
    const early = await Promise.race([pending.then(() => 'settled', () => 'settled'), sleep(20).then(() => 'pending')]);
    assert.equal(early, 'pending');
    source.end('\r\n--refuse--');
    await assert.rejects(pending, isError('no-file'));
  });

  test('a header block over the limit, or too many header lines', async () => {
    const big = `--refuse\r\nX-Filler: ${'a'.repeat(17 * 1024)}\r\n${FILE_HEADERS.join('\r\n')}\r\n\r\nx\r\n--refuse--`;
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from(big)]), boundary), isError('limit', /headers exceed the limit of 16384 bytes/));
    const endless = `--refuse\r\n${'X-Filler: a\r\n'.repeat(51)}\r\nx\r\n--refuse--`;
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from(endless)]), boundary), isError('limit', /more than 50 header lines/));
    const padded = `--refuse${' '.repeat(17 * 1024)}\r\n\r\nx\r\n--refuse--`;
    await assert.rejects(readFirstFilePart(sourceOf([Buffer.from(padded)]), boundary), isError('limit', /headers exceed/));
  });

  test('too many parts, before or after the file', async () => {
    const fields = (count: number) => Array.from({ length: count }, (_, i) => field(`f${i}`, 'v'));
    const before = buildBody([...fields(25), { headers: FILE_HEADERS, content: Buffer.from('x') }], { boundary, newline: () => '\r\n' });
    await assert.rejects(readFirstFilePart(sourceOf([before.body]), boundary), isError('limit', /more than 25 parts/));
    const after = buildBody([{ headers: FILE_HEADERS, content: Buffer.from('x') }, ...fields(25)], { boundary, newline: () => '\r\n' });
    const { file, completed } = await readFirstFilePart(sourceOf([after.body]), boundary);
    assert.equal(Buffer.concat(await file.toArray()).toString(), 'x');
    await assert.rejects(completed, isError('limit', /more than 25 parts/));
    const limited = buildBody([...fields(2), { headers: FILE_HEADERS, content: Buffer.from('x') }], { boundary, newline: () => '\r\n' });
    await assert.rejects(readFirstFilePart(sourceOf([limited.body]), boundary, { maxParts: 2 }), isError('limit', /more than 2 parts/));
  });

  test('non-file bytes over the limit, and a preamble over its limit', async () => {
    const large = buildBody([field('a', 'x'.repeat(600 * 1024)), field('b', 'y'.repeat(600 * 1024)), { headers: FILE_HEADERS, content: Buffer.from('x') }], {
      boundary,
      newline: () => '\r\n',
    });
    await assert.rejects(readFirstFilePart(sourceOf([large.body]), boundary), isError('limit', /other than the package exceed the limit of 1048576 bytes/));
    const after = buildBody([{ headers: FILE_HEADERS, content: Buffer.from('x') }, field('b', 'y'.repeat(2000))], { boundary, newline: () => '\r\n' });
    const { completed } = await readFirstFilePart(sourceOf([after.body]), boundary, { maxNonFileBytes: 1000 });
    await assert.rejects(completed, isError('limit', /limit of 1000 bytes/));
    const preamble = buildBody([{ headers: FILE_HEADERS, content: Buffer.from('x') }], { boundary, newline: () => '\r\n', preamble: 'p'.repeat(65 * 1024) });
    await assert.rejects(readFirstFilePart(sourceOf([preamble.body]), boundary), isError('limit', /preamble exceeds the limit of 65536 bytes/));
    const exact = buildBody([{ headers: FILE_HEADERS, content: Buffer.from('x') }], { boundary, newline: () => '\r\n', preamble: 'p'.repeat(64 * 1024) });
    assert.equal((await readFile([exact.body], boundary)).toString(), 'x');
  });

  test('malformed framing: junk after a boundary, a lone CR there, a header line without a colon', async () => {
    for (const body of [
      '--refuse junk\r\n\r\nx\r\n--refuse--',
      '--refuse\rx\r\n\r\nx\r\n--refuse--',
      '--refuse\r\nnot a header\r\n\r\nx\r\n--refuse--',
      '--refuse\r\n: no name\r\n\r\nx\r\n--refuse--',
    ]) {
      await assert.rejects(readFirstFilePart(sourceOf([Buffer.from(body)]), boundary), isError('malformed'), JSON.stringify(body));
    }
  });

  test('an invalid boundary argument', async () => {
    await assert.rejects(readFirstFilePart(sourceOf([]), ''), isError('invalid-content-type'));
    await assert.rejects(readFirstFilePart(sourceOf([]), 'a\r\nb'), isError('invalid-content-type'));
  });
});

describe('readFirstFilePart streaming', { timeout: 30_000 }, () => {
  test('a slow consumer pauses the source: its buffered bytes stay bounded (20 MiB body)', async () => {
    const boundary = 'slow';
    const chunkSize = 64 * 1024;
    const fileSize = 20 * 1024 * 1024;
    const head = Buffer.from(`--${boundary}\r\n${FILE_HEADERS.join('\r\n')}\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let produced = 0;
    let fileProduced = 0;
    const source = new Readable({
      read() {
        if (produced === 0) {
          produced += head.length;
          this.push(head);
        } else if (fileProduced < fileSize) {
          const chunk = Buffer.alloc(Math.min(chunkSize, fileSize - fileProduced), fileProduced & 0xff);
          fileProduced += chunk.length;
          produced += chunk.length;
          this.push(chunk);
        } else {
          this.push(tail);
          this.push(null);
        }
      },
    });
    const { file, completed } = await readFirstFilePart(source, boundary);
    let consumed = 0;
    let maxAhead = 0;
    let sawPaused = false;
    for await (const chunk of file) {
      consumed += (chunk as Buffer).length;
      maxAhead = Math.max(maxAhead, produced - head.length - consumed);
      await sleep(1);
      if (source.isPaused()) sawPaused = true; // checked while this consumer is idle
    }
    await completed;
    assert.equal(consumed, fileSize);
    assert.ok(sawPaused, 'the source was never paused');
    assert.ok(maxAhead <= 512 * 1024, `the source ran ${maxAhead} bytes ahead of the consumer`);
  });

  test('a consumer that destroys the file stream: the form is still read to its end', async () => {
    const boundary = 'drop';
    const content = Buffer.alloc(1024 * 1024, 7);
    const { body } = buildBody([{ headers: FILE_HEADERS, content }, field('after', 'x')], { boundary, newline: () => '\r\n' });
    const source = sourceOf(chunksOf(body, Array.from({ length: 64 }, (_, i) => (i + 1) * 16 * 1024)));
    const { file, completed } = await readFirstFilePart(source, boundary);
    await new Promise((resolve) => file.once('data', resolve));
    file.destroy();
    await completed;
  });

  test('aborting lets go of the body: no listener of the reader is left, the body stays paused, the file errors', async () => {
    const boundary = 'abort';
    const content = Buffer.alloc(256 * 1024, 9);
    const { body } = buildBody([{ headers: FILE_HEADERS, content }], { boundary, newline: () => '\r\n' });
    const source = new PassThrough();
    const listenersBefore = ['data', 'end', 'error', 'close'].map((event) => source.listenerCount(event));
    const controller = new AbortController();
    source.write(body.subarray(0, 1024));
    const { file, completed } = await readFirstFilePart(source, boundary, { signal: controller.signal });
    const fileFailed = new Promise<Error>((resolve) => file.once('error', resolve));
    file.resume();
    controller.abort();
    assert.equal((await fileFailed).message, 'The upload was no longer read.');
    await assert.rejects(completed, (error: unknown) => error instanceof MultipartError && error.reason === 'aborted');
    assert.deepEqual(['data', 'end', 'error', 'close'].map((event) => source.listenerCount(event)), listenersBefore);
    assert.ok(source.isPaused());
    source.write(body.subarray(1024));
    assert.ok(source.readableLength > 0, 'the rest of the body waits, unread, for the caller');
  });

  test('aborting after a failure stops the drain the reader would otherwise do', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    const pending = readFirstFilePart(source, 'x', { signal: controller.signal, maxPreambleBytes: 10 });
    source.write(Buffer.alloc(100, 0x61));
    await assert.rejects(pending, (error: unknown) => error instanceof MultipartError && error.reason === 'limit');
    controller.abort();
    source.write(Buffer.alloc(100, 0x61));
    assert.equal(source.listenerCount('data'), 0);
    assert.ok(source.readableLength > 0);
  });

  test('an already aborted signal reads nothing', async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readFirstFilePart(source, 'x', { signal: controller.signal }), (error: unknown) => error instanceof MultipartError && error.reason === 'aborted');
    assert.equal(source.listenerCount('data'), 0);
  });
});
