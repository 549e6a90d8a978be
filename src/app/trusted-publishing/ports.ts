/** The seams of trusted publishing: the registered CI identities, and the verifier of the tokens CI jobs present. */
import type { AccountId } from '../actor.ts';
import type { NewEvent } from '../events.ts';

export interface TrustedPublisher {
  readonly publisherId: number;
  readonly ownerId: AccountId;
  readonly ownerName: string;
  /** The OIDC issuer, exactly as tokens name it (`https://token.actions.githubusercontent.com`). */
  readonly issuer: string;
  /** Claims a token must carry with exactly these values (`repository`, `workflow`, …). */
  readonly claims: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export interface TrustedPublisherStore {
  addPublisher(publisher: Omit<TrustedPublisher, 'publisherId' | 'ownerName'>, event: NewEvent): Promise<number>;
  /** false when there is no such publisher (or it was removed before). */
  removePublisher(publisherId: number, at: Date, event: NewEvent): Promise<boolean>;
  listPublishers(issuer?: string): Promise<TrustedPublisher[]>;
  /** Records a token's id as exchanged, with the event; false when it was exchanged before (a replay). */
  spendToken(issuer: string, jti: string, expiresAt: Date, event: NewEvent): Promise<boolean>;
}

export interface CiTokenVerifier {
  /** The issuer a token names, read without checking it (only to pick whose keys check it); undefined when it is not a JWT. */
  unverifiedIssuer(token: string): Promise<string | undefined>;
  /**
   * The claims of a token whose signature (by the issuer's published keys), issuer, audience and expiry are
   * valid; throws otherwise.
   */
  verify(token: string, issuer: string, audience: string): Promise<Readonly<Record<string, unknown>>>;
}
