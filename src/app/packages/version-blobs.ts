/** The blobs a stored version references: its .nupkg and the files extracted from it at push time. */
import type { BlobKey, StoredVersion } from '../ports.ts';

export function blobKeysOf(version: StoredVersion): BlobKey[] {
  return [version.packageBlob, version.nuspecBlob, version.readmeBlob, version.iconBlob, version.licenseBlob].filter((key): key is BlobKey => key !== undefined);
}
