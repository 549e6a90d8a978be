/**
 * The seam to what signing in keeps: password hashes and lockout counters, failures per address, sessions,
 * TOTP secrets and recovery codes. Counters and one-time checks are conditional updates in the database, so
 * every process of a server (and a restart) agrees on them.
 */
import type { AccountId } from '../actor.ts';
import type { NewEvent } from '../events.ts';
import type { Account } from './ports.ts';

export interface SignInRecord {
  readonly account: Account;
  readonly passwordHash: string | undefined;
  readonly lockedUntil: Date | undefined;
  readonly totpEnabled: boolean;
}

export interface NewSession {
  readonly userId: AccountId;
  /** SHA-256 of the cookie's token (security/session-token.ts). */
  readonly lookupHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly awaitingSecondFactor: boolean;
  readonly clientAddress: string | undefined;
  readonly userAgent: string | undefined;
  /**
   * Signed in through a provider trusted to have checked several factors (its ID token's `amr` says `mfa`):
   * that stands in for Pallet's second factor, proven at `createdAt`.
   */
  readonly providerMfa: boolean;
}

export interface StoredSession extends Omit<NewSession, 'lookupHash'> {
  readonly sessionId: number;
  readonly lastSeenAt: Date;
  readonly secondFactorAt: Date | undefined;
}

export interface SessionWithUser extends StoredSession {
  readonly user: Account;
  readonly totpEnabled: boolean;
  readonly organizationNeedsTwoFactor: boolean;
}

export interface SignInStore {
  signInRecord(name: string): Promise<SignInRecord | undefined>;
  /** Failures from the address in the window that ends now. */
  addressFailures(clientAddress: string, now: Date, windowMs: number): Promise<number>;
  /** Counts a failure from the address (a new window when the last one ended). */
  recordAddressFailure(clientAddress: string, now: Date, windowMs: number): Promise<void>;
  /**
   * Counts a failed password or code for the account, with its event; at `maxFailures` in a row the account
   * is locked until `now + lockMs` and the count starts again. Returns the lock, when one was set.
   */
  recordAccountFailure(accountId: AccountId, now: Date, maxFailures: number, lockMs: number, event: NewEvent): Promise<Date | undefined>;
  clearAccountFailures(accountId: AccountId): Promise<void>;

  createSession(session: NewSession, event: NewEvent): Promise<number>;
  /** The session with its user, unless revoked; expiry is the caller's to judge. */
  findSession(lookupHash: string): Promise<SessionWithUser | undefined>;
  /** Records that the second factor was proven now (and is no longer awaited). */
  completeSecondFactor(sessionId: number, at: Date): Promise<void>;
  touchSession(sessionId: number, at: Date): Promise<void>;
  revokeSession(sessionId: number, at: Date, event: NewEvent): Promise<boolean>;
  /** Revokes every open session of the user but `except`; returns how many. */
  revokeSessions(userId: AccountId, at: Date, event: NewEvent, except?: number): Promise<number>;
  /** The user's open sessions, newest first. */
  listSessions(userId: AccountId, now: Date): Promise<StoredSession[]>;

  /** Stores a secret being enrolled (replacing one not confirmed). */
  setPendingTotp(userId: AccountId, secretBase32: string): Promise<void>;
  pendingTotp(userId: AccountId): Promise<string | undefined>;
  /** Makes the pending secret the active one, with `step` used and these recovery codes (hashes); false without a pending secret. */
  activateTotp(userId: AccountId, step: number, recoveryCodeHashes: readonly string[], event: NewEvent): Promise<boolean>;
  totpSecret(userId: AccountId): Promise<string | undefined>;
  /** Accepts a code's time step once: false when it, or a later step, was accepted before (a replay). */
  acceptTotpStep(userId: AccountId, step: number): Promise<boolean>;
  /** Uses a recovery code once: false when there is no such unused code. */
  useRecoveryCode(userId: AccountId, codeHash: string, at: Date): Promise<boolean>;
  unusedRecoveryCodes(userId: AccountId): Promise<number>;
  /** Removes the secret and the recovery codes, with the event; false when 2FA was not on. */
  disableTotp(userId: AccountId, event: NewEvent): Promise<boolean>;

  /** Whether any administrator account exists (a new server has none: it offers the setup link). */
  hasAdministrator(): Promise<boolean>;
  /** Keeps the hash of the one-time setup link's token, replacing the one before (only the latest link works). */
  setSetupTokenHash(hash: string): Promise<void>;
  /** Whether `hash` is the setup token's; with `consume`, it is removed in the same step (it works once). */
  checkSetupToken(hash: string, consume: boolean): Promise<boolean>;
  /** A secret the server keeps for itself under `name`, made by `create` the first time. */
  instanceSecret(name: string, create: () => Buffer): Promise<Buffer>;
}
