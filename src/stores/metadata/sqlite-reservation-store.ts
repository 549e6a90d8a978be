/**
 * ReservationStore on SQLite: nuget.org's ID prefix reservations (migration 6), each change with its event
 * in one transaction. `RESERVATION_COVERS` is domain/id-prefix-reservation.ts's `reservationCovers` in SQL,
 * for the lookups that run inside queries (a push's ownership, search's `verified`); a test holds the two
 * to the same answers.
 */
import type { ReservationStore, StoredReservation } from '../../app/accounts/ports.ts';
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { IdPrefixReservation } from '../../domain/id-prefix-reservation.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

/** Whether reservation `r` covers the lowercase id given three times as `idLower`. */
export const RESERVATION_COVERS = (idLower: string) =>
  `((r.kind = 'id' AND r.value_lower = ${idLower}) OR (r.kind = 'prefix' AND substr(${idLower}, 1, length(r.value_lower)) = r.value_lower AND length(${idLower}) >= length(r.value_lower)))`;

export class SqliteReservationStore implements ReservationStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async reserve(reservation: IdPrefixReservation, ownerId: AccountId, event: NewEvent): Promise<'created' | 'exists'> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare(
          `INSERT INTO prefix_reservations (text, kind, value_lower, owner_id, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, value_lower, owner_id) DO NOTHING`,
        )
        .run(reservation.text, reservation.kind, reservation.valueLower, ownerId, event.at.toISOString());
      if (inserted.changes !== 1) return 'exists';
      recordEvent(this.writer.statements, event);
      this.writer.ownershipChanged(this.idsCoveredBy(reservation));
      return 'created';
    });
  }

  async release(reservation: IdPrefixReservation, ownerId: AccountId, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const deleted = this.writer.statements
        .prepare('DELETE FROM prefix_reservations WHERE kind = ? AND value_lower = ? AND owner_id = ?')
        .run(reservation.kind, reservation.valueLower, ownerId);
      if (deleted.changes !== 1) return false;
      recordEvent(this.writer.statements, event);
      this.writer.ownershipChanged(this.idsCoveredBy(reservation));
      return true;
    });
  }

  /** The stored ids the reservation covers, whose `verified` may change with it. */
  private idsCoveredBy(reservation: IdPrefixReservation): string[] {
    const rows =
      reservation.kind === 'id'
        ? this.writer.statements.prepare('SELECT DISTINCT id_lower FROM packages WHERE id_lower = ?').all(reservation.valueLower)
        : this.writer.statements
            .prepare('SELECT DISTINCT id_lower FROM packages WHERE substr(id_lower, 1, length(?)) = ? AND length(id_lower) >= length(?)')
            .all(reservation.valueLower, reservation.valueLower, reservation.valueLower);
    return rows.map((row) => String(row.id_lower));
  }

  async listReservations(): Promise<StoredReservation[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT r.text, r.kind, r.value_lower, r.created_at, a.account_id, a.name FROM prefix_reservations r
         JOIN accounts a ON a.account_id = r.owner_id ORDER BY r.value_lower, r.kind, a.name_lower`,
      )
      .all()
      .map((row) => ({
        text: String(row.text),
        kind: String(row.kind) as StoredReservation['kind'],
        valueLower: String(row.value_lower),
        owner: { accountId: Number(row.account_id), name: String(row.name) },
        createdAt: new Date(String(row.created_at)),
      }));
  }
}
