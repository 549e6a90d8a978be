/**
 * Slow and stalled clients over real sockets: trickled headers, trickled bodies with and without a key,
 * a body the server answered without reading, a refusal while the client is still sending, and the cap
 * on uploads at once. Each must end within its timeout, free its spool file and leave the server answering.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, multipartBody, startInProcess, type InProcessPallet } from '../support/in-process.ts';

/** What a raw socket saw: the bytes the server sent, and when (ms after `start`) it closed. */
interface SocketOutcome {
  readonly received: string;
  readonly closedAfterMs: number;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `head` at once, then `trickle` one byte every `everyMs`, until the server closes the socket (or `giveUpMs`). */
async function trickle(port: number, head: string, trickleText: string, everyMs: number, giveUpMs: number): Promise<SocketOutcome> {
  const socket = await openSocket(port);
  const start = Date.now();
  let received = '';
  let closed = false;
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - start)));
  void closedAt.then(() => (closed = true));
  socket.write(head);
  for (let index = 0; !closed && Date.now() - start < giveUpMs; index++) {
    if (!socket.destroyed) socket.write(trickleText[index % trickleText.length] as string);
    await delay(everyMs);
  }
  if (!closed) socket.destroy();
  return { received, closedAfterMs: await closedAt };
}

const TIMEOUTS = { headersTimeout: '1s', bodyTimeout: '1s', requestTimeout: '20s', shutdownTimeout: '1s' };

