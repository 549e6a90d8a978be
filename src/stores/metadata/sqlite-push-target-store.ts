/** PushTargetStore on SQLite (migration 18). */
import type { NewEvent } from '../../app/events.ts';
import type { PushResult, PushTarget, PushTargetStore } from '../../app/feeds/push-target-ports.ts';
import type { FeedId } from '../../domain/feed.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

function rowToTarget(row: Record<string, unknown>): PushTarget {
  return { targetId: Number(row.target_id), feedId: Number(row.feed_id), name: String(row.name), pushUrl: String(row.push_url), createdAt: new Date(String(row.created_at)) };
}

export class SqlitePushTargetStore implements PushTargetStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async addPushTarget(target: Omit<PushTarget, 'targetId'> & { apiKeySealed: string }, event: NewEvent): Promise<PushTarget | 'name-taken'> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare('INSERT INTO feed_push_targets (feed_id, name, push_url, api_key_sealed, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (feed_id, name) DO NOTHING')
        .run(target.feedId, target.name, target.pushUrl, target.apiKeySealed, target.createdAt.toISOString());
      if (inserted.changes !== 1) return 'name-taken' as const;
      recordEvent(this.writer.statements, event);
      return { targetId: Number(inserted.lastInsertRowid), feedId: target.feedId, name: target.name, pushUrl: target.pushUrl, createdAt: target.createdAt };
    });
  }

  async removePushTarget(feedId: FeedId, name: string, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const target = statements.prepare('SELECT target_id FROM feed_push_targets WHERE feed_id = ? AND name = ?').get(feedId, name);
      if (target === undefined) return false;
      statements.prepare('DELETE FROM push_results WHERE target_id = ?').run(Number(target.target_id));
      statements.prepare('DELETE FROM feed_push_targets WHERE target_id = ?').run(Number(target.target_id));
      recordEvent(statements, event);
      return true;
    });
  }

  async pushTargets(feedId: FeedId): Promise<PushTarget[]> {
    return this.writer.reading().prepare('SELECT target_id, feed_id, name, push_url, created_at FROM feed_push_targets WHERE feed_id = ? ORDER BY name').all(feedId).map(rowToTarget);
  }

  async pushTarget(feedId: FeedId, name: string): Promise<(PushTarget & { apiKeySealed: string }) | undefined> {
    const row = this.writer.reading().prepare('SELECT target_id, feed_id, name, push_url, created_at, api_key_sealed FROM feed_push_targets WHERE feed_id = ? AND name = ?').get(feedId, name);
    return row === undefined ? undefined : { ...rowToTarget(row), apiKeySealed: String(row.api_key_sealed) };
  }

  async recordPushResult(targetId: number, result: PushResult, event: NewEvent): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements
        .prepare('INSERT INTO push_results (target_id, id_lower, version_lower, status, message, pushed_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(targetId, result.idLower, result.versionLower, result.status ?? null, result.message.slice(0, 500), result.pushedAt.toISOString());
      recordEvent(this.writer.statements, event);
    });
  }

  async pushResults(targetId: number, limit: number): Promise<PushResult[]> {
    return this.writer
      .reading()
      .prepare('SELECT id_lower, version_lower, status, message, pushed_at FROM push_results WHERE target_id = ? ORDER BY result_id DESC LIMIT ?')
      .all(targetId, limit)
      .map((row) => ({
        idLower: String(row.id_lower),
        versionLower: String(row.version_lower),
        status: row.status === null ? undefined : Number(row.status),
        message: String(row.message),
        pushedAt: new Date(String(row.pushed_at)),
      }));
  }
}
