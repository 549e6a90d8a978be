/**
 * Writes a feed as a local folder feed in the hierarchical layout that `nuget add` and
 * `dotnet nuget push -s FOLDER` write, and that `dotnet restore --source FOLDER` reads:
 * `{id}/{version}/{id}.{version}.nupkg`, its `{id}.{version}.nupkg.sha512` (base64 SHA-512) and `{id}.nuspec`,
 * every name lowercase. Every version goes, unlisted ones too (a folder has no listing); each file is written
 * to a temporary name and renamed, so an interrupted export leaves no half-written package, and a second
 * export over the first rewrites the same files.
 * https://learn.microsoft.com/nuget/hosting-packages/local-feeds
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.ts';
import type { BlobStore, PackageStore, StoredVersion } from '../ports.ts';
import type { FeedStore } from './ports.ts';

export interface ExportDependencies {
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly feeds: FeedStore;
}

export async function exportFeed(deps: ExportDependencies, feedName: string, folder: string, onVersion?: (version: StoredVersion) => void): Promise<{ readonly versions: number }> {
  const feed = await deps.feeds.feedByName(feedName);
  if (feed === undefined) throw new AppError('NOT_FOUND', `There is no feed '${feedName.slice(0, 64)}'.`);
  let versions = 0;
  for await (const version of deps.packages.allVersions()) {
    if (version.feedId !== feed.feedId) continue;
    const directory = path.join(folder, version.idLower, version.versionLower);
    await mkdir(directory, { recursive: true });
    const base = `${version.idLower}.${version.versionLower}`;
    const nupkg = await deps.blobs.open(version.packageBlob);
    if (nupkg === undefined) throw new AppError('NOT_FOUND', `The .nupkg of '${version.registrationId}' ${version.versionFull} is missing from the data folder; run pallet verify.`);
    await writeAtomically(path.join(directory, `${base}.nupkg`), (temporary) => pipeline(nupkg, createWriteStream(temporary)));
    const nuspec = await deps.blobs.readBytes(version.nuspecBlob);
    if (nuspec === undefined) throw new AppError('NOT_FOUND', `The nuspec of '${version.registrationId}' ${version.versionFull} is missing from the data folder; run pallet verify.`);
    await writeAtomically(path.join(directory, `${version.idLower}.nuspec`), (temporary) => writeFile(temporary, nuspec));
    // Written last: NuGet takes a folder with the .sha512 file as a complete package.
    await writeAtomically(path.join(directory, `${base}.nupkg.sha512`), (temporary) => writeFile(temporary, version.packageSha512));
    versions += 1;
    onVersion?.(version);
  }
  return { versions };
}

async function writeAtomically(file: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = `${file}.${process.pid}.partial`;
  await write(temporary);
  await rename(temporary, file);
}
