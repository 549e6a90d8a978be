/**
 * UpstreamSources over HTTP: each source's PackageBaseAddress/3.0.0 and registration base from its service
 * index (kept once read), then the flat container's version list, the registration and .nupkg downloads, as
 * the NuGet client reads them, with timeouts and a bound on every document's size.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UpstreamSources, UpstreamVersion } from '../app/feeds/upstream-ports.ts';
import { compareVersions, NuGetVersion } from '../domain/nuget-version.ts';
import { indexVersionsOf, pageVersionsOf, withoutLinksInto } from './upstream-registration.ts';

const TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** nuget.org's largest registration pages are about 1 MB; a document past this is refused, decompressed. */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
/** 200 pages of 64 leaves: more versions than any id on nuget.org has. */
const MAX_PAGES = 200;
const PAGES_AT_ONCE = 4;

/** The registration hives a source may offer, the SemVer 2.0.0 one first (it lists every version). */
const REGISTRATION_TYPES = ['RegistrationsBaseUrl/3.6.0', 'RegistrationsBaseUrl/Versioned', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl/3.0.0-rc', 'RegistrationsBaseUrl'];

interface SourceResources {
  readonly packageBase: string;
  readonly registrationBase: string | undefined;
}

function headersOf(authorization: string | undefined): Record<string, string> {
  return { 'user-agent': 'Pallet', ...(authorization === undefined ? {} : { authorization }) };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The body as JSON, refused past `MAX_DOCUMENT_BYTES` (counted after decompression, so no gzip bomb gets through). */
async function boundedJson(response: Response, what: string): Promise<unknown> {
  if (response.body === null) throw new Error(`${what} had no body`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_DOCUMENT_BYTES) throw new Error(`${what} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

export class HttpUpstreamSources implements UpstreamSources {
  private readonly resources = new Map<string, Promise<SourceResources>>();

  private resourcesOf(serviceIndex: string, authorization: string | undefined): Promise<SourceResources> {
    let found = this.resources.get(serviceIndex);
    if (found === undefined) {
      found = (async () => {
        const response = await fetch(serviceIndex, { headers: headersOf(authorization), signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) throw new Error(`the service index answered ${response.status}`);
        const index = (await boundedJson(response, 'the service index')) as { resources?: { '@id'?: unknown; '@type'?: unknown }[] };
        const resources = Array.isArray(index.resources) ? index.resources : [];
        const urlOf = (type: string) => {
          const url = resources.find((resource) => resource['@type'] === type)?.['@id'];
          return typeof url === 'string' ? withSlash(url) : undefined;
        };
        const packageBase = urlOf('PackageBaseAddress/3.0.0');
        if (packageBase === undefined) throw new Error('the service index names no PackageBaseAddress/3.0.0');
        return { packageBase, registrationBase: REGISTRATION_TYPES.map(urlOf).find((url) => url !== undefined) };
      })();
      // A source that could not be read is asked again next time.
      found.catch(() => this.resources.delete(serviceIndex));
      this.resources.set(serviceIndex, found);
    }
    return found;
  }

  private get(url: string, authorization: string | undefined, timeoutMs = TIMEOUT_MS): Promise<Response> {
    return fetch(url, { headers: headersOf(authorization), signal: AbortSignal.timeout(timeoutMs) });
  }

  async versions(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<string[]> {
    const { packageBase } = await this.resourcesOf(serviceIndex, authorization);
    const response = await this.get(`${packageBase}${encodeURIComponent(idLower)}/index.json`, authorization);
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`the version list answered ${response.status}`);
    const body = (await boundedJson(response, 'the version list')) as { versions?: unknown };
    return Array.isArray(body.versions) ? body.versions.filter((version): version is string => typeof version === 'string').map((version) => version.toLowerCase()) : [];
  }

  async registration(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<UpstreamVersion[]> {
    const { registrationBase, packageBase } = await this.resourcesOf(serviceIndex, authorization);
    if (registrationBase === undefined) throw new Error('the service index names no registration resource');
    const response = await this.get(`${registrationBase}${encodeURIComponent(idLower)}/index.json`, authorization);
    if (response.status === 404) return [];
    if (!response.ok) throw new Error(`the registration answered ${response.status}`);
    const index = indexVersionsOf(await boundedJson(response, 'the registration index'), idLower);
    if (index.pageUrls.length > MAX_PAGES) throw new Error(`the registration has more than ${MAX_PAGES} pages`);
    const versions = [...index.versions];
    for (let start = 0; start < index.pageUrls.length; start += PAGES_AT_ONCE) {
      const pages = await Promise.all(
        index.pageUrls.slice(start, start + PAGES_AT_ONCE).map(async (url) => {
          const page = await this.get(url, authorization);
          if (!page.ok) throw new Error(`a registration page answered ${page.status}`);
          return pageVersionsOf(await boundedJson(page, 'a registration page'), idLower);
        }),
      );
      versions.push(...pages.flat());
    }
    const origins = new Set([serviceIndex, packageBase, registrationBase].map((url) => new URL(url).origin));
    // One entry a version (the first), ascending, as a registration lists them.
    const byVersion = new Map(versions.map((version) => [version.versionLower, withoutLinksInto(version, origins)] as const).reverse());
    return [...byVersion.values()].sort((a, b) => compareVersions(NuGetVersion.parse(a.versionNormalized), NuGetVersion.parse(b.versionNormalized)));
  }

  async download(serviceIndex: string, idLower: string, versionLower: string, file: string, authorization: string | undefined, maxBytes: number): Promise<boolean> {
    const { packageBase } = await this.resourcesOf(serviceIndex, authorization);
    const id = encodeURIComponent(idLower);
    const version = encodeURIComponent(versionLower);
    const response = await this.get(`${packageBase}${id}/${version}/${id}.${version}.nupkg`, authorization, DOWNLOAD_TIMEOUT_MS);
    if (response.status === 404) return false;
    if (!response.ok || response.body === null) throw new Error(`the download answered ${response.status}`);
    let size = 0;
    // A package past the size a push may have is cut off as it arrives, so no upstream can fill the disk.
    const bounded = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > maxBytes) throw new Error(`the package is larger than ${maxBytes} bytes, the most a push may have`);
        yield chunk;
      }
    };
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), bounded, createWriteStream(file));
    return true;
  }
}
