/**
 * Streams a push body to a temp file, hashing (SHA-512) and counting on the way, never holding it in
 * memory. The client sends one multipart part with no Content-Length (chunked), so the size limit is
 * enforced while reading, and a body that stops arriving is cut off (bodyTimeout). A body that is not
 * multipart is taken as the raw .nupkg, as BaGetter does.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#request-parameters
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.ts';
import type { SpooledUpload } from '../app/packages/spooled-upload.ts';
import { boundaryOf, MultipartError, readFirstFilePart } from './multipart.ts';
import { watchBodyProgress, type ProgressWatch } from './body-guard.ts';

export interface UploadOptions {
  readonly tempDir: string;
  readonly maxBytes: number;
  /** A window in which the body must bring at least 16 KiB, or end. */
  readonly bodyTimeoutMs: number;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The package file exceeds the size limit of ${maxBytes} bytes.`);
}

/**
 * Spools the upload; on any failure the temp file is gone and `request` is left unread and detached, for
 * the caller to answer and then drain (see body-guard.ts).
 */
export async function spoolUpload(request: IncomingMessage, options: UploadOptions): Promise<SpooledUpload> {
  const declaredLength = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes + 64 * 1024) throw tooLarge(options.maxBytes);

  const watch = watchBodyProgress(request, options.bodyTimeoutMs);
  try {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^\s*multipart\/form-data/i.test(contentType)) return await writeToTempFile(request, options, watch);
    return await spoolMultipart(request, contentType, options, watch);
  } finally {
    watch.stop();
  }
}

async function spoolMultipart(request: IncomingMessage, contentType: string, options: UploadOptions, watch: ProgressWatch): Promise<SpooledUpload> {
  const reading = new AbortController();
  try {
    const boundary = boundaryOf(contentType);
    const part = await Promise.race([readFirstFilePart(request, boundary, { signal: reading.signal }), watch.stalled]);
    const upload = await writeToTempFile(part.file, options, watch);
    try {
      // The file part can end cleanly while the form itself is cut off (no closing boundary): that body is
      // incomplete, so the upload is refused even though the bytes received so far may form a valid zip.
      await Promise.race([part.completed, watch.stalled]);
    } catch (error) {
      await rm(upload.path, { force: true });
      throw error;
    }
    return upload;
  } catch (error) {
    // Stop reading the body: the caller answers, then drains what is left within bounds.
    reading.abort();
    throw asUploadError(error);
  }
}

function asUploadError(error: unknown): unknown {
  if (!(error instanceof MultipartError)) return error;
  switch (error.reason) {
    case 'no-file':
      return new AppError('INVALID_PACKAGE', 'The upload contains no package file.');
    case 'truncated':
      return new AppError('INVALID_REQUEST', `The upload was interrupted before it completed (${error.message}).`, { cause: error });
    default:
      return new AppError('INVALID_REQUEST', `The upload is not valid multipart/form-data (${error.message}).`, { cause: error });
  }
}

/** Copies `source` (not owned: it is only unpiped, never destroyed, on failure) into a synced temp file. */
async function writeToTempFile(source: Readable, options: UploadOptions, watch: ProgressWatch): Promise<SpooledUpload> {
  const tempPath = path.join(options.tempDir, `upload-${randomUUID()}.nupkg`);
  const hash = createHash('sha512');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > options.maxBytes) {
        callback(tooLarge(options.maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const fail = (error: unknown) => meter.destroy(error instanceof Error ? error : new Error(String(error)));
  const onSourceClose = () => {
    // A client that disconnects ends the request without completing it; pipe() would just stop.
    if ('complete' in source && !(source as IncomingMessage).complete) fail(new Error('the client disconnected before the upload completed'));
  };
  watch.stalled.catch(fail);
  source.once('error', fail);
  source.once('close', onSourceClose);
  // The source may have failed before this function was called (a body cut off in the same tick its
  // file part began): its 'error' is gone by now, so its state is what tells.
  if (source.errored) fail(source.errored);
  else if (source.destroyed && !source.readableEnded) fail(new Error('the upload stopped before it completed'));
  source.pipe(meter);
  try {
    // flush: the bytes reach the disk before the file is renamed into the blob store and its row committed.
    await pipeline(meter, createWriteStream(tempPath, { flags: 'wx', flush: true }));
  } catch (error) {
    await rm(tempPath, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_REQUEST', `The upload was interrupted before it completed (${(error as Error).message}).`, { cause: error });
  } finally {
    source.unpipe(meter);
    source.off('error', fail);
    source.off('close', onSourceClose);
  }
  if (size === 0) {
    await rm(tempPath, { force: true });
    throw new AppError('INVALID_PACKAGE', 'The package is invalid: the uploaded file is empty.');
  }
  return { path: tempPath, size, sha512Hex: hash.digest('hex') };
}
