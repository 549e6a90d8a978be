/** Refusal log lines name the client: the socket's address, or the forwarded one from a trusted proxy only. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNupkg } from '../support/nupkg-builder.ts';
import { startInProcess } from '../support/in-process.ts';

async function refusalAddress(trustProxy: string | undefined): Promise<unknown> {
  const pallet = await startInProcess({ flags: { trustProxy }, captureLogs: true });
  try {
    const response = await pallet.inject({
      method: 'PUT',
      url: '/api/v2/package/',
      headers: { 'x-forwarded-for': '203.0.113.9', 'content-type': 'application/octet-stream' },
      payload: buildNupkg({ id: 'Logged.Refusal', version: '1.0.0' }),
      remoteAddress: '127.0.0.1',
    });
    assert.equal(response.statusCode, 401);
    return pallet.logRecords().find((record) => record.msg === 'request refused')?.clientAddress;
  } finally {
    await pallet.close();
  }
}

describe('refusal logs', () => {
  it('log the socket address, ignoring X-Forwarded-For from an untrusted peer', async () => {
    assert.equal(await refusalAddress(undefined), '127.0.0.1');
  });

  it('log the forwarded address when the peer is a trusted proxy', async () => {
    assert.equal(await refusalAddress('127.0.0.1'), '203.0.113.9');
  });
});
