/** ApiKeyStore on SQLite (migration 6): only the secret's SHA-256 is stored; each change with its event in one transaction. */
import type { ApiKeyStore, ApiKeyWithAccounts, NewApiKey, StoredApiKey } from '../../app/accounts/ports.ts';
import type { AccountId } from '../../app/actor.ts';
import type { NewEvent } from '../../app/events.ts';
import type { ApiKeyScope } from '../../domain/api-key-scope.ts';
import type { PackageIdPattern } from '../../domain/package-id-pattern.ts';
import { ACCOUNT_COLUMNS, rowToAccount } from './sqlite-account-store.ts';
import { recordEvent } from './sqlite-events.ts';
import type { FeedId } from '../../domain/feed.ts';
import type { SqliteWriter } from './sqlite-writer.ts';

const KEY_COLUMNS = 'k.key_id, k.user_id, k.owner_id, k.name, k.scopes, k.patterns, k.feed_ids, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.provenance';

/** `u.account_id AS user_account_id, …`: an account's columns under a prefix, for a join. */
function accountColumnsAs(alias: string, prefix: string): string {
  return ACCOUNT_COLUMNS.split(', ')
    .map((column) => `${alias}.${column} AS ${prefix}${column}`)
    .join(', ');
}

export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly writer: SqliteWriter;

  constructor(writer: SqliteWriter) {
    this.writer = writer;
  }

  async createKey(key: NewApiKey, event: NewEvent): Promise<{ outcome: 'created'; key: StoredApiKey } | { outcome: 'name-taken' }> {
    return this.writer.write(() => {
      const inserted = this.writer.statements
        .prepare(
          `INSERT INTO api_keys (user_id, owner_id, name, lookup_hash, scopes, patterns, feed_ids, created_at, expires_at, provenance)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, name) DO NOTHING`,
        )
        .run(
          key.userId,
          key.ownerId,
          key.name,
          key.lookupHash,
          JSON.stringify(key.scopes),
          JSON.stringify(key.patterns),
          key.feedIds.length === 0 ? null : JSON.stringify(key.feedIds),
          key.createdAt.toISOString(),
          key.expiresAt.toISOString(),
          key.provenance === undefined ? null : JSON.stringify(key.provenance),
        );
      if (inserted.changes !== 1) return { outcome: 'name-taken' as const };
      recordEvent(this.writer.statements, { ...event, subjectUserId: key.userId });
      const { lookupHash: _secretHash, ...stored } = key;
      return { outcome: 'created' as const, key: { ...stored, keyId: Number(inserted.lastInsertRowid), revokedAt: undefined, lastUsedAt: undefined } };
    });
  }

  async findKeyByLookupHash(lookupHash: string): Promise<ApiKeyWithAccounts | undefined> {
    const row = this.writer
      .reading()
      .prepare(
        `SELECT ${KEY_COLUMNS}, ${accountColumnsAs('u', 'user_')}, ${accountColumnsAs('o', 'owner_')},
                k.owner_id = k.user_id OR EXISTS (SELECT 1 FROM organization_members m WHERE m.organization_id = k.owner_id AND m.user_id = k.user_id) AS holder_is_member
         FROM api_keys k JOIN accounts u ON u.account_id = k.user_id JOIN accounts o ON o.account_id = k.owner_id
         WHERE k.lookup_hash = ?`,
      )
      .get(lookupHash);
    if (row === undefined) return undefined;
    return { ...rowToKey(row), user: rowToAccount(row, 'user_'), owner: rowToAccount(row, 'owner_'), holderActsForOwner: Number(row.holder_is_member) === 1 };
  }

  async listKeys(userId: AccountId): Promise<StoredApiKey[]> {
    return this.writer
      .reading()
      .prepare(`SELECT ${KEY_COLUMNS} FROM api_keys k WHERE k.user_id = ? ORDER BY k.key_id DESC`)
      .all(userId)
      .map(rowToKey);
  }

  async regenerateKey(userId: AccountId, name: string, lookupHash: string, expiresAt: Date, event: NewEvent): Promise<StoredApiKey | undefined> {
    return this.writer.write(() => {
      const updated = this.writer.statements
        .prepare(
          `UPDATE api_keys SET lookup_hash = ?, expires_at = ?, expiry_warned_at = NULL WHERE user_id = ? AND name = ? AND revoked_at IS NULL
           RETURNING key_id, user_id, owner_id, name, scopes, patterns, feed_ids, created_at, expires_at, revoked_at, last_used_at, provenance`,
        )
        .get(lookupHash, expiresAt.toISOString(), userId, name);
      if (updated === undefined) return undefined;
      recordEvent(this.writer.statements, { ...event, subjectUserId: userId });
      return rowToKey(updated);
    });
  }

  async revokeKey(userId: AccountId, name: string, at: Date, event: NewEvent): Promise<boolean> {
    return this.writer.write(() => {
      const found = this.writer.statements.prepare('SELECT key_id, revoked_at FROM api_keys WHERE user_id = ? AND name = ?').get(userId, name);
      if (found === undefined) return false;
      if (found.revoked_at !== null) return true;
      this.writer.statements.prepare('UPDATE api_keys SET revoked_at = ? WHERE key_id = ?').run(at.toISOString(), Number(found.key_id));
      recordEvent(this.writer.statements, { ...event, subjectUserId: userId });
      return true;
    });
  }
}

function rowToKey(row: Record<string, unknown>): StoredApiKey {
  const optionalDate = (value: unknown) => (value === null ? undefined : new Date(String(value)));
  return {
    keyId: Number(row.key_id),
    userId: Number(row.user_id),
    ownerId: Number(row.owner_id),
    name: String(row.name),
    scopes: JSON.parse(String(row.scopes)) as ApiKeyScope[],
    patterns: JSON.parse(String(row.patterns)) as PackageIdPattern[],
    feedIds: row.feed_ids === null || row.feed_ids === undefined ? [] : (JSON.parse(String(row.feed_ids)) as FeedId[]),
    createdAt: new Date(String(row.created_at)),
    expiresAt: new Date(String(row.expires_at)),
    revokedAt: optionalDate(row.revoked_at),
    lastUsedAt: optionalDate(row.last_used_at),
    provenance: row.provenance === null || row.provenance === undefined ? undefined : (JSON.parse(String(row.provenance)) as Record<string, string>),
  };
}
