/** What is sent for a version's file (routes/package-content.ts, and the restore fast path's downloads). */
import type { PackageFile, PackageFileKind } from '../app/packages/read-package.ts';
import type { DownloadCounter } from '../app/packages/download-counter.ts';
import type { BlobToSend } from './blob-responder.ts';

/** A version's files never change: its id and version name them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The blob behind the file; a .nupkg is sent as an attachment and counts as a download when its body goes out. */
export function packageFileBlob(found: PackageFile, kind: PackageFileKind, downloads: DownloadCounter): BlobToSend {
  const { feedId, idLower, versionLower } = found.files;
  return {
    key: found.blobKey,
    ...(found.size === undefined ? {} : { size: found.size }),
    contentType: found.contentType,
    cacheControl: IMMUTABLE,
    ...(kind === 'nupkg' ? { fileName: `${idLower}.${versionLower}.nupkg`, onBodySent: () => downloads.record(feedId, idLower, versionLower) } : {}),
  };
}
