/** The seam to feeds and their members (migrations 5 and 14); each change with its event in one transaction. */
import type { AccountId } from '../actor.ts';
import type { NewEvent } from '../events.ts';
import type { Feed, FeedAccepts, FeedId, FeedRole } from '../../domain/feed.ts';
import type { RetentionRules } from '../../domain/retention.ts';

export interface FeedMember {
  readonly account: { readonly accountId: AccountId; readonly name: string; readonly kind: 'user' | 'organization' };
  readonly role: FeedRole;
}

export interface FeedStore {
  feedByName(name: string): Promise<Feed | undefined>;
  feedById(feedId: FeedId): Promise<Feed | undefined>;
  listFeeds(): Promise<Feed[]>;
  /** Creates the feed with `ownerId` as its owner; 'name-taken' when a feed has the name. */
  createFeed(
    feed: { readonly name: string; readonly isPrivate: boolean; readonly accepts: FeedAccepts; readonly createdAt: Date },
    ownerId: AccountId | undefined,
    event: NewEvent,
  ): Promise<{ readonly outcome: 'created'; readonly feed: Feed } | { readonly outcome: 'name-taken' }>;
  updateFeed(
    feedId: FeedId,
    settings: { readonly isPrivate: boolean; readonly accepts: FeedAccepts; readonly retention: RetentionRules; readonly hardDelete: boolean; readonly upstreams: readonly string[]; readonly upstreamBlocked: readonly string[]; readonly upstreamCredentials: Readonly<Record<string, string>> },
    event: NewEvent,
  ): Promise<void>;
  /** Pins (or unpins) a version against retention; false when that changed nothing. */
  setPinned(feedId: FeedId, idLower: string, versionLower: string, pinned: boolean, at: Date): Promise<boolean>;
  pinnedVersions(feedId: FeedId): Promise<{ readonly idLower: string; readonly versionLower: string }[]>;
  /**
   * The user's role in the feed: their own membership or that of an organization they belong to, the
   * strongest of them.
   */
  roleOf(feedId: FeedId, userId: AccountId): Promise<FeedRole | undefined>;
  members(feedId: FeedId): Promise<FeedMember[]>;
  setMember(feedId: FeedId, accountId: AccountId, role: FeedRole, at: Date, event: NewEvent): Promise<void>;
  /** 'last-owner' when the feed would be left without an owner. */
  removeMember(feedId: FeedId, accountId: AccountId, event: NewEvent): Promise<'removed' | 'not-member' | 'last-owner'>;
}
