/**
 * A streaming multipart/form-data reader that hands out the first file part and skips everything else.
 * RFC 7578 (multipart/form-data): https://www.rfc-editor.org/rfc/rfc7578
 * RFC 2046 §5.1.1 (the framing): https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1
 *
 * Why our own: the RFC asks for CRLF everywhere, but `paket push` on Linux/macOS writes bare `\n` (at least
 * before the closing boundary), and ASP.NET's reader, which nuget.org runs, accepts that. So this reader
 * takes CRLF or a bare LF wherever the RFC has a CRLF: after a boundary line, between header lines, for the
 * blank line ending the headers, and before every delimiter.
 *
 * Framing, as read here (the RFC grammar, with `CRLF` widened to `[CR] LF`):
 *
 *     [preamble [CR] LF] "--" boundary padding [CR] LF      first delimiter (no newline needed at offset 0)
 *     *header-line [CR] LF                                  headers, ended by an empty line
 *     content                                               any bytes
 *     [CR] LF "--" boundary padding [CR] LF                 next part ...
 *     [CR] LF "--" boundary "--" epilogue                   close (the epilogue is drained and ignored)
 *
 * where padding is spaces/tabs. `[CR] LF "--" boundary` followed by anything other than `--`, a space, a tab,
 * CR or LF is not a delimiter (`--boundaryX` may be a line of content, or a longer boundary), and stays
 * content. A part's content is exactly the bytes between its header block and the newline before the next
 * delimiter. One consequence, shared with ASP.NET: content that ends in CR, followed by a bare-LF delimiter,
 * loses that CR (`…\r` `\n--boundary` reads as a CRLF delimiter); a compliant client sends CRLF there, so
 * the only content that can lose a byte is from a client that breaks the RFC in just that way.
 *
 * Memory: the file content is never buffered here; it is pushed to the `file` stream as slices of the
 * incoming chunks. Only the tail of a chunk that could begin a delimiter is held back (at most the
 * delimiter, its CR and one byte of look-ahead), and only a part's header block (bounded) is copied.
 */
import { Readable } from 'node:stream';
import { parseContentDisposition, parseParameterizedHeader } from './content-disposition.ts';

export type MultipartErrorReason =
  | 'invalid-content-type' // no usable boundary in the Content-Type
  | 'malformed' // the framing or a header line is not multipart
  | 'truncated' // the body ended, failed or was destroyed before the closing delimiter
  | 'limit' // a limit in MultipartLimits was exceeded
  | 'no-file' // the form has no file part
  | 'aborted'; // the caller stopped the reading (its AbortSignal fired)

export class MultipartError extends Error {
  readonly reason: MultipartErrorReason;

  constructor(reason: MultipartErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MultipartError';
    this.reason = reason;
  }
}

export interface MultipartLimits {
  /** Bytes in one part's header block, its line endings (and the padding after its boundary) included. */
  readonly maxHeaderBytes: number;
  /** Header lines in one part (continuation lines included). */
  readonly maxHeaderLines: number;
  /** Parts in the whole form, the file part included. */
  readonly maxParts: number;
  /** Content bytes of all the parts that are not the file, together. */
  readonly maxNonFileBytes: number;
  /** Bytes before the first delimiter. */
  readonly maxPreambleBytes: number;
}

export const DEFAULT_MULTIPART_LIMITS: Readonly<MultipartLimits> = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxHeaderLines: 50,
  maxParts: 25,
  maxNonFileBytes: 1024 * 1024,
  maxPreambleBytes: 64 * 1024,
});

export interface FirstFilePart {
  /** The file part's content bytes. Errors if the body stops before the part's end. */
  readonly file: Readable;
  /**
   * Resolves once the closing delimiter has been read; rejects with a MultipartError if the body ends,
   * fails or is destroyed before it, if the framing is malformed, or if a limit is exceeded. Already
   * observed, so a rejection nobody awaits is not an unhandled rejection.
   */
  readonly completed: Promise<void>;
}

