/** OrganizationStore on SQLite (migration 12): organizations are `accounts` rows of kind 'organization'. */
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { Account } from '../../app/accounts/ports.ts';
import type { Member, MemberRole, Membership, OrganizationStore } from '../../app/organizations/ports.ts';
import { lowerAccountName } from '../../domain/account-name.ts';
import { ACCOUNT_COLUMNS, rowToAccount } from './sqlite-account-store.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export class SqliteOrganizationStore implements OrganizationStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async createOrganization(
    organization: { name: string; displayName: string; email: string | undefined; createdAt: Date },
    adminId: AccountId,
    event: NewEvent,
  ): Promise<{ outcome: 'created'; organization: Account } | { outcome: 'name-taken' }> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const inserted = statements
        .prepare(
          `INSERT INTO accounts (kind, name, name_lower, display_name, email, email_verified, created_at)
           VALUES ('organization', ?, ?, ?, ?, 0, ?) ON CONFLICT (name_lower) DO NOTHING`,
        )
        .run(organization.name, lowerAccountName(organization.name), organization.displayName, organization.email ?? null, organization.createdAt.toISOString());
      if (inserted.changes !== 1) return { outcome: 'name-taken' as const };
      const organizationId = Number(inserted.lastInsertRowid);
      statements.prepare("INSERT INTO organization_members (organization_id, user_id, role, added_at) VALUES (?, ?, 'admin', ?)").run(organizationId, adminId, organization.createdAt.toISOString());
      recordEvent(statements, event);
      const row = statements.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE account_id = ?`).get(organizationId) as Record<string, unknown>;
      return { outcome: 'created' as const, organization: rowToAccount(row) };
    });
  }

  async members(organizationId: AccountId): Promise<Member[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT u.account_id, u.name, u.email, m.role, m.added_at FROM organization_members m JOIN accounts u ON u.account_id = m.user_id
         WHERE m.organization_id = ? ORDER BY m.role = 'admin' DESC, u.name_lower`,
      )
      .all(organizationId)
      .map((row) => ({
        user: { accountId: Number(row.account_id), name: String(row.name), email: row.email === null ? undefined : String(row.email) },
        role: String(row.role) as MemberRole,
        addedAt: new Date(String(row.added_at)),
      }));
  }

  async memberships(userId: AccountId): Promise<Membership[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT ${ACCOUNT_COLUMNS.split(', ').map((column) => `o.${column}`).join(', ')}, o.members_need_two_factor, m.role
         FROM organization_members m JOIN accounts o ON o.account_id = m.organization_id WHERE m.user_id = ? ORDER BY o.name_lower`,
      )
      .all(userId)
      .map((row) => ({ organization: rowToAccount(row), role: String(row.role) as MemberRole, membersNeedTwoFactor: Number(row.members_need_two_factor) === 1 }));
  }

  async listOrganizations(): Promise<{ organization: Account; members: number; membersNeedTwoFactor: boolean }[]> {
    return this.writer
      .reading()
      .prepare(
        `SELECT ${ACCOUNT_COLUMNS.split(', ').map((column) => `o.${column}`).join(', ')}, o.members_need_two_factor,
                (SELECT count(*) FROM organization_members m WHERE m.organization_id = o.account_id) AS members
         FROM accounts o WHERE o.kind = 'organization' ORDER BY o.name_lower`,
      )
      .all()
      .map((row) => ({ organization: rowToAccount(row), members: Number(row.members), membersNeedTwoFactor: Number(row.members_need_two_factor) === 1 }));
  }

  async role(organizationId: AccountId, userId: AccountId): Promise<MemberRole | undefined> {
    const row = this.writer.reading().prepare('SELECT role FROM organization_members WHERE organization_id = ? AND user_id = ?').get(organizationId, userId);
    return row === undefined ? undefined : (String(row.role) as MemberRole);
  }

  async setMember(organizationId: AccountId, userId: AccountId, role: MemberRole, at: Date, event: NewEvent): Promise<'added' | 'changed' | 'unchanged' | 'last-admin'> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const current = this.currentRole(organizationId, userId);
      if (current === role) return 'unchanged' as const;
      if (current === 'admin' && this.admins(organizationId) === 1) return 'last-admin' as const;
      if (current === undefined) statements.prepare('INSERT INTO organization_members (organization_id, user_id, role, added_at) VALUES (?, ?, ?, ?)').run(organizationId, userId, role, at.toISOString());
      else statements.prepare('UPDATE organization_members SET role = ? WHERE organization_id = ? AND user_id = ?').run(role, organizationId, userId);
      recordEvent(statements, event);
      return current === undefined ? ('added' as const) : ('changed' as const);
    });
  }

  async removeMember(organizationId: AccountId, userId: AccountId, event: NewEvent): Promise<'removed' | 'not-member' | 'last-admin'> {
    return this.writer.write(() => {
      const current = this.currentRole(organizationId, userId);
      if (current === undefined) return 'not-member' as const;
      if (current === 'admin' && this.admins(organizationId) === 1) return 'last-admin' as const;
      this.writer.statements.prepare('DELETE FROM organization_members WHERE organization_id = ? AND user_id = ?').run(organizationId, userId);
      recordEvent(this.writer.statements, event);
      return 'removed' as const;
    });
  }

  async setMembersNeedTwoFactor(organizationId: AccountId, required: boolean, event: NewEvent): Promise<void> {
    await this.writer.write(() => {
      this.writer.statements.prepare("UPDATE accounts SET members_need_two_factor = ? WHERE account_id = ? AND kind = 'organization'").run(required ? 1 : 0, organizationId);
      recordEvent(this.writer.statements, event);
    });
  }

  private currentRole(organizationId: AccountId, userId: AccountId): MemberRole | undefined {
    const row = this.writer.statements.prepare('SELECT role FROM organization_members WHERE organization_id = ? AND user_id = ?').get(organizationId, userId);
    return row === undefined ? undefined : (String(row.role) as MemberRole);
  }

  private admins(organizationId: AccountId): number {
    return Number(this.writer.statements.prepare("SELECT count(*) AS admins FROM organization_members WHERE organization_id = ? AND role = 'admin'").get(organizationId)?.admins);
  }
}
