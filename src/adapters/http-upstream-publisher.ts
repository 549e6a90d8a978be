/**
 * UpstreamPublisher over HTTP: the service index read for its PackagePublish/2.0.0 resource, and a push as
 * `dotnet nuget push` sends it (PUT, multipart/form-data with one `package` part, X-NuGet-ApiKey), streamed.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#push-a-package
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { UpstreamPublisher } from '../app/feeds/push-target-ports.ts';

const TIMEOUT_MS = 5 * 60 * 1000;

export class HttpUpstreamPublisher implements UpstreamPublisher {
  async discoverPushUrl(serviceIndexUrl: string): Promise<string> {
    const response = await fetch(serviceIndexUrl, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`the service index answered ${response.status}`);
    const index = (await response.json()) as { resources?: { '@id'?: unknown; '@type'?: unknown }[] };
    const publish = index.resources?.find((resource) => resource['@type'] === 'PackagePublish/2.0.0')?.['@id'];
    if (typeof publish !== 'string') throw new Error('the service index names no PackagePublish/2.0.0 resource');
    return publish.replace(/\/+$/, '');
  }

  async push(pushUrl: string, apiKey: string, nupkg: Readable, size: number): Promise<{ status: number; reason: string }> {
    const boundary = `pallet-${randomBytes(12).toString('hex')}`;
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="package"; filename="package.nupkg"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1');
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
    async function* body() {
      yield head;
      for await (const chunk of nupkg) yield chunk as Buffer;
      yield tail;
    }
    const response = await fetch(`${pushUrl}/`, {
      method: 'PUT',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length), 'x-nuget-apikey': apiKey, 'user-agent': 'Pallet' },
      body: Readable.from(body()) as unknown as RequestInit['body'],
      duplex: 'half',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    } as RequestInit);
    const text = await response.text().catch(() => '');
    return { status: response.status, reason: response.statusText || text.slice(0, 300) };
  }
}
