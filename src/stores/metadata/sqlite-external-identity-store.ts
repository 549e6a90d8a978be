/** ExternalIdentityStore on SQLite (migration 11): flows under way at a provider, and identities linked to accounts. */
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { ExternalIdentityStore, ExternalSignInFlow, IdentityWithAccount, LinkedIdentity } from '../../app/accounts/external-sign-in-ports.ts';
import type { Account, NewUser } from '../../app/accounts/ports.ts';
import { ACCOUNT_COLUMNS, insertUser, rowToAccount } from './sqlite-account-store.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

const IDENTITY_COLUMNS = 'i.provider, i.subject, i.user_id, i.email, i.linked_at, i.last_signed_in_at';

function rowToIdentity(row: Record<string, unknown>): LinkedIdentity {
  return {
    provider: String(row.provider),
    subject: String(row.subject),
    userId: Number(row.user_id),
    email: row.email === null ? undefined : String(row.email),
    linkedAt: new Date(String(row.linked_at)),
    lastSignedInAt: row.last_signed_in_at === null ? undefined : new Date(String(row.last_signed_in_at)),
  };
}

export class SqliteExternalIdentityStore implements ExternalIdentityStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async startFlow(flow: ExternalSignInFlow, now: Date): Promise<void> {
    await this.writer.write(() => {
      const statements = this.writer.statements;
      statements.prepare('DELETE FROM external_sign_in_flows WHERE expires_at <= ?').run(now.toISOString());
      statements
        .prepare(
          `INSERT INTO external_sign_in_flows (state_hash, browser_hash, provider, purpose, user_id, nonce, code_verifier, next_path, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(flow.stateHash, flow.browserHash, flow.provider, flow.purpose, flow.userId ?? null, flow.nonce, flow.codeVerifier, flow.nextPath, flow.expiresAt.toISOString());
    });
  }

  async takeFlow(stateHash: string): Promise<ExternalSignInFlow | undefined> {
    return this.writer.write(() => {
      const row = this.writer.statements.prepare('DELETE FROM external_sign_in_flows WHERE state_hash = ? RETURNING *').get(stateHash);
      if (row === undefined) return undefined;
      return {
        stateHash: String(row.state_hash),
        browserHash: String(row.browser_hash),
        provider: String(row.provider),
        purpose: String(row.purpose) as ExternalSignInFlow['purpose'],
        userId: row.user_id === null ? undefined : Number(row.user_id),
        nonce: String(row.nonce),
        codeVerifier: String(row.code_verifier),
        nextPath: String(row.next_path),
        expiresAt: new Date(String(row.expires_at)),
      };
    });
  }

  async findIdentity(provider: string, subject: string): Promise<IdentityWithAccount | undefined> {
    const row = this.writer
      .reading()
      .prepare(
        `SELECT ${IDENTITY_COLUMNS}, ${ACCOUNT_COLUMNS.split(', ').map((column) => `a.${column}`).join(', ')}, a.totp_secret IS NOT NULL AS totp_enabled
         FROM external_identities i JOIN accounts a ON a.account_id = i.user_id WHERE i.provider = ? AND i.subject = ?`,
      )
      .get(provider, subject);
    if (row === undefined) return undefined;
    return { identity: rowToIdentity(row), account: rowToAccount(row), totpEnabled: Number(row.totp_enabled) === 1 };
  }

  async linkIdentity(identity: Omit<LinkedIdentity, 'lastSignedInAt'>, event: NewEvent): Promise<'linked' | 'taken'> {
    return this.writer.write(() => {
      const inserted = this.insertIdentity(identity);
      if (!inserted) return 'taken' as const;
      recordEvent(this.writer.statements, event);
      return 'linked' as const;
    });
  }

  async createUserWithIdentity(
    user: NewUser,
    identity: Pick<LinkedIdentity, 'provider' | 'subject' | 'email'>,
    event: NewEvent,
  ): Promise<{ outcome: 'created'; account: Account } | { outcome: 'name-taken' } | { outcome: 'identity-taken' }> {
    return this.writer.write(() => {
      const taken = this.writer.statements.prepare('SELECT 1 FROM external_identities WHERE provider = ? AND subject = ?').get(identity.provider, identity.subject);
      if (taken !== undefined) return { outcome: 'identity-taken' as const };
      const account = insertUser(this.writer.statements, user, event);
      if (account === undefined) return { outcome: 'name-taken' as const };
      this.insertIdentity({ ...identity, userId: account.accountId, linkedAt: user.createdAt });
      return { outcome: 'created' as const, account };
    });
  }

  async recordIdentitySignIn(provider: string, subject: string, email: string | undefined, at: Date): Promise<Date | undefined> {
    return this.writer.write(() => {
      const statements = this.writer.statements;
      const before = statements.prepare('SELECT last_signed_in_at FROM external_identities WHERE provider = ? AND subject = ?').get(provider, subject);
      statements
        .prepare('UPDATE external_identities SET last_signed_in_at = ?, email = coalesce(?, email) WHERE provider = ? AND subject = ?')
        .run(at.toISOString(), email ?? null, provider, subject);
      const last = before?.last_signed_in_at;
      return last === null || last === undefined ? undefined : new Date(String(last));
    });
  }

  async identitiesOf(userId: AccountId): Promise<LinkedIdentity[]> {
    return this.writer
      .reading()
      .prepare(`SELECT ${IDENTITY_COLUMNS} FROM external_identities i WHERE i.user_id = ? ORDER BY i.provider, i.linked_at`)
      .all(userId)
      .map(rowToIdentity);
  }

  async unlinkIdentity(userId: AccountId, provider: string, subject: string, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const deleted = this.writer.statements.prepare('DELETE FROM external_identities WHERE user_id = ? AND provider = ? AND subject = ?').run(userId, provider, subject);
      if (deleted.changes !== 1) return false;
      recordEvent(this.writer.statements, event);
      return true;
    });
  }

  private insertIdentity(identity: Omit<LinkedIdentity, 'lastSignedInAt'>): boolean {
    const inserted = this.writer.statements
      .prepare(
        `INSERT INTO external_identities (provider, subject, user_id, email, linked_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (provider, subject) DO NOTHING`,
      )
      .run(identity.provider, identity.subject, identity.userId, identity.email ?? null, identity.linkedAt.toISOString());
    return inserted.changes === 1;
  }
}
