/**
 * The seams to the stores of accounts, API keys and prefix reservations (implemented on SQLite in stores/metadata/). Every
 * change takes the event it writes in its own transaction (app/events.ts). Names are matched by their
 * lowercase form; missing things are `undefined`, never an exception.
 */
import type { ApiKeyScope } from '../../domain/api-key-scope.ts';
import type { PackageIdPattern } from '../../domain/package-id-pattern.ts';
import type { AccountId, AccountRef } from '../actor.ts';
import type { IdPrefixReservation } from '../../domain/id-prefix-reservation.ts';
import type { NewEvent } from '../events.ts';
import type { FeedId } from '../../domain/feed.ts';

export interface Account {
  readonly accountId: AccountId;
  readonly kind: 'user' | 'organization';
  readonly name: string;
  readonly displayName: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly isAdministrator: boolean;
  /** Whether the user gets an email when one of their packages is published (on by default). */
  readonly publishEmails: boolean;
  /** Set when an administrator disabled the account: it can neither sign in nor use its keys. */
  readonly disabledAt: Date | undefined;
  readonly createdAt: Date;
}

export interface NewUser {
  readonly name: string;
  readonly displayName: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly isAdministrator: boolean;
  /** scrypt (security/password-hash.ts); undefined when the user signs in only through a provider. */
  readonly passwordHash: string | undefined;
  readonly createdAt: Date;
}

export interface PendingEmailChange {
  readonly userId: AccountId;
  readonly userName: string;
  readonly email: string;
  readonly previousEmail: string | undefined;
  readonly expiresAt: Date;
}

/** Email changes waiting for their verification link (migration 13). */
export interface EmailChangeStore {
  /** Records the change and its event (made from the new row's id) in one transaction. */
  requestEmailChange(userId: AccountId, email: string, at: Date, expiresAt: Date, event: (verificationId: number) => NewEvent): Promise<number>;
  /** The change, unless used already (expiry is the caller's to judge). */
  pendingEmailChange(verificationId: number): Promise<PendingEmailChange | undefined>;
  /** Marks it used and sets the account's email, verified, with the event; false when it was used already. */
  completeEmailChange(verificationId: number, at: Date, event: NewEvent): Promise<boolean>;
}

export interface AccountStore {
  /** 'name-taken' when a user or organization already has the name (in any casing). */
  createUser(user: NewUser, event: NewEvent): Promise<{ readonly outcome: 'created'; readonly account: Account } | { readonly outcome: 'name-taken' }>;
  findAccountByName(name: string): Promise<Account | undefined>;
  findAccountById(accountId: AccountId): Promise<Account | undefined>;
  /** Every user (not organizations), by name; with whether each has two-factor authentication on. */
  listUsers(): Promise<(Account & { readonly totpEnabled: boolean })[]>;
  /** false when there is no such user. */
  setPasswordHash(accountId: AccountId, passwordHash: string, event: NewEvent): Promise<boolean>;
  /** Whether the user gets an email when one of their packages is published (a preference: no event); false when there is no such user. */
  setPublishEmails(accountId: AccountId, enabled: boolean): Promise<boolean>;
  /** The name shown next to the account name (the user's own, or an organization's). */
  setDisplayName(accountId: AccountId, displayName: string): Promise<boolean>;
  /** false when there is no such account; disabling twice keeps the first time. */
  disableAccount(accountId: AccountId, at: Date, event: NewEvent): Promise<boolean>;
}

export interface NewApiKey {
  readonly userId: AccountId;
  readonly ownerId: AccountId;
  readonly name: string;
  /** SHA-256 of the secret (security/api-key-format.ts): the secret itself is never stored. */
  readonly lookupHash: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly patterns: readonly PackageIdPattern[];
  /** The feeds the key may be used in; empty: every feed. */
  readonly feedIds: readonly FeedId[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** For a key minted by trusted publishing: the CI token's claims it stands for (a repository, a workflow, a commit). */
  readonly provenance?: Readonly<Record<string, string>> | undefined;
}

export interface StoredApiKey extends Omit<NewApiKey, 'lookupHash'> {
  readonly keyId: number;
  readonly revokedAt: Date | undefined;
  readonly lastUsedAt: Date | undefined;
}

/** A key with the accounts it involves, as authentication needs it: one lookup per request. */
export interface ApiKeyWithAccounts extends StoredApiKey {
  readonly user: Account;
  readonly owner: Account;
  /** The owner is the holder, or an organization the holder is still a member of (a key stops with the membership). */
  readonly holderActsForOwner: boolean;
}

export interface ApiKeyStore {
  /** 'name-taken' when the user already has a key of that name (revoked ones included: names stay unique in the audit log). */
  createKey(key: NewApiKey, event: NewEvent): Promise<{ readonly outcome: 'created'; readonly key: StoredApiKey } | { readonly outcome: 'name-taken' }>;
  findKeyByLookupHash(lookupHash: string): Promise<ApiKeyWithAccounts | undefined>;
  /** The user's keys, newest first, revoked and expired ones included. */
  listKeys(userId: AccountId): Promise<StoredApiKey[]>;
  /**
   * Gives the key a new secret (hash) and expiry, keeping its name, scopes and patterns (nuget.org's
   * "regenerate"); the old secret stops working at once. Undefined when the user has no such key, or it was revoked.
   */
  regenerateKey(userId: AccountId, name: string, lookupHash: string, expiresAt: Date, event: NewEvent): Promise<StoredApiKey | undefined>;
  /** false when the user has no such key; revoking twice keeps the first time. */
  revokeKey(userId: AccountId, name: string, at: Date, event: NewEvent): Promise<boolean>;
}

export interface StoredReservation extends IdPrefixReservation {
  readonly owner: AccountRef;
  readonly createdAt: Date;
}

/** nuget.org's ID prefix reservations, each held by one or more owners (one row per owner). */
export interface ReservationStore {
  /** 'exists' when the owner already holds it. */
  reserve(reservation: IdPrefixReservation, ownerId: AccountId, event: NewEvent): Promise<'created' | 'exists'>;
  /** false when the owner did not hold it. */
  release(reservation: IdPrefixReservation, ownerId: AccountId, event: NewEvent): Promise<boolean>;
  listReservations(): Promise<StoredReservation[]>;
}
