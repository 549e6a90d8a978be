/**
 * UpstreamSources over HTTP: each source's PackageBaseAddress/3.0.0 from its service index (kept once read),
 * then the flat container's version list and .nupkg downloads, as restore reads them, with timeouts.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UpstreamSources } from '../app/feeds/upstream-ports.ts';

const TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function headersOf(authorization: string | undefined): Record<string, string> {
  return { 'user-agent': 'Pallet', ...(authorization === undefined ? {} : { authorization }) };
}

export class HttpUpstreamSources implements UpstreamSources {
  private readonly bases = new Map<string, Promise<string>>();

  private base(serviceIndex: string, authorization: string | undefined): Promise<string> {
    let base = this.bases.get(serviceIndex);
    if (base === undefined) {
      base = (async () => {
        const response = await fetch(serviceIndex, { headers: headersOf(authorization), signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) throw new Error(`the service index answered ${response.status}`);
        const index = (await response.json()) as { resources?: { '@id'?: unknown; '@type'?: unknown }[] };
        const found = index.resources?.find((resource) => resource['@type'] === 'PackageBaseAddress/3.0.0')?.['@id'];
        if (typeof found !== 'string') throw new Error('the service index names no PackageBaseAddress/3.0.0');
        return found.endsWith('/') ? found : `${found}/`;
      })();
      // A source that could not be read is asked again next time.
      base.catch(() => this.bases.delete(serviceIndex));
      this.bases.set(serviceIndex, base);
    }
    return base;
  }

  async versions(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<string[]> {
    const response = await fetch(`${await this.base(serviceIndex, authorization)}${encodeURIComponent(idLower)}/index.json`, { headers: headersOf(authorization), signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`the version list answered ${response.status}`);
    const body = (await response.json()) as { versions?: unknown };
    return Array.isArray(body.versions) ? body.versions.filter((version): version is string => typeof version === 'string').map((version) => version.toLowerCase()) : [];
  }

  async download(serviceIndex: string, idLower: string, versionLower: string, file: string, authorization: string | undefined): Promise<boolean> {
    const id = encodeURIComponent(idLower);
    const version = encodeURIComponent(versionLower);
    const response = await fetch(`${await this.base(serviceIndex, authorization)}${id}/${version}/${id}.${version}.nupkg`, {
      headers: headersOf(authorization),
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (response.status === 404) return false;
    if (!response.ok || response.body === null) throw new Error(`the download answered ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(file));
    return true;
  }
}
