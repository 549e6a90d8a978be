/** FeedStore on SQLite: the `feeds` table (migration 5, settings in 14) and `feed_members`. */
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { FeedMember, FeedStore } from '../../app/feeds/ports.ts';
import { FEED_ROLES, NO_RETENTION, type Feed, type FeedAccepts, type FeedId, type FeedRole } from '../../domain/feed.ts';
import type { RetentionRules } from '../../domain/retention.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

const FEED_COLUMNS = 'feed_id, name, is_private, accepts, open_push, keep_newest, keep_days, retention_covers_stable, hard_delete, upstreams, upstream_blocked, upstream_credentials';

function rowToFeed(row: Record<string, unknown>): Feed {
  const optional = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));
  return {
    feedId: Number(row.feed_id),
    name: String(row.name),
    isPrivate: Number(row.is_private) === 1,
    accepts: String(row.accepts) as FeedAccepts,
    openPush: Number(row.open_push) === 1,
    retention: { keepNewest: optional(row.keep_newest), keepDays: optional(row.keep_days), includeStable: Number(row.retention_covers_stable) === 1 },
    hardDelete: Number(row.hard_delete) === 1,
    upstreams: JSON.parse(String(row.upstreams ?? '[]')) as string[],
    upstreamBlocked: JSON.parse(String(row.upstream_blocked ?? '[]')) as string[],
    upstreamCredentials: JSON.parse(String(row.upstream_credentials ?? '{}')) as Record<string, string>,
  };
}

