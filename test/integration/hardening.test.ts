/**
 * Requests a hostile or unlucky client sends: a push cut off mid-upload over a real socket, oversized search
 * queries, router-level refusals. Each must end with a clear answer (or a clean close) and leave nothing behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { API_KEY, startInProcess, type InProcessPallet } from '../support/in-process.ts';

describe('hardening', () => {
  let pallet: InProcessPallet;
  let port: number;

  before(async () => {
    pallet = await startInProcess({ flags: { host: '127.0.0.1', port: '0' } });
    ({ port } = await pallet.app.listen());
    await pallet.pushOk(buildNupkg({ id: 'Hardening.Demo', version: '1.0.0', description: 'demo package' }));
  });
  after(() => pallet.close());

  it('a multipart push cut off mid-upload leaves no temp file and the server keeps answering', async () => {
    const boundary = 'cut-off-upload';
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NuGet-ApiKey: ${API_KEY}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const partHeader = `--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const chunk = Buffer.concat([Buffer.from(partHeader), Buffer.alloc(100 * 1024, 7)]);
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
    const tempDir = path.join(pallet.dataDir, 'tmp');
    for (let attempt = 0; attempt < 50 && (await readdir(tempDir)).length === 0; attempt++) await delay(20);
    assert.equal((await readdir(tempDir)).length, 1, 'the upload is being spooled');

    socket.destroy();
    for (let attempt = 0; attempt < 100 && (await readdir(tempDir)).length > 0; attempt++) await delay(20);
    assert.deepEqual(await readdir(tempDir), [], 'the spooled upload is removed once the client is gone');
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
  });

  it('a search with more terms than anyone types still answers', async () => {
    const q = Array.from({ length: 1100 }, (_, index) => `word${index}`).join(' ');
    const response = await pallet.get(`/v3/search?q=${encodeURIComponent(q)}`);
    assert.equal(response.statusCode, 200);
    assert.equal(JSON.parse(response.body).totalHits, 0);
  });

  it('reads `id: value` with a space after the colon as an id filter', async () => {
    const { body } = await pallet.json('/v3/search?q=' + encodeURIComponent('id: hardening.demo'));
    assert.deepEqual(
      body.data.map((hit: { id: string }) => hit.id),
      ['Hardening.Demo'],
    );
  });

  it('answers router-level refusals as text with the reason phrase', async () => {
    const longId = 'a'.repeat(600);
    const tooLong = await pallet.get(`/v3/package/${longId}/index.json`);
    assert.equal(tooLong.statusCode, 414);
    assert.equal(tooLong.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(tooLong.statusMessage, /^The request cannot be handled: /);

    const badEncoding = await pallet.get('/v3/package/%E0%A4%A/index.json');
    assert.equal(badEncoding.statusCode, 400);
    assert.equal(badEncoding.headers['content-type'], 'text/plain; charset=utf-8');
  });
});
