/**
 * Reading through upstream sources, like MyGet's proxy, Azure Artifacts' upstreams and Verdaccio's uplinks: an
 * id the feed does not hold of its own is looked up in its upstream V3 sources in priority order (the first
 * that has it answers); its version list merges the feed's stored versions with the upstream's, kept for a
 * bounded time, and its registration shows the feed's stored versions with the upstream's (so a client
 * choosing the latest version, as `dotnet add package` without `--version` does, sees them); a .nupkg the
 * feed lacks is downloaded, checked like any push and stored, so it keeps restoring when the upstream is
 * down. Search stays local.
 *
 * The dependency-confusion guard: an id the feed holds versions of its own (pushed, not stored from upstream),
 * or that a prefix reservation covers, or that an administrator blocked (`upstreamBlocked`), is never resolved
 * upstream, so nobody's public package can stand in for a private one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import type { Feed } from '../../domain/feed.ts';
import { NuGetVersion, compareVersions } from '../../domain/nuget-version.ts';
import { matchesPattern, parsePackageIdPattern } from '../../domain/package-id-pattern.ts';
import type { Logger } from '../logger.ts';
import { pushPackage, type PushDependencies } from '../packages/push-package.ts';
import { spooledFile } from '../packages/spooled-upload.ts';
import type { StoredVersion } from '../ports.ts';
import { UpstreamAnswers } from './upstream-answers.ts';
import type { UpstreamSources, UpstreamVersion } from './upstream-ports.ts';
import type { SecretBox } from '../../security/secret-box.ts';

export interface UpstreamReadDependencies extends PushDependencies {
  readonly sources: UpstreamSources;
  readonly log: Logger;
  /** Where downloads wait to be stored (on the blob store's file system). */
  readonly tempDir: string;
  /** How long an upstream's version list or registration is reused before it is asked again. */
  readonly cacheMs: number;
  /** The largest package a download from upstream may be (`maxPackageSize`). */
  readonly maxPackageSize: number;
  /** Opens a private upstream's sealed credentials; undefined without `secretsKey`. */
  readonly secrets: SecretBox | undefined;
}

/** How many versions the remembered answers may hold in all, per kind (version lists, registrations). */
const MAX_REMEMBERED_VERSIONS = 100_000;

function byVersion(a: string, b: string): number {
  const left = NuGetVersion.tryParse(a);
  const right = NuGetVersion.tryParse(b);
  return left === undefined || right === undefined ? (a < b ? -1 : 1) : compareVersions(left, right);
}

/** Answers are kept per feed, id and list of sources: a feed given other sources asks them at once. */
function answerKey(feed: Feed, idLower: string): string {
  return `${feed.feedId} ${idLower} ${feed.upstreams.join(' ')}`;
}

/** A version a registration shows: one the feed stores, or one only its upstream has. */
export type MergedVersion = StoredVersion | UpstreamVersion;

export class UpstreamReads {
  private readonly deps: UpstreamReadDependencies;
  private readonly versionLists: UpstreamAnswers<readonly string[]>;
  private readonly registrations: UpstreamAnswers<readonly UpstreamVersion[]>;
  private readonly downloading = new Map<string, Promise<boolean>>();

  constructor(deps: UpstreamReadDependencies) {
    this.deps = deps;
    const remembered = { ttlMs: deps.cacheMs, maxWeight: MAX_REMEMBERED_VERSIONS, weightOf: (versions: readonly unknown[]) => versions.length, now: deps.now };
    this.versionLists = new UpstreamAnswers<readonly string[]>(remembered);
    this.registrations = new UpstreamAnswers<readonly UpstreamVersion[]>(remembered);
  }

  /** The Basic header for a private upstream, from its sealed credentials. */
  private authorization(feed: Feed, source: string): string | undefined {
    const sealed = feed.upstreamCredentials[source];
    if (sealed === undefined || this.deps.secrets === undefined) return undefined;
    return `Basic ${Buffer.from(this.deps.secrets.open(sealed), 'utf8').toString('base64')}`;
  }

  /** Whether the id may be resolved upstream in this feed (the guard). */
  async mayGoUpstream(feed: Feed, idLower: string): Promise<boolean> {
    if (feed.upstreams.length === 0) return false;
    if (feed.upstreamBlocked.some((text) => matchesPattern(parsePackageIdPattern(text), idLower))) return false;
    if (await this.deps.packages.hasOwnVersions(feed.feedId, idLower)) return false;
    return (await this.deps.packages.ownership(idLower)).reservations.length === 0;
  }

