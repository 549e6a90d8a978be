/**
 * A push storm for crash and backup tests: several clients pushing new versions at once, recording every
 * push the server acknowledged (201) with the hash of its bytes.
 */
import { buildNupkg } from './nupkg-builder.ts';
import { multipartBody, sha512 } from './in-process.ts';

export interface AcknowledgedPush {
  readonly id: string;
  readonly version: string;
  readonly sha512: string;
  readonly bytes: Buffer;
}

export interface PushStorm {
  readonly acknowledged: AcknowledgedPush[];
  /** Pushes that got an answer other than 201, or none (the server died under them). */
  readonly failed: number;
  /** Stops starting new pushes and waits for the ones in flight. */
  stop(): Promise<void>;
}

/** Starts `clients` loops, each pushing `idPrefix.<client>` at versions 1.0.<n>, until stopped. */
export function startPushStorm(options: { baseUrl: string; apiKey: string; idPrefix: string; clients: number; padding?: number }): PushStorm {
  const acknowledged: AcknowledgedPush[] = [];
  let failed = 0;
  let stopping = false;
  const loops = Array.from({ length: options.clients }, async (_, client) => {
    for (let n = 0; !stopping; n++) {
      const id = `${options.idPrefix}.C${client}`;
      const version = `1.0.${n}`;
      // Some padding of incompressible bytes, so blob writes and fsyncs take a realistic share of each push.
      const bytes = buildNupkg({ id, version, extraFiles: [{ name: 'content/padding.bin', data: randomBytes(options.padding ?? 20_000) }] });
      const { payload, contentType } = multipartBody(bytes);
      try {
        const response = await fetch(`${options.baseUrl}/api/v2/package/`, {
          method: 'PUT',
          headers: { 'content-type': contentType, 'x-nuget-apikey': options.apiKey },
          body: payload,
        });
        await response.arrayBuffer();
        if (response.status === 201) acknowledged.push({ id, version, sha512: sha512(bytes), bytes });
        else failed += 1;
      } catch {
        failed += 1;
        // The server is gone (killed): stop this client rather than spin.
        return;
      }
    }
  });
  return {
    acknowledged,
    get failed() {
      return failed;
    },
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

function randomBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index += 4) bytes.writeUInt32LE((Math.random() * 0x100000000) >>> 0, Math.min(index, size - 4));
  return bytes;
}