// The boundary's allowed characters, RFC 2046 §5.1.1 `bchars`: 1 to 70, and not ending in a space.
const BOUNDARY_PATTERN = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The `boundary` parameter of a `multipart/form-data` Content-Type; throws a MultipartError if none. */
export function boundaryOf(contentType: string): string {
  const { value, parameters } = parseParameterizedHeader(contentType);
  if (value !== 'multipart/form-data') {
    throw new MultipartError('invalid-content-type', `The Content-Type is not multipart/form-data (it is "${value}").`);
  }
  const boundary = parameters.get('boundary');
  if (boundary === undefined) {
    throw new MultipartError('invalid-content-type', 'The multipart/form-data Content-Type has no boundary parameter.');
  }
  // Trailing whitespace (even inside quotes) is dropped: the body's delimiter lines may then carry it,
  // and they still match, as transport padding.
  const trimmed = boundary.replace(/[ \t]+$/, '');
  if (!BOUNDARY_PATTERN.test(trimmed)) {
    throw new MultipartError(
      'invalid-content-type',
      'The multipart boundary is invalid: RFC 2046 allows 1 to 70 characters from letters, digits and \'()+_,-./:=? and space, not ending in a space.',
    );
  }
  return trimmed;
}

/**
 * Reads `body` as multipart/form-data and resolves as soon as the first file part's headers are read.
 * The file part is the first one whose Content-Disposition has `filename` or `filename*` (RFC 7578 §4.2),
 * or, since some clients leave the name out, whose Content-Type is present and not text/*. Every other part
 * is read and dropped (bounded by `maxNonFileBytes`).
 *
 * `body` is paused while `file`'s consumer is behind and resumed when it reads again. If the consumer
 * destroys `file`, the rest of the form is still read (its file bytes dropped), so `body` is drained and
 * `completed` still says whether the form was whole; a caller that wants to stop reading destroys `body`.
 * After a failure, the rest of `body` is drained and ignored, too.
 */
export interface ReadOptions extends Partial<MultipartLimits> {
  /**
   * Stops the reading: the reader lets go of `body` (no listener of its own is left on it, and it is left
   * paused), `file` errors if it is still streaming, and `completed` rejects with reason 'aborted'. This is
   * how a caller that answers early (a refusal) takes the rest of the body over, to drain it within bounds.
   */
  readonly signal?: AbortSignal;
}

export function readFirstFilePart(body: Readable, boundary: string, options: ReadOptions = {}): Promise<FirstFilePart> {
  if (!BOUNDARY_PATTERN.test(boundary)) {
    return Promise.reject(new MultipartError('invalid-content-type', 'The multipart boundary is invalid (RFC 2046 §5.1.1).'));
  }
  return new Promise((resolve, reject) => {
    const reader = new FormReader(body, boundary, withDefaults(options), resolve, reject);
    if (options.signal?.aborted) {
      reader.abort();
      return;
    }
    options.signal?.addEventListener('abort', () => reader.abort(), { once: true });
    reader.start();
  });
}