describe('slow and stalled clients', () => {
  let pallet: InProcessPallet;
  let port: number;
  const tempFiles = () => readdir(path.join(pallet.dataDir, 'tmp'));

  before(async () => {
    pallet = await startInProcess({ flags: { host: '127.0.0.1', port: '0', maxConcurrentUploads: '2', maxPackageSize: '2MiB', ...TIMEOUTS }, captureLogs: true });
    ({ port } = await pallet.app.listen());
  });
  after(() => pallet.close());

  it('cuts off trickled headers after headersTimeout', async () => {
    const outcome = await trickle(port, 'GET /v3/index.json HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaaaaaaaaaa\r\n', 100, 10_000);
    assert.ok(outcome.closedAfterMs < 4000, `closed after ${outcome.closedAfterMs} ms`);
    assert.match(outcome.received, /^HTTP\/1\.1 408 The request did not arrive in time/);
    const logged = pallet.logRecords().find((record) => record.msg === 'request refused' && record.code === 'ERR_HTTP_REQUEST_TIMEOUT');
    assert.equal(logged?.clientAddress, '127.0.0.1');
  });

  it('answers bytes that are not HTTP with 400 and logs it', async () => {
    const outcome = await trickle(port, 'HELLO THERE\r\n\r\n', ' ', 100, 3000);
    assert.match(outcome.received, /^HTTP\/1\.1 400 The request is not valid HTTP/);
    assert.ok(pallet.logRecords().some((record) => record.msg === 'request refused' && record.status === 400 && record.clientAddress === '127.0.0.1'));
  });

  it('answers 408 to a push whose body trickles in, and removes its spool file', async () => {
    const { payload, contentType } = multipartBody(buildNupkg({ id: 'Slow.Push', version: '1.0.0' }));
    const head =
      `PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NuGet-ApiKey: ${API_KEY}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Length: ${payload.length}\r\n\r\n${payload.subarray(0, 300).toString('latin1')}`;
    const outcome = await trickle(port, head, payload.subarray(300).toString('latin1'), 100, 10_000);
    assert.match(outcome.received, /^HTTP\/1\.1 408 The upload stalled: less than 16 KiB arrived in 1 s \(bodyTimeout\)\./);
    assert.ok(outcome.closedAfterMs < 5000, `closed after ${outcome.closedAfterMs} ms`);
    assert.deepEqual(await tempFiles(), []);
    assert.equal((await pallet.get('/v3/package/slow.push/index.json')).statusCode, 404, 'nothing stored');
  });

  it('answers a trickled push without a key at once, then closes the connection within bodyTimeout', async () => {
    const head = 'PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n';
    const outcome = await trickle(port, head, 'PK', 100, 10_000);
    assert.match(outcome.received, /^HTTP\/1\.1 401 An API key is required to push packages/);
    assert.ok(outcome.closedAfterMs < 3000, `closed after ${outcome.closedAfterMs} ms`);
  });

  it('answers a read that carries a trickled body, then closes the connection', async () => {
    const head = 'GET /v3/index.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n';
    const outcome = await trickle(port, head, 'x', 100, 10_000);
    assert.match(outcome.received, /^HTTP\/1\.1 200 OK/);
    assert.ok(outcome.closedAfterMs < 3000, `closed after ${outcome.closedAfterMs} ms`);
  });

  it('lets a client still sending a body the server never read get the 403', async () => {
    // 8 MiB sent as fast as the socket takes it, after the server has already refused the key.
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    const answer = await new Promise<{ status: number | undefined; reason: string | undefined }>((resolve, reject) => {
      const call = request(
        { host: '127.0.0.1', port, method: 'PUT', path: '/api/v2/package/', headers: { 'x-nuget-apikey': 'wrong-key-1234', 'content-type': 'application/octet-stream', 'content-length': body.length } },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode, reason: response.statusMessage }));
        },
      );
      call.on('error', reject);
      call.end(body);
    });
    assert.equal(answer.status, 403);
    assert.match(answer.reason ?? '', /API key is invalid/);
  });

  it('lets a client whose push passed the size limit mid-body send the rest and read the 413, and drops the spool file', async () => {
    // Chunked, as the NuGet client sends it: the limit is found after the server has read part of the body,
    // so Node itself would leave the rest unread, and the client would hang (then see a reset) mid-send.
    // A raw socket, because Node's own HTTP client stops sending once it has a complete answer.
    const { payload, contentType } = multipartBody(Buffer.alloc(8 * 1024 * 1024, 3));
    const socket = await openSocket(port);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const started = Date.now();
    socket.write(`PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NuGet-ApiKey: ${API_KEY}\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const sentAfterMs = await new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      let offset = 0;
      const writeMore = () => {
        while (offset < payload.length) {
          const chunk = payload.subarray(offset, offset + 64 * 1024);
          offset += chunk.length;
          if (!socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))) {
            socket.once('drain', writeMore);
            return;
          }
        }
        socket.write('0\r\n\r\n', () => resolve(Date.now() - started));
      };
      writeMore();
    });
    assert.ok(sentAfterMs < 5000, `the client could send its body only after ${sentAfterMs} ms`);
    for (let attempt = 0; attempt < 100 && !received.includes('\r\n\r\n'); attempt++) await delay(20);
    assert.match(received, /^HTTP\/1\.1 413 The package file exceeds the size limit of 2097152 bytes\./);
    socket.destroy();
    assert.deepEqual(await tempFiles(), []);
  });

  it('answers 503 with Retry-After past maxConcurrentUploads, and frees the slots when the uploads end', async () => {
    const stalled: Socket[] = [];
    for (let index = 0; index < 2; index++) {
      const socket = await openSocket(port);
      socket.on('error', () => undefined);
      socket.write(`PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NuGet-ApiKey: ${API_KEY}\r\nContent-Type: application/octet-stream\r\nContent-Length: 50000\r\n\r\nPK`);
      stalled.push(socket);
    }
    await delay(200);
    const refused = await pallet.push(buildNupkg({ id: 'Slow.Third', version: '1.0.0' }));
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.match(refused.statusMessage, /already receiving 2 packages \(maxConcurrentUploads\)/);
    for (const socket of stalled) socket.destroy();
    await delay(200);
    await pallet.pushOk(buildNupkg({ id: 'Slow.Third', version: '1.0.0' }));
    assert.deepEqual(await tempFiles(), []);
  });

  it('keeps answering reads throughout', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
  });
});