  /**
   * Asks the feed's sources in priority order; the first that has the id answers ([] when none has it).
   * Undefined when no source could be asked, so callers answer what the feed stores.
   */
  private async firstAnswer<T extends readonly unknown[]>(feed: Feed, what: string, ask: (source: string, authorization: string | undefined) => Promise<T>): Promise<T | readonly [] | undefined> {
    let reached = false;
    for (const source of feed.upstreams) {
      try {
        const answer = await ask(source, this.authorization(feed, source));
        reached = true;
        if (answer.length > 0) return answer;
      } catch (error) {
        this.deps.log.warn({ feed: feed.name, upstream: source, reason: (error as Error).message }, `an upstream source's ${what} could not be read`);
      }
    }
    return reached ? [] : undefined;
  }

  /**
   * The version list the feed answers for an id it may resolve upstream: its stored versions with the
   * upstream's; undefined when the id is not resolved upstream (the stored document answers).
   */
  async versionList(feed: Feed, idLower: string): Promise<string[] | undefined> {
    if (!(await this.mayGoUpstream(feed, idLower))) return undefined;
    const stored = (await this.deps.packages.listVersions(feed.feedId, idLower)).map((version) => version.versionLower);
    const upstream = await this.versionLists.get(answerKey(feed, idLower), () =>
      this.firstAnswer(feed, 'version list', (source, authorization) => this.deps.sources.versions(source, idLower, authorization)),
    );
    return [...new Set([...stored, ...(upstream ?? [])])].sort(byVersion);
  }

  /**
   * The versions the feed's registration shows for an id it may resolve upstream: its stored versions, and
   * the upstream's it does not store, ascending. Undefined when the id is not resolved upstream, or no
   * source could be asked: then the stored documents answer.
   */
  async registration(feed: Feed, idLower: string): Promise<MergedVersion[] | undefined> {
    if (!(await this.mayGoUpstream(feed, idLower))) return undefined;
    const upstream = await this.registrations.get(answerKey(feed, idLower), () =>
      this.firstAnswer(feed, 'registration', (source, authorization) => this.deps.sources.registration(source, idLower, authorization)),
    );
    if (upstream === undefined) return undefined;
    const merged = new Map<string, MergedVersion>(upstream.map((version) => [version.versionLower, version]));
    // A version the feed stores is shown as stored: its own files, listing and push date.
    for (const version of await this.deps.packages.listVersions(feed.feedId, idLower)) merged.set(version.versionLower, version);
    return [...merged.values()].sort((a, b) => byVersion(a.versionNormalized, b.versionNormalized));
  }

  /**
   * Downloads a version the feed lacks from its upstreams and stores it; true when the feed has it now.
   * Readers asking for one version at once share one download.
   */
  fetch(feed: Feed, idLower: string, versionLower: string): Promise<boolean> {
    const key = `${feed.feedId}/${idLower}/${versionLower}`;
    const running = this.downloading.get(key);
    if (running !== undefined) return running;
    const download = this.download(feed, idLower, versionLower).finally(() => this.downloading.delete(key));
    this.downloading.set(key, download);
    return download;
  }

  private async download(feed: Feed, idLower: string, versionLower: string): Promise<boolean> {
    if (!(await this.mayGoUpstream(feed, idLower))) return false;
    const spool = await mkdtemp(path.join(this.deps.tempDir, 'upstream-'));
    try {
      for (const source of feed.upstreams) {
        const file = path.join(spool, 'package.nupkg');
        try {
          if (!(await this.deps.sources.download(source, idLower, versionLower, file, this.authorization(feed, source), this.deps.maxPackageSize))) continue;
        } catch (error) {
          this.deps.log.warn({ feed: feed.name, upstream: source, reason: (error as Error).message }, 'an upstream source could not be downloaded from');
          continue;
        }
        try {
          await pushPackage(
            this.deps,
            { actor: { kind: 'configured-key' }, clientAddress: undefined },
            { feed, role: undefined },
            await spooledFile(file),
            { fromUpstream: true, recordedAs: { userId: undefined, key: undefined, label: `upstream ${source}`, clientAddress: undefined } },
          );
          return true;
        } catch (error) {
          if (error instanceof AppError && error.code === 'PACKAGE_EXISTS') return true;
          if (!(error instanceof AppError)) throw error;
          // The feed's own checks apply to what comes from upstream too.
          this.deps.log.warn({ feed: feed.name, upstream: source, id: idLower, version: versionLower, reason: error.message }, 'a package from upstream was refused');
          return false;
        }
      }
      return false;
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  }
}