function withDefaults(limits: Partial<MultipartLimits>): MultipartLimits {
  const d = DEFAULT_MULTIPART_LIMITS;
  return {
    maxHeaderBytes: limits.maxHeaderBytes ?? d.maxHeaderBytes,
    maxHeaderLines: limits.maxHeaderLines ?? d.maxHeaderLines,
    maxParts: limits.maxParts ?? d.maxParts,
    maxNonFileBytes: limits.maxNonFileBytes ?? d.maxNonFileBytes,
    maxPreambleBytes: limits.maxPreambleBytes ?? d.maxPreambleBytes,
  };
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;

/** What a `\n--boundary` occurrence turned out to be, looking at the bytes after it. */
type Verdict =
  | { readonly kind: 'part'; readonly end: number } // a delimiter; `end` is just after the boundary
  | { readonly kind: 'close'; readonly end: number } // the close delimiter; `end` is just after its `--`
  | { readonly kind: 'not-delimiter' }
  | { readonly kind: 'need-more' };

const NOT_DELIMITER: Verdict = { kind: 'not-delimiter' };
const NEED_MORE: Verdict = { kind: 'need-more' };

/** Where the content bytes being scanned go. */
type Sink = 'preamble' | 'file' | 'skipped-part' | 'dropped-file';

type State =
  | 'content' // scanning content (or the preamble) for the next delimiter
  | 'delimiter-line' // after a boundary: padding, then [CR] LF
  | 'delimiter-line-cr' // after a boundary line's CR: LF must follow
  | 'headers'
  | 'done'; // the close delimiter was read, or the form failed: the rest of the body is drained

function noop(): void {}

class FormReader {
  readonly #body: Readable;
  readonly #limits: MultipartLimits;
  /** `\n--boundary`: every delimiter but (possibly) the first starts with it, optionally after a CR. */
  readonly #delimiter: Buffer;
  readonly #resolveFile: (part: FirstFilePart) => void;
  readonly #rejectFile: (error: MultipartError) => void;
  readonly #completed: Promise<void>;
  #resolveCompleted: () => void = noop;
  #rejectCompleted: (error: MultipartError) => void = noop;

  #state: State = 'content';
  #sink: Sink = 'preamble';
  /**
   * The held-back tail of the previous chunk that may begin a delimiter (`\r`, or `[\r]\n` and a prefix of
   * `--boundary`, plus at most one look-ahead byte). It starts as a virtual `\n`, so that a delimiter at the
   * very start of the body, which has no newline before it, is found like every other one.
   */
  #carry: Buffer | undefined = Buffer.from([LF]);
  #preambleBytes = -1; // the virtual newline above is not the client's
  #nonFileBytes = 0;
  #parts = 0;
  #headerBytes = 0;
  #headerLines: string[] = [];
  #headerLineCount = 0;
  #headerLineStart: Buffer[] = []; // a header line split across chunks
  #file: Readable | undefined;
  #pausedForFile = false;

  constructor(
    body: Readable,
    boundary: string,
    limits: MultipartLimits,
    resolveFile: (part: FirstFilePart) => void,
    rejectFile: (error: MultipartError) => void,
  ) {
    this.#body = body;
    this.#limits = limits;
    this.#delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
    this.#resolveFile = resolveFile;
    this.#rejectFile = rejectFile;
    this.#completed = new Promise<void>((resolve, reject) => {
      this.#resolveCompleted = resolve;
      this.#rejectCompleted = reject;
    });
    // Observed here so a failure before (or without) the caller awaiting it is never an unhandled rejection.
    this.#completed.catch(noop);
  }

  readonly #listeners = {
    data: (chunk: Buffer | string) => this.#onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
    end: () => this.#onBodyStopped(undefined),
    error: (error: Error) => this.#onBodyStopped(error),
    // A body destroyed without an error (a client that disconnects can look like this) only closes.
    close: () => this.#onBodyStopped(undefined),
  };
  #detached = false;

  start(): void {
    const body = this.#body;
    body.on('data', this.#listeners.data);
    body.on('end', this.#listeners.end);
    body.on('error', this.#listeners.error);
    body.on('close', this.#listeners.close);
    body.resume(); // 'data' alone does not restart a body that was paused explicitly before
  }

  /** See ReadOptions.signal. Works in any state, a failed one included, so the body is never drained here after it. */
  abort(): void {
    if (this.#detached) return;
    this.#detached = true;
    const body = this.#body;
    body.off('data', this.#listeners.data);
    body.off('end', this.#listeners.end);
    body.off('error', this.#listeners.error);
    body.off('close', this.#listeners.close);
    body.pause();
    this.#pausedForFile = false;
    if (this.#state !== 'done') this.#fail(new MultipartError('aborted', 'The upload was no longer read.'));
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'done' || chunk.length === 0) return;
    try {
      let position = this.#carry === undefined ? 0 : this.#resolveCarry(chunk);
      while (position < chunk.length && !this.#isDone()) position = this.#step(chunk, position);
    } catch (error) {
      if (!(error instanceof MultipartError)) throw error;
      this.#fail(error);
    }
  }

  // A method, not an inline comparison: TypeScript would keep `#state` narrowed across the calls that change it.
  #isDone(): boolean {
    return this.#state === 'done';
  }

  /** Runs the current state on `chunk` from `position`; returns where it stopped. */
  #step(chunk: Buffer, position: number): number {
    switch (this.#state) {
      case 'content':
        return this.#scanContent(chunk, position);
      case 'delimiter-line':
      case 'delimiter-line-cr':
        return this.#readDelimiterLine(chunk, position);
      case 'headers':
        return this.#readHeaders(chunk, position);
      case 'done':
        return chunk.length;
    }
  }

  // ---- content and delimiters ----

  /**
   * Finds the next delimiter from `start` with Buffer.indexOf on the chunk itself; sends the content before
   * it to the sink. With no delimiter in the chunk, holds back only a tail that could begin one.
   */
  #scanContent(chunk: Buffer, start: number): number {
    let from = start;
    for (;;) {
      const found = chunk.indexOf(this.#delimiter, from);
      if (found === -1) {
        const holdFrom = this.#possibleDelimiterStart(chunk, start, from);
        this.#emit(chunk, start, holdFrom);
        this.#carry = holdFrom < chunk.length ? Buffer.from(chunk.subarray(holdFrom)) : undefined; // a copy: do not pin the chunk
        return chunk.length;
      }
      const verdict = this.#classify(chunk, found);
      if (verdict.kind === 'not-delimiter') {
        from = found + 1;
        continue;
      }
      // The CR of a CRLF delimiter is not content (nor is a content CR before a bare-LF one: see the top).
      const contentEnd = found > start && chunk[found - 1] === CR ? found - 1 : found;
      this.#emit(chunk, start, contentEnd);
      if (verdict.kind === 'need-more') {
        this.#carry = Buffer.from(chunk.subarray(contentEnd));
        return chunk.length;
      }
      this.#onDelimiter(verdict.kind);
      return verdict.end;
    }
  }

  /**
   * Where a delimiter might begin in the chunk's tail, beyond `from` (the bytes before `from` are known not
   * to): the last LF if the bytes after it are a prefix of `\n--boundary` (the boundary holds no LF, so no
   * earlier one can be), with the CR before it; else a final CR; else the chunk's end.
   */
  #possibleDelimiterStart(chunk: Buffer, start: number, from: number): number {
    const end = chunk.length;
    // Only the last delimiter-length bytes can hold a partial one; searching just those keeps this O(1).
    const tailStart = Math.max(from, end - this.#delimiter.length + 1);
    const inTail = tailStart >= end ? -1 : chunk.subarray(tailStart).lastIndexOf(LF);
    const lastLf = inTail === -1 ? -1 : tailStart + inTail;
    if (lastLf !== -1 && chunk.compare(this.#delimiter, 0, end - lastLf, lastLf, end) === 0) {
      return lastLf > start && chunk[lastLf - 1] === CR ? lastLf - 1 : lastLf;
    }
    return end > start && chunk[end - 1] === CR ? end - 1 : end;
  }

  /** `at` is an LF in `bytes`: is it the start of a delimiter? */
  #classify(bytes: Buffer, at: number): Verdict {
    const delimiter = this.#delimiter;
    const available = bytes.length - at;
    const compared = Math.min(available, delimiter.length);
    if (bytes.compare(delimiter, 0, compared, at, at + compared) !== 0) return NOT_DELIMITER;
    const next = at + delimiter.length;
    if (available <= delimiter.length) return NEED_MORE;
    const following = bytes[next];
    if (following === DASH) {
      if (available <= delimiter.length + 1) return NEED_MORE;
      // `--boundary-x` is not ours: `-` is a boundary character, so it may be a longer boundary, or content.
      return bytes[next + 1] === DASH ? { kind: 'close', end: next + 2 } : NOT_DELIMITER;
    }
    if (following === SPACE || following === TAB || following === CR || following === LF) return { kind: 'part', end: next };
    return NOT_DELIMITER;
  }

  /**
   * Settles the held-back tail against the start of the new chunk. Only the carry and the few bytes of
   * the chunk that decide it are copied together; returns where in `chunk` to go on.
   */
  #resolveCarry(chunk: Buffer): number {
    const carry = this.#carry;
    if (carry === undefined) return 0;
    this.#carry = undefined;
    const joint = Buffer.concat([carry, chunk.subarray(0, this.#delimiter.length + 2)]);
    const lfAt = joint[0] === CR ? 1 : 0;
    if (joint[lfAt] !== LF) {
      // The carry was a lone CR that no LF follows: it is content.
      this.#emit(carry, 0, carry.length);
      return 0;
    }
    const verdict = this.#classify(joint, lfAt);
    switch (verdict.kind) {
      case 'need-more':
        // Only when the whole chunk is in `joint` and still too short: hold it all (still bounded).
        this.#carry = joint;
        return chunk.length;
      case 'not-delimiter':
        // None of the carry can begin a delimiter now (it held one LF, at `lfAt`), so all of it is content.
        this.#emit(carry, 0, carry.length);
        return 0;
      case 'part':
      case 'close':
        this.#onDelimiter(verdict.kind);
        return verdict.end - carry.length;
    }
  }

  /** Sends content bytes `[start, end)` of `bytes` to the current sink, counting them against the limits. */
  #emit(bytes: Buffer, start: number, end: number): void {
    if (end <= start) return;
    const length = end - start;
    switch (this.#sink) {
      case 'file':
        if (this.#file?.push(bytes.subarray(start, end)) === false && !this.#pausedForFile) {
          // Backpressure: stop reading the body until the file's consumer asks for more (#onFileRead).
          this.#pausedForFile = true;
          this.#body.pause();
        }
        return;
      case 'dropped-file':
        return;
      case 'preamble':
        this.#preambleBytes += length;
        if (this.#preambleBytes > this.#limits.maxPreambleBytes) {
          throw new MultipartError('limit', `The multipart preamble exceeds the limit of ${this.#limits.maxPreambleBytes} bytes.`);
        }
        return;
      case 'skipped-part':
        this.#nonFileBytes += length;
        if (this.#nonFileBytes > this.#limits.maxNonFileBytes) {
          throw new MultipartError('limit', `The form fields other than the package exceed the limit of ${this.#limits.maxNonFileBytes} bytes.`);
        }
        return;
    }
  }

  /** A delimiter ended the current content (or the preamble). */
  #onDelimiter(kind: 'part' | 'close'): void {
    if (this.#sink === 'file') this.#endFile();
    if (kind === 'close') {
      this.#finish();
      return;
    }
    this.#parts++;
    if (this.#parts > this.#limits.maxParts) {
      throw new MultipartError('limit', `The form has more than ${this.#limits.maxParts} parts, the limit.`);
    }
    this.#state = 'delimiter-line';
    this.#headerBytes = 0;
    this.#headerLines = [];
    this.#headerLineCount = 0;
  }

  /** After `--boundary`: transport padding (spaces, tabs), then the line ending. */
  #readDelimiterLine(chunk: Buffer, start: number): number {
    let position = start;
    while (position < chunk.length) {
      const byte = chunk[position++];
      if (this.#state === 'delimiter-line-cr') {
        if (byte !== LF) throw new MultipartError('malformed', 'A multipart boundary line has a CR that is not followed by LF.');
        this.#state = 'headers';
        return position;
      }
      if (byte === LF) {
        this.#state = 'headers';
        return position;
      }
      if (byte === CR) {
        this.#state = 'delimiter-line-cr';
      } else if (byte === SPACE || byte === TAB) {
        this.#countHeaderBytes(1);
      } else {
        throw new MultipartError('malformed', 'A multipart boundary line has unexpected characters after the boundary.');
      }
    }
    return position;
  }

  // ---- headers ----

  /** Collects header lines (LF or CRLF ended) until the empty line; then the part's content begins. */
  #readHeaders(chunk: Buffer, start: number): number {
    let position = start;
    while (position < chunk.length) {
      const lf = chunk.indexOf(LF, position);
      const lineEnd = lf === -1 ? chunk.length : lf;
      this.#countHeaderBytes(lineEnd - position + (lf === -1 ? 0 : 1));
      if (lf === -1) {
        this.#headerLineStart.push(Buffer.from(chunk.subarray(position)));
        return chunk.length;
      }
      const line = this.#takeLine(chunk, position, lineEnd);
      position = lf + 1;
      if (line === '') {
        this.#beginContent();
        return position;
      }
      this.#addHeaderLine(line);
    }
    return position;
  }

  #takeLine(chunk: Buffer, start: number, end: number): string {
    let bytes = chunk.subarray(start, end);
    if (this.#headerLineStart.length > 0) {
      bytes = Buffer.concat([...this.#headerLineStart, bytes]);
      this.#headerLineStart = [];
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    // UTF-8: RFC 7578 §5.1 lets a form carry raw UTF-8 in names and file names.
    return bytes.toString('utf8');
  }

  #addHeaderLine(line: string): void {
    this.#headerLineCount++;
    if (this.#headerLineCount > this.#limits.maxHeaderLines) {
      throw new MultipartError('limit', `A multipart part has more than ${this.#limits.maxHeaderLines} header lines, the limit.`);
    }
    const first = line.charCodeAt(0);
    const last = this.#headerLines.length - 1;
    if ((first === SPACE || first === TAB) && last >= 0) {
      // An obsolete folded line (RFC 5322 §2.2.3) continues the previous header.
      this.#headerLines[last] += ` ${line.trim()}`;
      return;
    }
    if (line.indexOf(':') <= 0) throw new MultipartError('malformed', 'A multipart part has a header line without a name and a colon.');
    this.#headerLines.push(line);
  }

  #countHeaderBytes(count: number): void {
    this.#headerBytes += count;
    if (this.#headerBytes > this.#limits.maxHeaderBytes) {
      throw new MultipartError('limit', `A multipart part's headers exceed the limit of ${this.#limits.maxHeaderBytes} bytes.`);
    }
  }

  #header(name: string): string | undefined {
    for (const line of this.#headerLines) {
      const colon = line.indexOf(':');
      if (line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
    }
    return undefined;
  }

  #beginContent(): void {
    this.#state = 'content';
    if (this.#file === undefined && this.#isFilePart()) {
      this.#sink = 'file';
      this.#file = this.#createFileStream();
      this.#resolveFile({ file: this.#file, completed: this.#completed });
    } else {
      this.#sink = 'skipped-part';
    }
  }

  /** RFC 7578 §4.2: a file has a `filename`; a part with binary content and no name is taken as one too. */
  #isFilePart(): boolean {
    const disposition = this.#header('content-disposition');
    if (disposition !== undefined && parseContentDisposition(disposition).filename !== undefined) return true;
    const contentType = this.#header('content-type');
    if (contentType === undefined) return false;
    const mediaType = parseParameterizedHeader(contentType).value;
    return mediaType !== '' && !mediaType.startsWith('text/');
  }

  // ---- the file stream ----

  #createFileStream(): Readable {
    const file = new Readable({
      read: () => this.#onFileRead(),
      destroy: (error, callback) => {
        this.#onFileDestroyed();
        callback(error);
      },
    });
    // Every failure of `file` also rejects `completed`, so an 'error' its consumer does not listen for
    // (it may have let go of the stream already) must not crash the process.
    file.on('error', noop);
    return file;
  }

  #onFileRead(): void {
    if (!this.#pausedForFile) return;
    this.#pausedForFile = false;
    this.#body.resume();
  }

  /** The consumer gave up on `file` (or it failed): keep reading the form, dropping its bytes. */
  #onFileDestroyed(): void {
    if (this.#sink === 'file') this.#sink = 'dropped-file';
    this.#onFileRead();
  }

  #endFile(): void {
    this.#sink = 'dropped-file';
    this.#file?.push(null);
    // The file's consumer will not ask for more, but the rest of the form must still be read.
    this.#onFileRead();
  }

  // ---- the end ----

  #finish(): void {
    this.#state = 'done';
    this.#carry = undefined;
    if (this.#file === undefined) {
      this.#fail(new MultipartError('no-file', 'The upload contains no package file.'));
      return;
    }
    this.#resolveCompleted();
  }

  #onBodyStopped(error: Error | undefined): void {
    if (this.#state === 'done') return;
    if (this.#file === undefined) {
      this.#fail(new MultipartError('no-file', 'The upload contains no package file (the body ended before the closing boundary).', { cause: error }));
      return;
    }
    const where = this.#sink === 'file' ? 'in the middle of the package file' : 'before the closing boundary';
    const why = error === undefined ? 'the body ended' : `the body failed: ${error.message}`;
    this.#fail(new MultipartError('truncated', `The upload was cut off ${where} (${why}).`, { cause: error }));
  }

  #fail(error: MultipartError): void {
    const wasStreamingFile = this.#sink === 'file';
    this.#state = 'done';
    this.#carry = undefined;
    this.#sink = 'dropped-file';
    if (wasStreamingFile) this.#file?.destroy(error);
    this.#rejectFile(error); // a no-op once the file part was handed out
    this.#rejectCompleted(error);
    // Drain what is left of the body (a paused one would otherwise hold the connection's bytes).
    if (this.#pausedForFile && !this.#detached) {
      this.#pausedForFile = false;
      this.#body.resume();
    }
  }
}
