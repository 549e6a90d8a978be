/**
 * The seams of signing in through an OpenID Connect provider: the provider itself (the authorization-code
 * flow, with the ID token verified by `openid-client`), and what the server keeps of it (flows under way,
 * identities linked to accounts).
 */
import type { AccountId } from '../actor.ts';
import type { NewEvent } from '../events.ts';
import type { Account, NewUser } from './ports.ts';

/** Where to send the browser, with what must come back with it. */
export interface ProviderAuthorization {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** What a verified ID token says of who signed in. */
export interface ProvenIdentity {
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly name: string | undefined;
  readonly preferredUsername: string | undefined;
  /** RFC 8176 authentication method references: `mfa` when the provider checked several factors. */
  readonly amr: readonly string[];
}

export interface IdentityProviderGateway {
  /** The provider's authorization URL for a new flow, with a fresh state, nonce and PKCE verifier. */
  authorization(provider: string, redirectUri: string): Promise<ProviderAuthorization>;
  /**
   * Exchanges the code in `callbackUrl` and verifies the ID token (signature, issuer, audience, expiry and
   * the nonce) and the state; throws `IdentityProviderError` with what was wrong.
   */
  verify(provider: string, callbackUrl: URL, expected: Pick<ProviderAuthorization, 'state' | 'nonce' | 'codeVerifier'>): Promise<ProvenIdentity>;
}

/** A provider's answer that proves nothing (a refused code, a token that does not verify). */
export class IdentityProviderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityProviderError';
  }
}

export type FlowPurpose = 'sign-in' | 'link';

export interface ExternalSignInFlow {
  /** SHA-256 of the state: the state itself travels only through the browser. */
  readonly stateHash: string;
  /** SHA-256 of the random cookie set on the browser that started the flow. */
  readonly browserHash: string;
  readonly provider: string;
  readonly purpose: FlowPurpose;
  /** Linking: the signed-in user who asked. */
  readonly userId: AccountId | undefined;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where the browser goes once signed in (a path of this server). */
  readonly nextPath: string;
  readonly expiresAt: Date;
}

export interface LinkedIdentity {
  readonly provider: string;
  readonly subject: string;
  readonly userId: AccountId;
  readonly email: string | undefined;
  readonly linkedAt: Date;
  readonly lastSignedInAt: Date | undefined;
}

export interface IdentityWithAccount {
  readonly identity: LinkedIdentity;
  readonly account: Account;
  readonly totpEnabled: boolean;
}

export interface ExternalIdentityStore {
  /** Keeps a new flow (and drops the ones expired by `now`). */
  startFlow(flow: ExternalSignInFlow, now: Date): Promise<void>;
  /** Removes and returns the flow: a state is good once. */
  takeFlow(stateHash: string): Promise<ExternalSignInFlow | undefined>;
  findIdentity(provider: string, subject: string): Promise<IdentityWithAccount | undefined>;
  /** 'taken' when the identity is linked already (to this account or another). */
  linkIdentity(identity: Omit<LinkedIdentity, 'lastSignedInAt'>, event: NewEvent): Promise<'linked' | 'taken'>;
  /** Creates the user and links the identity in one transaction, with the `user.created` event. */
  createUserWithIdentity(
    user: NewUser,
    identity: Pick<LinkedIdentity, 'provider' | 'subject' | 'email'>,
    event: NewEvent,
  ): Promise<{ readonly outcome: 'created'; readonly account: Account } | { readonly outcome: 'name-taken' } | { readonly outcome: 'identity-taken' }>;
  /** Records a sign-in through the identity (and its current email); returns the one before, if any. */
  recordIdentitySignIn(provider: string, subject: string, email: string | undefined, at: Date): Promise<Date | undefined>;
  identitiesOf(userId: AccountId): Promise<LinkedIdentity[]>;
  /** Unlinks, with the event; false when the user had no such identity. */
  unlinkIdentity(userId: AccountId, provider: string, subject: string, event: NewEvent): Promise<boolean>;
}
