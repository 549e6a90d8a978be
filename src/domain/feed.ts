/**
 * Feeds: every package, version and search row belongs to one. An instance holds any number of feeds; the
 * gallery (served at `/v3/index.json`) is the default feed, created with the schema as feed 1, so data from
 * before feeds existed is the gallery's. Each other feed is a NuGet source of its own at
 * `/feeds/{name}/v3/index.json`, public or private, with members and the versions it accepts.
 */

import type { RetentionRules } from './retention.ts';

/** A feed's key in every stored row (`feeds.feed_id`). */
export type FeedId = number;

/** The gallery. */
export const DEFAULT_FEED_ID: FeedId = 1;

/** Which versions a feed takes: MyGet's CI feeds take pre-releases, release feeds stable versions. */
export type FeedAccepts = 'any' | 'prerelease' | 'stable';
export const FEED_ACCEPTS: readonly FeedAccepts[] = ['any', 'prerelease', 'stable'];

/** What a member may do: read (a private feed), push and unlist (contributor), and manage the feed (owner). */
export type FeedRole = 'reader' | 'contributor' | 'owner';
export const FEED_ROLES: readonly FeedRole[] = ['reader', 'contributor', 'owner'];

export interface Feed {
  readonly feedId: FeedId;
  /** Lowercase: the path segment of `/feeds/{name}/`. */
  readonly name: string;
  readonly isPrivate: boolean;
  readonly accepts: FeedAccepts;
  /** Any account with a key may push, the owners of each id still deciding (the gallery's way); otherwise contributors only. */
  readonly openPush: boolean;
  /** Which versions retention lets go (none without a rule). */
  readonly retention: RetentionRules;
  /** A scratch feed's choice: delete (and retention) deletes versions instead of unlisting them. Never the gallery. */
  readonly hardDelete: boolean;
  /** Upstream V3 sources (service index URLs), in priority order. */
  readonly upstreams: readonly string[];
  /** Package ids or globs never resolved upstream (as written: `Contoso.*`). */
  readonly upstreamBlocked: readonly string[];
  /** Credentials for private upstreams, by service index URL, sealed (opaque here; security/secret-box.ts opens them). */
  readonly upstreamCredentials: Readonly<Record<string, string>>;
}

/** A feed without retention rules. */
export const NO_RETENTION: RetentionRules = Object.freeze({ keepNewest: undefined, keepDays: undefined, includeStable: false });

/** Whether `role` includes what `needed` grants (an owner is also a contributor and a reader). */
export function roleAtLeast(role: FeedRole | undefined, needed: FeedRole): boolean {
  return role !== undefined && FEED_ROLES.indexOf(role) >= FEED_ROLES.indexOf(needed);
}

const FEED_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Undefined for a valid feed name, otherwise the sentence saying what is wrong. */
export function feedNameProblem(name: string): string | undefined {
  if (!FEED_NAME.test(name)) return `'${name.slice(0, 80)}' is not a feed name: use 1 to 64 lowercase letters, digits and '-', starting with a letter or a digit.`;
  if (name === 'default') return "'default' is the gallery's name.";
  return undefined;
}

/** Undefined when the feed takes a version of this kind, otherwise the reason it does not. */
export function acceptanceProblem(feed: Feed, isPrerelease: boolean): string | undefined {
  if (feed.accepts === 'prerelease' && !isPrerelease) return `The feed '${feed.name}' accepts only pre-release versions.`;
  if (feed.accepts === 'stable' && isPrerelease) return `The feed '${feed.name}' accepts only stable versions.`;
  return undefined;
}
