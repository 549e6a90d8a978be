/** TrustedPublisherStore on SQLite (migration 10): each change with its event in one transaction; a token is spent once. */
import type { NewEvent } from '../../app/events.ts';
import type { TrustedPublisher, TrustedPublisherStore } from '../../app/trusted-publishing/ports.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export class SqliteTrustedPublisherStore implements TrustedPublisherStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async addPublisher(publisher: Omit<TrustedPublisher, 'publisherId' | 'ownerName'>, event: NewEvent): Promise<number> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare('INSERT INTO trusted_publishers (owner_id, issuer, claims, created_at) VALUES (?, ?, ?, ?)')
        .run(publisher.ownerId, publisher.issuer, JSON.stringify(publisher.claims), publisher.createdAt.toISOString());
      const publisherId = Number(inserted.lastInsertRowid);
      recordEvent(this.writer.statements, { ...event, data: { ...event.data, publisherId } });
      return publisherId;
    });
  }

  async removePublisher(publisherId: number, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.writer.statements.prepare('UPDATE trusted_publishers SET removed_at = ? WHERE publisher_id = ? AND removed_at IS NULL').run(at.toISOString(), publisherId);
      if (updated.changes !== 1) return false;
      recordEvent(this.writer.statements, event);
      return true;
    });
  }

  async listPublishers(issuer?: string): Promise<TrustedPublisher[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT t.publisher_id, t.owner_id, a.name AS owner_name, t.issuer, t.claims, t.created_at FROM trusted_publishers t
         JOIN accounts a ON a.account_id = t.owner_id WHERE t.removed_at IS NULL AND (? IS NULL OR t.issuer = ?) ORDER BY t.publisher_id`,
      )
      .all(issuer ?? null, issuer ?? null)
      .map((row) => ({
        publisherId: Number(row.publisher_id),
        ownerId: Number(row.owner_id),
        ownerName: String(row.owner_name),
        issuer: String(row.issuer),
        claims: JSON.parse(String(row.claims)) as Record<string, string>,
        createdAt: new Date(String(row.created_at)),
      }));
  }

  async spendToken(issuer: string, jti: string, expiresAt: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      // Spent tokens are kept only until they expire: after that the verifier refuses them anyway.
      this.writer.statements.prepare('DELETE FROM exchanged_tokens WHERE expires_at < ?').run(event.at.toISOString());
      const inserted = this.writer.statements
        .prepare('INSERT INTO exchanged_tokens (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING')
        .run(issuer, jti, expiresAt.toISOString());
      if (inserted.changes !== 1) return false;
      recordEvent(this.writer.statements, event);
      return true;
    });
  }
}