export class SqliteFeedStore implements FeedStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async feedByName(name: string): Promise<Feed | undefined> {
    const row = this.writer.reading().prepare(`SELECT ${FEED_COLUMNS} FROM feeds WHERE name = ?`).get(name.toLowerCase());
    return row === undefined ? undefined : rowToFeed(row);
  }

  async feedById(feedId: FeedId): Promise<Feed | undefined> {
    const row = this.writer.reading().prepare(`SELECT ${FEED_COLUMNS} FROM feeds WHERE feed_id = ?`).get(feedId);
    return row === undefined ? undefined : rowToFeed(row);
  }

  async listFeeds(): Promise<Feed[]> {
    return this.writer.reading().prepare(`SELECT ${FEED_COLUMNS} FROM feeds ORDER BY feed_id`).all().map(rowToFeed);
  }

  async createFeed(
    feed: { name: string; isPrivate: boolean; accepts: FeedAccepts; createdAt: Date },
    ownerId: AccountId | undefined,
    event: NewEvent,
  ): Promise<{ outcome: 'created'; feed: Feed } | { outcome: 'name-taken' }> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const inserted = statements
        .prepare('INSERT INTO feeds (name, created_at, is_private, accepts) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING')
        .run(feed.name, feed.createdAt.toISOString(), feed.isPrivate ? 1 : 0, feed.accepts);
      if (inserted.changes !== 1) return { outcome: 'name-taken' as const };
      const feedId = Number(inserted.lastInsertRowid);
      if (ownerId !== undefined) {
        statements.prepare("INSERT INTO feed_members (feed_id, account_id, role, added_at) VALUES (?, ?, 'owner', ?)").run(feedId, ownerId, feed.createdAt.toISOString());
      }
      recordEvent(statements, { ...event, feedId });
      return { outcome: 'created' as const, feed: { feedId, name: feed.name, isPrivate: feed.isPrivate, accepts: feed.accepts, openPush: false, retention: NO_RETENTION, hardDelete: false, upstreams: [], upstreamBlocked: [], upstreamCredentials: {} } };
    });
  }

  async updateFeed(
    feedId: FeedId,
    settings: { isPrivate: boolean; accepts: FeedAccepts; retention: RetentionRules; hardDelete: boolean; upstreams: readonly string[]; upstreamBlocked: readonly string[]; upstreamCredentials: Readonly<Record<string, string>> },
    event: NewEvent,
  ): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements
        .prepare('UPDATE feeds SET is_private = ?, accepts = ?, keep_newest = ?, keep_days = ?, retention_covers_stable = ?, hard_delete = ?, upstreams = ?, upstream_blocked = ?, upstream_credentials = ? WHERE feed_id = ?')
        .run(
          settings.isPrivate ? 1 : 0,
          settings.accepts,
          settings.retention.keepNewest ?? null,
          settings.retention.keepDays ?? null,
          settings.retention.includeStable ? 1 : 0,
          settings.hardDelete ? 1 : 0,
          JSON.stringify(settings.upstreams),
          JSON.stringify(settings.upstreamBlocked),
          JSON.stringify(settings.upstreamCredentials),
          feedId,
        );
      recordEvent(this.writer.statements, { ...event, feedId });
    });
  }

  async setPinned(feedId: FeedId, idLower: string, versionLower: string, pinned: boolean, at: Date): Promise<boolean> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const changed = pinned
        ? statements.prepare('INSERT INTO version_pins (feed_id, id_lower, version_lower, pinned_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(feedId, idLower, versionLower, at.toISOString())
        : statements.prepare('DELETE FROM version_pins WHERE feed_id = ? AND id_lower = ? AND version_lower = ?').run(feedId, idLower, versionLower);
      return changed.changes === 1;
    });
  }

  async pinnedVersions(feedId: FeedId): Promise<{ idLower: string; versionLower: string }[]> {
    return this.writer
      .reading()
      .prepare('SELECT id_lower, version_lower FROM version_pins WHERE feed_id = ? ORDER BY id_lower, version_lower')
      .all(feedId)
      .map((row) => ({ idLower: String(row.id_lower), versionLower: String(row.version_lower) }));
  }

  async roleOf(feedId: FeedId, userId: AccountId): Promise<FeedRole | undefined> {
    const roles = this.writer
      .reading()
      .prepare(
        `SELECT f.role FROM feed_members f WHERE f.feed_id = ? AND (f.account_id = ?
           OR f.account_id IN (SELECT organization_id FROM organization_members WHERE user_id = ?))`,
      )
      .all(feedId, userId, userId)
      .map((row) => String(row.role) as FeedRole);
    return roles.sort((a, b) => FEED_ROLES.indexOf(b) - FEED_ROLES.indexOf(a))[0];
  }

  async members(feedId: FeedId): Promise<FeedMember[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT a.account_id, a.name, a.kind, f.role FROM feed_members f JOIN accounts a ON a.account_id = f.account_id
         WHERE f.feed_id = ? ORDER BY a.name_lower`,
      )
      .all(feedId)
      .map((row) => ({
        account: { accountId: Number(row.account_id), name: String(row.name), kind: String(row.kind) as FeedMember['account']['kind'] },
        role: String(row.role) as FeedRole,
      }));
  }

  async setMember(feedId: FeedId, accountId: AccountId, role: FeedRole, at: Date, event: NewEvent): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements
        .prepare('INSERT INTO feed_members (feed_id, account_id, role, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (feed_id, account_id) DO UPDATE SET role = excluded.role')
        .run(feedId, accountId, role, at.toISOString());
      recordEvent(this.writer.statements, { ...event, feedId });
    });
  }

  async removeMember(feedId: FeedId, accountId: AccountId, event: NewEvent): Promise<'removed' | 'not-member' | 'last-owner'> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const current = statements.prepare('SELECT role FROM feed_members WHERE feed_id = ? AND account_id = ?').get(feedId, accountId);
      if (current === undefined) return 'not-member' as const;
      const owners = Number(statements.prepare("SELECT count(*) AS owners FROM feed_members WHERE feed_id = ? AND role = 'owner'").get(feedId)?.owners);
      if (String(current.role) === 'owner' && owners === 1) return 'last-owner' as const;
      statements.prepare('DELETE FROM feed_members WHERE feed_id = ? AND account_id = ?').run(feedId, accountId);
      recordEvent(statements, { ...event, feedId });
      return 'removed' as const;
    });
  }
}
