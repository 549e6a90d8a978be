/**
 * Removes blobs no version references: what a push leaves behind when it fails or the process dies between
 * storing blobs and inserting the version row. Only blobs older than the grace period go, so a push in
 * flight (blobs stored, row not yet inserted) is never touched.
 */
import type { Logger } from '../logger.ts';
import type { BlobStore, PackageStore } from '../ports.ts';
import type { BlobGate } from '../blob-gate.ts';

export const DEFAULT_GRACE_MS = 60 * 60 * 1000;

export async function collectGarbage(
  deps: {
    readonly packages: PackageStore;
    readonly blobs: BlobStore;
    readonly blobGate: BlobGate;
    readonly now: () => Date;
    readonly log: Logger;
  },
  graceMs: number = DEFAULT_GRACE_MS,
): Promise<{ deleted: number; kept: number }> {
  const keys: string[] = [];
  for await (const key of deps.blobs.list()) keys.push(key);
  const cutoff = deps.now().getTime() - graceMs;
  const isStale = async (key: string) => {
    const info = await deps.blobs.stat(key);
    return info !== undefined && info.modifiedAt.getTime() <= cutoff;
  };

  // A first pass without the gate finds candidates; pushes carry on meanwhile.
  const firstReferences = await deps.packages.referencedBlobKeys();
  const candidates: string[] = [];
  for (const key of keys) if (!firstReferences.has(key) && (await isStale(key))) candidates.push(key);
  if (candidates.length === 0) return { deleted: 0, kept: keys.length };

  // With no push between storing blobs and committing its row, re-check and delete.
  const deleted = await deps.blobGate.exclusive(async () => {
    const references = await deps.packages.referencedBlobKeys();
    let count = 0;
    for (const key of candidates) {
      if (references.has(key) || !(await isStale(key))) continue;
      await deps.blobs.delete(key);
      count += 1;
    }
    return count;
  });
  if (deleted > 0) deps.log.info({ deleted }, 'unreferenced blobs removed');
  return { deleted, kept: keys.length - deleted };
}
