/**
 * Removes blobs no version references: what a push leaves behind when it fails or the process dies between
 * storing blobs and inserting the version row. Only blobs older than the grace period go, so a push in
 * flight (blobs stored, row not yet inserted) is never touched.
 */
import type { Logger } from '../logger.ts';
import type { BlobStore, PackageStore } from '../ports.ts';
import type { BlobGate } from '../blob-gate.ts';
import { BlobKeyIndex } from './blob-key-index.ts';

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
  const cutoff = deps.now().getTime() - graceMs;
  const isStale = async (key: string) => {
    const info = await deps.blobs.stat(key);
    return info !== undefined && info.modifiedAt.getTime() <= cutoff;
  };

  // A first pass without the gate finds candidates; pushes carry on meanwhile. A blob stored after the
  // references were read is new, so not stale: it cannot become a candidate.
  const firstReferences = await BlobKeyIndex.of(deps.packages.referencedBlobKeys());
  const candidates: string[] = [];
  let listed = 0;
  for await (const key of deps.blobs.list()) {
    listed += 1;
    if (!firstReferences.has(key) && (await isStale(key))) candidates.push(key);
  }
  if (candidates.length === 0) return { deleted: 0, kept: listed };

  // With no push between storing blobs and committing its row, re-check and delete.
  const deleted = await deps.blobGate.exclusive(async () => {
    const references = await BlobKeyIndex.of(deps.packages.referencedBlobKeys());
    let count = 0;
    for (const key of candidates) {
      if (references.has(key) || !(await isStale(key))) continue;
      await deps.blobs.delete(key);
      count += 1;
    }
    return count;
  });
  if (deleted > 0) deps.log.info({ deleted }, 'unreferenced blobs removed');
  return { deleted, kept: listed - deleted };
}
