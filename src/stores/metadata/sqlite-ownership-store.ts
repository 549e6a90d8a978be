/** OwnershipStore on SQLite (migration 9): each change with its event in one transaction; the last owner is never removed. */
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { OwnershipStore, PendingInvitation } from '../../app/ownership/ports.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export class SqliteOwnershipStore implements OwnershipStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async invite(idLower: string, inviteeId: AccountId, invitedBy: AccountId | undefined, event: NewEvent): Promise<'invited' | 'already-owner' | 'pending'> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      if (statements.prepare('SELECT 1 FROM package_owners WHERE id_lower = ? AND account_id = ?').get(idLower, inviteeId)) return 'already-owner';
      const inserted = statements
        .prepare(
          `INSERT INTO owner_invitations (id_lower, invitee_id, invited_by, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (id_lower, invitee_id) WHERE accepted_at IS NULL AND cancelled_at IS NULL DO NOTHING`,
        )
        .run(idLower, inviteeId, invitedBy ?? null, event.at.toISOString());
      if (inserted.changes !== 1) return 'pending';
      recordEvent(statements, { ...event, data: { ...event.data, invitationId: Number(inserted.lastInsertRowid) } });
      return 'invited';
    });
  }

  async pendingInvitations(inviteeId: AccountId): Promise<PendingInvitation[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT i.invitation_id, i.id_lower, i.created_at, a.name AS invited_by,
                (SELECT p.id FROM packages p WHERE p.id_lower = i.id_lower ORDER BY p.feed_id LIMIT 1) AS id
         FROM owner_invitations i LEFT JOIN accounts a ON a.account_id = i.invited_by
         WHERE i.invitee_id = ? AND i.accepted_at IS NULL AND i.cancelled_at IS NULL ORDER BY i.invitation_id`,
      )
      .all(inviteeId)
      .map((row) => ({
        invitationId: Number(row.invitation_id),
        idLower: String(row.id_lower),
        id: row.id === null ? String(row.id_lower) : String(row.id),
        invitedBy: row.invited_by === null ? undefined : String(row.invited_by),
        createdAt: new Date(String(row.created_at)),
      }));
  }

  async accept(invitationId: number, inviteeId: AccountId, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const invitation = statements
        .prepare('UPDATE owner_invitations SET accepted_at = ? WHERE invitation_id = ? AND invitee_id = ? AND accepted_at IS NULL AND cancelled_at IS NULL RETURNING id_lower')
        .get(at.toISOString(), invitationId, inviteeId);
      if (invitation === undefined) return false;
      const idLower = String(invitation.id_lower);
      statements.prepare('INSERT INTO package_owners (id_lower, account_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(idLower, inviteeId, at.toISOString());
      const registration = statements.prepare('SELECT id FROM packages WHERE id_lower = ? ORDER BY feed_id LIMIT 1').get(idLower);
      recordEvent(statements, { ...event, idLower, data: { ...event.data, id: registration === undefined ? idLower : String(registration.id) } });
      this.writer.ownershipChanged([idLower]);
      return true;
    });
  }

  async transfer(idLower: string, toId: AccountId, fromId: AccountId | undefined, at: Date, added: NewEvent, removed: NewEvent | undefined): Promise<'transferred' | 'already-owner'> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const inserted = statements.prepare('INSERT INTO package_owners (id_lower, account_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(idLower, toId, at.toISOString());
      if (inserted.changes !== 1) return 'already-owner' as const;
      recordEvent(statements, added);
      if (fromId !== undefined && removed !== undefined) {
        const deleted = statements.prepare('DELETE FROM package_owners WHERE id_lower = ? AND account_id = ?').run(idLower, fromId);
        if (deleted.changes === 1) recordEvent(statements, removed);
      }
      this.writer.ownershipChanged([idLower]);
      return 'transferred' as const;
    });
  }

  async removeOwner(idLower: string, accountId: AccountId, event: NewEvent): Promise<'removed' | 'not-owner' | 'last-owner'> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const owners = statements.prepare('SELECT account_id FROM package_owners WHERE id_lower = ?').all(idLower).map((row) => Number(row.account_id));
      if (!owners.includes(accountId)) return 'not-owner';
      if (owners.length === 1) return 'last-owner';
      statements.prepare('DELETE FROM package_owners WHERE id_lower = ? AND account_id = ?').run(idLower, accountId);
      recordEvent(statements, event);
      this.writer.ownershipChanged([idLower]);
      return 'removed';
    });
  }
}
