/** AccountStore on SQLite: users and organizations (migration 6), each change with its event in one transaction. */
import type { Account, AccountStore, EmailChangeStore, NewUser, PendingEmailChange } from '../../app/accounts/ports.ts';
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import { lowerAccountName } from '../../domain/account-name.ts';
import type { StatementCache } from './sqlite-database.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

export const ACCOUNT_COLUMNS = 'account_id, kind, name, display_name, email, email_verified, is_admin, publish_emails, disabled_at, created_at';

export class SqliteAccountStore implements AccountStore, EmailChangeStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async createUser(user: NewUser, event: NewEvent): Promise<{ outcome: 'created'; account: Account } | { outcome: 'name-taken' }> {
    return this.writer.write(() => {
      const account = insertUser(this.writer.statements, user, event);
      return account === undefined ? { outcome: 'name-taken' as const } : { outcome: 'created' as const, account };
    });
  }

  async findAccountByName(name: string): Promise<Account | undefined> {
    const row = this.writer.reading().prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE name_lower = ?`).get(lowerAccountName(name));
    return row === undefined ? undefined : rowToAccount(row);
  }

  async listUsers(): Promise<(Account & { totpEnabled: boolean })[]> {
    return this.writer
      .reading()
      .prepare(`SELECT ${ACCOUNT_COLUMNS}, totp_secret IS NOT NULL AS totp_enabled FROM accounts WHERE kind = 'user' ORDER BY name_lower`)
      .all()
      .map((row) => ({ ...rowToAccount(row), totpEnabled: Number(row.totp_enabled) === 1 }));
  }

  async requestEmailChange(userId: AccountId, email: string, at: Date, expiresAt: Date, event: (verificationId: number) => NewEvent): Promise<number> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare('INSERT INTO email_verifications (user_id, email, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(userId, email, at.toISOString(), expiresAt.toISOString());
      const verificationId = Number(inserted.lastInsertRowid);
      recordEvent(this.writer.statements, event(verificationId));
      return verificationId;
    });
  }

  async pendingEmailChange(verificationId: number): Promise<PendingEmailChange | undefined> {
    const row = this.writer
      .reading()
      .prepare(
        `SELECT v.user_id, a.name, v.email, a.email AS previous, v.expires_at FROM email_verifications v JOIN accounts a ON a.account_id = v.user_id
         WHERE v.verification_id = ? AND v.used_at IS NULL`,
      )
      .get(verificationId);
    if (row === undefined) return undefined;
    return {
      userId: Number(row.user_id),
      userName: String(row.name),
      email: String(row.email),
      previousEmail: row.previous === null ? undefined : String(row.previous),
      expiresAt: new Date(String(row.expires_at)),
    };
  }

  async completeEmailChange(verificationId: number, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const used = statements
        .prepare('UPDATE email_verifications SET used_at = ? WHERE verification_id = ? AND used_at IS NULL RETURNING user_id, email')
        .get(at.toISOString(), verificationId);
      if (used === undefined) return false;
      statements.prepare('UPDATE accounts SET email = ?, email_verified = 1 WHERE account_id = ?').run(String(used.email), Number(used.user_id));
      // The older links of the user are spent too: only the latest change counts.
      statements.prepare('UPDATE email_verifications SET used_at = ? WHERE user_id = ? AND used_at IS NULL').run(at.toISOString(), Number(used.user_id));
      recordEvent(statements, event);
      return true;
    });
  }

  async findAccountById(accountId: AccountId): Promise<Account | undefined> {
    return this.byId(accountId, this.writer.reading());
  }

  async setPasswordHash(accountId: AccountId, passwordHash: string, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.writer.statements.prepare("UPDATE accounts SET password_hash = ? WHERE account_id = ? AND kind = 'user'").run(passwordHash, accountId);
      if (updated.changes !== 1) return false;
      recordEvent(this.writer.statements, { ...event, subjectUserId: accountId });
      return true;
    });
  }

  async setDisplayName(accountId: AccountId, displayName: string): Promise<boolean> {
    return this.writer.write(() => this.writer.statements.prepare('UPDATE accounts SET display_name = ? WHERE account_id = ?').run(displayName, accountId).changes === 1);
  }

  async setPublishEmails(accountId: AccountId, enabled: boolean): Promise<boolean> {
    return this.writer.write(
      () => this.writer.statements.prepare("UPDATE accounts SET publish_emails = ? WHERE account_id = ? AND kind = 'user'").run(enabled ? 1 : 0, accountId).changes === 1,
    );
  }

  async disableAccount(accountId: AccountId, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const found = this.writer.statements.prepare('SELECT disabled_at FROM accounts WHERE account_id = ?').get(accountId);
      if (found === undefined) return false;
      if (found.disabled_at !== null) return true;
      this.writer.statements.prepare('UPDATE accounts SET disabled_at = ? WHERE account_id = ?').run(at.toISOString(), accountId);
      recordEvent(this.writer.statements, { ...event, subjectUserId: accountId });
      return true;
    });
  }

  private byId(accountId: AccountId, statements = this.writer.statements): Account | undefined {
    const row = statements.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE account_id = ?`).get(accountId);
    return row === undefined ? undefined : rowToAccount(row);
  }
}

/**
 * Inserts a user with its event, inside the caller's transaction (also the identity store's, which links a
 * provider's identity in the same one); undefined when an account has the name.
 */
export function insertUser(statements: StatementCache, user: NewUser, event: NewEvent): Account | undefined {
  const inserted = statements
    .prepare(
      `INSERT INTO accounts (kind, name, name_lower, display_name, email, email_verified, is_admin, password_hash, created_at)
       VALUES ('user', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name_lower) DO NOTHING`,
    )
    .run(
      user.name,
      lowerAccountName(user.name),
      user.displayName,
      user.email ?? null,
      user.emailVerified ? 1 : 0,
      user.isAdministrator ? 1 : 0,
      user.passwordHash ?? null,
      user.createdAt.toISOString(),
    );
  if (inserted.changes !== 1) return undefined;
  const accountId = Number(inserted.lastInsertRowid);
  recordEvent(statements, { ...event, subjectUserId: accountId });
  return rowToAccount(statements.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE account_id = ?`).get(accountId) as Record<string, unknown>);
}

/** An `accounts` row (ACCOUNT_COLUMNS, optionally under a prefix such as `user_`). */
export function rowToAccount(row: Record<string, unknown>, prefix = ''): Account {
  const value = (name: string) => row[`${prefix}${name}`];
  return {
    accountId: Number(value('account_id')),
    kind: String(value('kind')) as Account['kind'],
    name: String(value('name')),
    displayName: String(value('display_name')),
    email: value('email') === null ? undefined : String(value('email')),
    emailVerified: Number(value('email_verified')) === 1,
    isAdministrator: Number(value('is_admin')) === 1,
    publishEmails: Number(value('publish_emails')) === 1,
    disabledAt: value('disabled_at') === null ? undefined : new Date(String(value('disabled_at'))),
    createdAt: new Date(String(value('created_at'))),
  };
}
