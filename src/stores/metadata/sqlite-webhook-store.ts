/** WebhookStore on SQLite (migration 7): each change with its event in one transaction; a removed webhook's row stays for the audit trail. */
import type { NewEvent, EventKind } from '../../app/events.ts';
import type { NewWebhook } from '../../app/notifications/ports.ts';
import type { StoredWebhook, WebhookStore } from '../../app/notifications/webhooks.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export class SqliteWebhookStore implements WebhookStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async addWebhook(webhook: NewWebhook, event: NewEvent): Promise<number> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare('INSERT INTO webhooks (owner_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(webhook.ownerId ?? null, webhook.url, webhook.secret, JSON.stringify(webhook.events), webhook.createdAt.toISOString());
      const webhookId = Number(inserted.lastInsertRowid);
      recordEvent(this.writer.statements, { ...event, data: { ...event.data, webhookId } });
      return webhookId;
    });
  }

  async removeWebhook(webhookId: number, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.writer.statements.prepare('UPDATE webhooks SET removed_at = ? WHERE webhook_id = ? AND removed_at IS NULL').run(at.toISOString(), webhookId);
      if (updated.changes !== 1) return false;
      recordEvent(this.writer.statements, event);
      return true;
    });
  }

  async listWebhooks(): Promise<StoredWebhook[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT w.webhook_id, a.name AS owner, w.url, w.events, w.created_at FROM webhooks w LEFT JOIN accounts a ON a.account_id = w.owner_id
         WHERE w.removed_at IS NULL ORDER BY w.webhook_id`,
      )
      .all()
      .map((row) => ({
        webhookId: Number(row.webhook_id),
        owner: row.owner === null ? undefined : String(row.owner),
        url: String(row.url),
        events: JSON.parse(String(row.events)) as EventKind[],
        createdAt: new Date(String(row.created_at)),
      }));
  }
}
