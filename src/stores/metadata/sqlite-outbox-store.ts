/**
 * OutboxStore on SQLite (migration 7): events past the cursor become deliveries in the transaction that
 * moves the cursor, so each event is expanded exactly once however the process stops; deliveries then
 * carry their own tries.
 */
import type { StoredEvent } from '../../app/events.ts';
import { SERVER } from '../../app/events.ts';
import type { Delivery, EventAudience, NewDelivery, OutboxStore } from '../../app/notifications/ports.ts';
import { recordEvent, rowToEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export class SqliteOutboxStore implements OutboxStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async expandEvents(expand: (event: StoredEvent, audience: EventAudience) => NewDelivery[], limit: number, at: Date): Promise<number> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const cursor = Number(statements.prepare('SELECT last_event_id FROM outbox_cursor').get()?.last_event_id ?? 0);
      const events = statements.prepare('SELECT * FROM events WHERE event_id > ? ORDER BY event_id LIMIT ?').all(cursor, limit).map(rowToEvent);
      const insert = statements.prepare('INSERT INTO deliveries (event_id, channel, target, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const event of events) {
        for (const delivery of expand(event, this.audienceOf(event))) {
          const [target, payload] = delivery.channel === 'email' ? [delivery.message.to, delivery.message] : [String(delivery.webhookId), delivery.body];
          insert.run(event.eventId, delivery.channel, target, JSON.stringify(payload), at.toISOString(), at.toISOString());
        }
      }
      const last = events.at(-1);
      if (last !== undefined) statements.prepare('UPDATE outbox_cursor SET last_event_id = ?').run(last.eventId);
      return events.length;
    });
  }

  private audienceOf(event: StoredEvent): EventAudience {
    const statements = this.writer.statements;
    let packageOwners: EventAudience['packageOwners'] = [];
    let ownerIds: number[] = [];
    if (event.idLower !== undefined) {
      ownerIds = statements.prepare('SELECT account_id FROM package_owners WHERE id_lower = ?').all(event.idLower).map((row) => Number(row.account_id));
      // A package no account owns is the administrators'.
      const people = ownerIds.length > 0
        ? statements
            .prepare(
              `SELECT a.name, a.email, a.publish_emails FROM package_owners o JOIN accounts a ON a.account_id = o.account_id
               WHERE o.id_lower = ? AND a.kind = 'user' AND a.disabled_at IS NULL ORDER BY a.name_lower`,
            )
            .all(event.idLower)
        : statements.prepare("SELECT name, email, publish_emails FROM accounts WHERE is_admin = 1 AND kind = 'user' AND disabled_at IS NULL ORDER BY name_lower").all();
      packageOwners = people.map((row) => ({
        name: String(row.name),
        email: row.email === null ? undefined : String(row.email),
        publishEmails: Number(row.publish_emails) === 1,
      }));
    }
    const subjectRow =
      event.subjectUserId === undefined
        ? undefined
        : statements.prepare('SELECT name, email FROM accounts WHERE account_id = ? AND disabled_at IS NULL').get(event.subjectUserId);
    const subject = subjectRow === undefined ? undefined : { name: String(subjectRow.name), email: subjectRow.email === null ? undefined : String(subjectRow.email) };
    const webhooks = statements
      .prepare(`SELECT webhook_id, owner_id, events FROM webhooks WHERE removed_at IS NULL ORDER BY webhook_id`)
      .all()
      .filter((row) => (row.owner_id === null || ownerIds.includes(Number(row.owner_id))) && (JSON.parse(String(row.events)) as string[]).includes(event.kind))
      .map((row) => ({ webhookId: Number(row.webhook_id) }));
    return { packageOwners, subject, webhooks };
  }

  async dueDeliveries(now: Date, limit: number): Promise<Delivery[]> {
    return this.writer.statements
      .prepare(
        `SELECT delivery_id, channel, target, payload, attempts, created_at FROM deliveries
         WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, delivery_id LIMIT ?`,
      )
      .all(now.toISOString(), limit)
      .map((row): Delivery => {
        const common = { deliveryId: Number(row.delivery_id), attempts: Number(row.attempts), createdAt: new Date(String(row.created_at)) };
        const payload = JSON.parse(String(row.payload));
        return row.channel === 'email' ? { ...common, channel: 'email', message: payload } : { ...common, channel: 'webhook', webhookId: Number(row.target), body: payload };
      });
  }

  async markSent(deliveryId: number, at: Date): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements
        .prepare('UPDATE deliveries SET sent_at = ?, next_attempt_at = NULL, attempts = attempts + 1, last_error = NULL WHERE delivery_id = ?')
        .run(at.toISOString(), deliveryId);
    });
  }

  async markFailed(deliveryId: number, error: string, nextAttemptAt: Date | undefined, at: Date): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements
        .prepare('UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, failed_at = ? WHERE delivery_id = ?')
        .run(error, nextAttemptAt?.toISOString() ?? null, nextAttemptAt === undefined ? at.toISOString() : null, deliveryId);
    });
  }

  async webhookTarget(webhookId: number): Promise<{ url: string; secret: string } | undefined> {
    const row = this.writer.statements.prepare('SELECT url, secret FROM webhooks WHERE webhook_id = ? AND removed_at IS NULL').get(webhookId);
    return row === undefined ? undefined : { url: String(row.url), secret: String(row.secret) };
  }

  async warnOfExpiringKeys(now: Date, before: Date): Promise<number> {
    const due = this.writer.statements
      .prepare('SELECT key_id FROM api_keys WHERE expiry_warned_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND expires_at <= ? LIMIT 1')
      .get(now.toISOString(), before.toISOString());
    if (due === undefined) return 0;
    return this.writer.write(() => {
      const keys = this.writer.statements
        .prepare('SELECT key_id, user_id, name, expires_at FROM api_keys WHERE expiry_warned_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND expires_at <= ?')
        .all(now.toISOString(), before.toISOString());
      for (const key of keys) {
        recordEvent(this.writer.statements, {
          kind: 'api-key.expiring',
          at: now,
          actor: SERVER,
          subjectUserId: Number(key.user_id),
          data: { name: String(key.name), expiresAt: String(key.expires_at) },
        });
        this.writer.statements.prepare('UPDATE api_keys SET expiry_warned_at = ? WHERE key_id = ?').run(now.toISOString(), Number(key.key_id));
      }
      return keys.length;
    });
  }
}
