/** SignInStore on SQLite (migration 8): counters and one-time checks are conditional updates, so processes and restarts agree. */
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { NewSession, SessionWithUser, SignInRecord, SignInStore, StoredSession } from '../../app/accounts/sign-in-ports.ts';
import { lowerAccountName } from '../../domain/account-name.ts';
import { ACCOUNT_COLUMNS, rowToAccount } from './sqlite-account-store.ts';
import { recordEvent } from './sqlite-events.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

const SESSION_COLUMNS = 's.session_id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.awaiting_second_factor, s.second_factor_at, s.client_address, s.user_agent, s.provider_mfa';

function optionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : new Date(String(value));
}

function rowToSession(row: Record<string, unknown>): StoredSession {
  return {
    sessionId: Number(row.session_id),
    userId: Number(row.user_id),
    createdAt: new Date(String(row.created_at)),
    lastSeenAt: new Date(String(row.last_seen_at)),
    expiresAt: new Date(String(row.expires_at)),
    awaitingSecondFactor: Number(row.awaiting_second_factor) === 1,
    secondFactorAt: optionalDate(row.second_factor_at),
    clientAddress: row.client_address === null ? undefined : String(row.client_address),
    userAgent: row.user_agent === null ? undefined : String(row.user_agent),
    providerMfa: Number(row.provider_mfa) === 1,
  };
}

