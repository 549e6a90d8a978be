/**
 * Imports a local folder feed: every `.nupkg` under the folder, flat or in the hierarchical layout `nuget add`
 * and `dotnet nuget push -s FOLDER` write, goes through the same push as the protocol's (every package rule,
 * the feed's own), as the administrator. A version the feed holds already counts as there (so a second run
 * imports nothing and fails nothing); an invalid package is reported with its reason and the import goes on.
 * The folder's files are copied, never moved.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import { DEFAULT_FEED_ID, type Feed } from '../../domain/feed.ts';
import { pushPackage, type PushDependencies } from '../packages/push-package.ts';
import { spooledFile } from '../packages/spooled-upload.ts';
import type { Caller } from '../actor.ts';
import type { FeedStore } from './ports.ts';

export type ImportOutcome =
  | { readonly file: string; readonly outcome: 'imported'; readonly id: string; readonly version: string }
  | { readonly file: string; readonly outcome: 'present'; readonly id: string | undefined; readonly version: string | undefined }
  | { readonly file: string; readonly outcome: 'invalid'; readonly reason: string };

export interface ImportDependencies extends PushDependencies {
  readonly feeds: FeedStore;
  /** Where copies wait for the push (on the blob store's file system, so they move in by rename). */
  readonly tempDir: string;
}

/** Every `.nupkg` file under `folder`, in name order (symbolic links are not followed). */
export async function nupkgFilesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.nupkg')) found.push(full);
    }
  };
  await walk(folder);
  return found;
}


/** Pushes one file into the feed through a copy in `spool` (the file itself is never moved). */
export async function importFile(deps: ImportDependencies, feed: Feed, file: string, spool: string): Promise<ImportOutcome> {
  const caller: Caller = { actor: { kind: 'configured-key' }, clientAddress: undefined };
  const copy = path.join(spool, `${randomBytes(8).toString('hex')}.nupkg`);
  try {
    await copyFile(file, copy);
    const pushed = await pushPackage(deps, caller, { feed, role: undefined }, await spooledFile(copy));
    return { file, outcome: 'imported', id: pushed.id, version: pushed.version };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'PACKAGE_EXISTS') return { file, outcome: 'present', id: error.subject?.id, version: error.subject?.version };
    return { file, outcome: 'invalid', reason: error.message };
  } finally {
    await rm(copy, { force: true });
  }
}

export async function importFolder(
  deps: ImportDependencies,
  folder: string,
  feedName: string | undefined,
  onFile: (outcome: ImportOutcome, index: number, total: number) => void,
): Promise<ImportOutcome[]> {
  const feed = feedName === undefined ? await deps.feeds.feedById(DEFAULT_FEED_ID) : await deps.feeds.feedByName(feedName);
  if (feed === undefined) throw new AppError('NOT_FOUND', `There is no feed '${(feedName ?? '').slice(0, 64)}'.`);
  const found = await stat(folder).catch(() => undefined);
  if (found === undefined || !found.isDirectory()) throw new AppError('NOT_FOUND', `There is no folder ${folder} to import.`);
  const files = await nupkgFilesUnder(folder);
  const spool = await mkdtemp(path.join(deps.tempDir, 'import-'));
  const outcomes: ImportOutcome[] = [];
  try {
    for (const [index, file] of files.entries()) {
      const outcome = await importFile(deps, feed, file, spool);
      outcomes.push(outcome);
      onFile(outcome, index, files.length);
    }
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
  return outcomes;
}
