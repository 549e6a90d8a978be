/**
 * Removes blobs no version references: what a push leaves behind when it fails or the process dies between
 * storing blobs and inserting the version row. Only blobs older than the grace period go, so a push in
 * flight (blobs stored, row not yet inserted) is never touched.
 */
import type { Logger } from '../logger.ts';
import type { BlobStore, PackageStore } from '../ports.ts';

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

export async function collectGarbage(
  deps: { readonly packages: PackageStore; readonly blobs: BlobStore; readonly now: () => Date; readonly log: Logger },
  graceMs: number = DEFAULT_GRACE_MS,
): Promise<{ deleted: number; kept: number }> {
  // Keys are listed first and references read after: a blob put after the listing is not considered at all.
  const keys: string[] = [];
  for await (const key of deps.blobs.list()) keys.push(key);
  const referenced = await deps.packages.referencedBlobKeys();
  const cutoff = deps.now().getTime() - graceMs;
  let deleted = 0;
  for (const key of keys) {
    if (referenced.has(key)) continue;
    const info = await deps.blobs.stat(key);
    if (!info || info.modifiedAt.getTime() > cutoff) continue;
    await deps.blobs.delete(key);
    deleted += 1;
  }
  if (deleted > 0) deps.log.info({ deleted }, 'unreferenced blobs removed');
  return { deleted, kept: keys.length - deleted };
}