export class SqliteSignInStore implements SignInStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  private get statements() {
    return this.writer.statements;
  }

  async signInRecord(name: string): Promise<SignInRecord | undefined> {
    const row = this.statements
      .prepare(`SELECT ${ACCOUNT_COLUMNS}, password_hash, locked_until, totp_secret FROM accounts WHERE name_lower = ? AND kind = 'user'`)
      .get(lowerAccountName(name));
    if (row === undefined) return undefined;
    return {
      account: rowToAccount(row),
      passwordHash: row.password_hash === null ? undefined : String(row.password_hash),
      lockedUntil: optionalDate(row.locked_until),
      totpEnabled: row.totp_secret !== null,
    };
  }

  async addressFailures(clientAddress: string, now: Date, windowMs: number): Promise<number> {
    const row = this.statements.prepare('SELECT window_start, failures FROM address_failures WHERE client_address = ?').get(clientAddress);
    if (row === undefined || new Date(String(row.window_start)).getTime() + windowMs <= now.getTime()) return 0;
    return Number(row.failures);
  }

  async recordAddressFailure(clientAddress: string, now: Date, windowMs: number): Promise<void> {
    const windowOpenedAfter = new Date(now.getTime() - windowMs).toISOString();
    await this.writer.write(() => {
      this.statements
        .prepare(
          `INSERT INTO address_failures (client_address, window_start, failures) VALUES (:address, :now, 1)
           ON CONFLICT (client_address) DO UPDATE SET
             failures = CASE WHEN window_start > :after THEN failures + 1 ELSE 1 END,
             window_start = CASE WHEN window_start > :after THEN window_start ELSE :now END`,
        )
        .run({ address: clientAddress, now: now.toISOString(), after: windowOpenedAfter });
    });
  }

  async recordAccountFailure(accountId: AccountId, now: Date, maxFailures: number, lockMs: number, event: NewEvent): Promise<Date | undefined> {
    return this.writer.write(() => {
      recordEvent(this.statements, event);
      const row = this.statements
        .prepare('UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE account_id = ? RETURNING failed_sign_ins')
        .get(accountId);
      if (row === undefined || Number(row.failed_sign_ins) < maxFailures) return undefined;
      const lockedUntil = new Date(now.getTime() + lockMs);
      this.statements.prepare('UPDATE accounts SET failed_sign_ins = 0, locked_until = ? WHERE account_id = ?').run(lockedUntil.toISOString(), accountId);
      return lockedUntil;
    });
  }

  async clearAccountFailures(accountId: AccountId): Promise<void> {
    await this.writer.write(() => {
      this.statements.prepare('UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL WHERE account_id = ? AND (failed_sign_ins > 0 OR locked_until IS NOT NULL)').run(accountId);
    });
  }

  async createSession(session: NewSession, event: NewEvent): Promise<number> {
    return this.writer.write(() => {
      const inserted = this.statements
        .prepare(
          `INSERT INTO sessions (lookup_hash, user_id, created_at, last_seen_at, expires_at, awaiting_second_factor, second_factor_at, client_address, user_agent, provider_mfa)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          session.lookupHash,
          session.userId,
          session.createdAt.toISOString(),
          session.createdAt.toISOString(),
          session.expiresAt.toISOString(),
          session.awaitingSecondFactor ? 1 : 0,
          session.providerMfa ? session.createdAt.toISOString() : null,
          session.clientAddress ?? null,
          session.userAgent?.slice(0, 300) ?? null,
          session.providerMfa ? 1 : 0,
        );
      recordEvent(this.statements, event);
      return Number(inserted.lastInsertRowid);
    });
  }

  async findSession(lookupHash: string): Promise<SessionWithUser | undefined> {
    const row = this.writer
      .reading()
      .prepare(
        `SELECT ${SESSION_COLUMNS}, ${ACCOUNT_COLUMNS.split(', ').map((column) => `a.${column}`).join(', ')}, a.totp_secret IS NOT NULL AS totp_enabled,
                EXISTS (SELECT 1 FROM organization_members m JOIN accounts o ON o.account_id = m.organization_id
                        WHERE m.user_id = s.user_id AND o.members_need_two_factor = 1) AS organization_needs_two_factor
         FROM sessions s JOIN accounts a ON a.account_id = s.user_id WHERE s.lookup_hash = ? AND s.revoked_at IS NULL`,
      )
      .get(lookupHash);
    if (row === undefined) return undefined;
    return {
      ...rowToSession(row),
      user: rowToAccount(row),
      totpEnabled: Number(row.totp_enabled) === 1,
      organizationNeedsTwoFactor: Number(row.organization_needs_two_factor) === 1,
    };
  }

  async completeSecondFactor(sessionId: number, at: Date): Promise<void> {
    await this.writer.write(() => {
      this.statements.prepare('UPDATE sessions SET awaiting_second_factor = 0, second_factor_at = ? WHERE session_id = ?').run(at.toISOString(), sessionId);
    });
  }

  async touchSession(sessionId: number, at: Date): Promise<void> {
    await this.writer.write(() => {
      this.statements.prepare('UPDATE sessions SET last_seen_at = ? WHERE session_id = ?').run(at.toISOString(), sessionId);
    });
  }

  async revokeSession(sessionId: number, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.statements.prepare('UPDATE sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL').run(at.toISOString(), sessionId);
      if (updated.changes !== 1) return false;
      recordEvent(this.statements, event);
      return true;
    });
  }

  async revokeSessions(userId: AccountId, at: Date, event: NewEvent, except?: number): Promise<number> {
    return this.writer.write(() => {
      const updated = this.statements
        .prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND session_id != ?')
        .run(at.toISOString(), userId, except ?? 0);
      const count = Number(updated.changes);
      if (count > 0) recordEvent(this.statements, { ...event, data: { ...event.data, sessions: count } });
      return count;
    });
  }

  async listSessions(userId: AccountId, now: Date): Promise<StoredSession[]> {
    return this.writer
      .reading()
      .prepare(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? ORDER BY s.session_id DESC`)
      .all(userId, now.toISOString())
      .map(rowToSession);
  }

  async setPendingTotp(userId: AccountId, secretBase32: string): Promise<void> {
    await this.writer.write(() => {
      this.statements.prepare('UPDATE accounts SET totp_pending_secret = ? WHERE account_id = ?').run(secretBase32, userId);
    });
  }

  async pendingTotp(userId: AccountId): Promise<string | undefined> {
    const row = this.statements.prepare('SELECT totp_pending_secret FROM accounts WHERE account_id = ?').get(userId);
    return row?.totp_pending_secret === null || row === undefined ? undefined : String(row.totp_pending_secret);
  }

  async activateTotp(userId: AccountId, step: number, recoveryCodeHashes: readonly string[], event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.statements
        .prepare('UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = ? WHERE account_id = ? AND totp_pending_secret IS NOT NULL')
        .run(step, userId);
      if (updated.changes !== 1) return false;
      this.statements.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      const insert = this.statements.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
      for (const hash of recoveryCodeHashes) insert.run(userId, hash);
      recordEvent(this.statements, event);
      return true;
    });
  }

  async totpSecret(userId: AccountId): Promise<string | undefined> {
    const row = this.statements.prepare('SELECT totp_secret FROM accounts WHERE account_id = ?').get(userId);
    return row === undefined || row.totp_secret === null ? undefined : String(row.totp_secret);
  }

  async acceptTotpStep(userId: AccountId, step: number): Promise<boolean> {
    return this.writer.write(
      () =>
        this.statements
          .prepare('UPDATE accounts SET totp_last_step = ? WHERE account_id = ? AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?)')
          .run(step, userId, step).changes === 1,
    );
  }

  async useRecoveryCode(userId: AccountId, codeHash: string, at: Date): Promise<boolean> {
    return this.writer.write(
      () => this.statements.prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL').run(at.toISOString(), userId, codeHash).changes === 1,
    );
  }

  async unusedRecoveryCodes(userId: AccountId): Promise<number> {
    return Number(this.statements.prepare('SELECT count(*) AS count FROM recovery_codes WHERE user_id = ? AND used_at IS NULL').get(userId)?.count ?? 0);
  }

  async disableTotp(userId: AccountId, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const updated = this.statements
        .prepare('UPDATE accounts SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL WHERE account_id = ? AND totp_secret IS NOT NULL')
        .run(userId);
      if (updated.changes !== 1) return false;
      this.statements.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      recordEvent(this.statements, event);
      return true;
    });
  }

  async hasAdministrator(): Promise<boolean> {
    return this.statements.prepare("SELECT 1 FROM accounts WHERE is_admin = 1 AND kind = 'user' LIMIT 1").get() !== undefined;
  }

  async setSetupTokenHash(hash: string): Promise<void> {
    await this.writer.write(() => {
      this.statements
        .prepare("INSERT INTO instance_secrets (name, value) VALUES ('setup-token', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        .run(Buffer.from(hash, 'utf8'));
    });
  }

  async checkSetupToken(hash: string, consume: boolean): Promise<boolean> {
    const value = Buffer.from(hash, 'utf8');
    if (!consume) return this.statements.prepare("SELECT 1 FROM instance_secrets WHERE name = 'setup-token' AND value = ?").get(value) !== undefined;
    return this.writer.write(() => this.statements.prepare("DELETE FROM instance_secrets WHERE name = 'setup-token' AND value = ?").run(value).changes === 1);
  }

  async instanceSecret(name: string, create: () => Buffer): Promise<Buffer> {
    const existing = this.statements.prepare('SELECT value FROM instance_secrets WHERE name = ?').get(name);
    if (existing !== undefined) return Buffer.from(existing.value as Uint8Array);
    return this.writer.write(() => {
      // Another process may have made it first: the first one written is everyone's.
      this.statements.prepare('INSERT INTO instance_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, create());
      return Buffer.from(this.statements.prepare('SELECT value FROM instance_secrets WHERE name = ?').get(name)?.value as Uint8Array);
    });
  }
}
