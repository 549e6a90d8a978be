/**
 * The `events` table (migration 6): `recordEvent` runs inside the transaction of the change it records,
 * so an event exists exactly when its change committed; `SqliteEventLog` reads them back.
 */
import type { EventLog, EventQuery, NewEvent, StoredEvent } from '../../app/events.ts';
import type { StatementCache } from './sqlite-database.ts';
import { SqlParams } from './sql-params.ts';

export function recordEvent(statements: StatementCache, event: NewEvent): void {
  statements
    .prepare(
      `INSERT INTO events (occurred_at, kind, actor_user_id, actor_key_name, actor_label, client_address, subject_user_id, feed_id,
                           id_lower, version_lower, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      event.at.toISOString(),
      event.kind,
      event.actor.userId ?? null,
      event.actor.key?.name ?? null,
      event.actor.label,
      event.actor.clientAddress ?? null,
      event.subjectUserId ?? null,
      event.feedId ?? null,
      event.idLower ?? null,
      event.versionLower ?? null,
      JSON.stringify(event.data ?? {}),
    );
}

export class SqliteEventLog implements EventLog {
  private readonly statements: () => StatementCache;

  constructor(statements: () => StatementCache) {
    this.statements = statements;
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    const params = new SqlParams();
    const conditions = [`event_id > ${params.add(query.afterEventId ?? 0)}`];
    if (query.userId !== undefined) {
      const user = params.add(query.userId);
      conditions.push(`(actor_user_id = ${user} OR subject_user_id = ${user})`);
    }
    return this.statements()
      .prepare(`SELECT * FROM events WHERE ${conditions.join(' AND ')} ORDER BY event_id LIMIT ${params.add(query.limit)}`)
      .all(params.values)
      .map(rowToEvent);
  }
}

export function rowToEvent(row: Record<string, unknown>): StoredEvent {
  const optionalText = (value: unknown) => (value === null ? undefined : String(value));
  const optionalNumber = (value: unknown) => (value === null ? undefined : Number(value));
  return {
    eventId: Number(row.event_id),
    at: new Date(String(row.occurred_at)),
    kind: String(row.kind) as StoredEvent['kind'],
    actorUserId: optionalNumber(row.actor_user_id),
    actorKeyName: optionalText(row.actor_key_name),
    actorLabel: String(row.actor_label),
    clientAddress: optionalText(row.client_address),
    subjectUserId: optionalNumber(row.subject_user_id),
    feedId: optionalNumber(row.feed_id),
    idLower: optionalText(row.id_lower),
    versionLower: optionalText(row.version_lower),
    data: JSON.parse(String(row.data)) as Record<string, unknown>,
  };
}
