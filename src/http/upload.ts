/**
 * Streams a push body to a temp file, hashing (SHA-512) and counting on the way, never holding it in
 * memory. The client sends one multipart part with no Content-Length (chunked), so the size limit is
 * enforced while reading. A body that is not multipart is taken as the raw .nupkg, as BaGetter does.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#request-parameters
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { AppError } from '../errors.ts';
import type { SpooledUpload } from '../app/packages/spooled-upload.ts';

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The package file exceeds the size limit of ${maxBytes} bytes.`);
}

export async function spoolUpload(request: IncomingMessage, options: { tempDir: string; maxBytes: number }): Promise<SpooledUpload> {
  const declaredLength = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes + 64 * 1024) throw tooLarge(options.maxBytes);

  const contentType = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) return writeToTempFile(request, options);

  const multipart = await firstFilePart(request, options.maxBytes);
  const upload = await writeToTempFile(multipart.file, options);
  try {
    // The file part can end cleanly while the form itself is cut off (no closing boundary): that body is
    // incomplete, so the upload is refused even though the bytes received so far may form a valid zip.
    await multipart.finished;
  } catch (error) {
    await rm(upload.path, { force: true });
    throw new AppError('INVALID_REQUEST', `The upload was interrupted before it completed (${(error as Error).message}).`, { cause: error });
  }
  return upload;
}

/**
 * Resolves with the first file part's stream, and a promise of the whole form being read; later parts are
 * skipped (the docs say to take the first).
 */
function firstFilePart(request: IncomingMessage, maxBytes: number): Promise<{ file: Readable; finished: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes + 1, fields: 20, parts: 25 } });
    } catch (error) {
      reject(new AppError('INVALID_REQUEST', `The upload is not valid multipart/form-data (${(error as Error).message}).`));
      return;
    }
    let found = false;
    const finished = new Promise<void>((resolveFinished, rejectFinished) => {
      parser.on('close', () => resolveFinished());
      parser.on('error', (error) => rejectFinished(error as Error));
    });
    // Observed here so a failure before the caller awaits it is never an unhandled rejection.
    finished.catch(() => undefined);
    parser.on('file', (_name, file) => {
      if (found) {
        file.resume();
        return;
      }
      found = true;
      // busboy also fails the file stream when the form is cut off after the file ended; the pipeline has
      // let go of it by then, and `finished` reports that failure, so this listener only keeps it handled.
      file.on('error', () => undefined);
      resolve({ file, finished });
    });
    parser.on('error', (error) => {
      if (!found) reject(new AppError('INVALID_REQUEST', `The upload is not valid multipart/form-data (${(error as Error).message}).`));
    });
    parser.on('close', () => {
      if (!found) reject(new AppError('INVALID_PACKAGE', 'The upload contains no package file.'));
    });
    // pipe() does not pass on a client that disconnects: fail the parser then, so the file stream errors,
    // the temp file is removed and the request ends, instead of waiting forever.
    request.on('close', () => {
      if (!request.complete) parser.destroy(new Error('the client disconnected before the upload completed'));
    });
    request.pipe(parser);
  });
}

async function writeToTempFile(body: Readable, options: { tempDir: string; maxBytes: number }): Promise<SpooledUpload> {
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
  try {
    // flush: the bytes reach the disk before the file is renamed into the blob store and its row committed.
    await pipeline(body, meter, createWriteStream(tempPath, { flags: 'wx', flush: true }));
  } catch (error) {
    await rm(tempPath, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_REQUEST', `The upload was interrupted before it completed (${(error as Error).message}).`, { cause: error });
  }
  if (size === 0) {
    await rm(tempPath, { force: true });
    throw new AppError('INVALID_PACKAGE', 'The package is invalid: the uploaded file is empty.');
  }
  return { path: tempPath, size, sha512Hex: hash.digest('hex') };
}
