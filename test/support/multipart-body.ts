/** A multipart/form-data body with one file part named `package`, as NuGet's push sends it. */
import { randomBytes } from 'node:crypto';

export function multipartBody(file: Buffer, boundary = `pallet-test-${randomBytes(8).toString('hex')}`): { payload: Buffer; contentType: string } {
  const head =
    `--${boundary}\r\n` +
    'Content-Disposition: form-data; name="package"; filename="package.nupkg"\r\n' +
    'Content-Type: application/octet-stream\r\n' +
    '\r\n';
  const payload = Buffer.concat([Buffer.from(head, 'latin1'), file, Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1')]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}
