/** What the web pages receive from the composition root. */
import type { AccountStore, ApiKeyStore, EmailChangeStore, ReservationStore } from '../../app/accounts/ports.ts';
import type { FastifyRequest } from 'fastify';
import type { ExternalSignInDependencies } from '../../app/accounts/external-sign-in.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import type { OrganizationStore } from '../../app/organizations/ports.ts';
import type { FeedStore } from '../../app/feeds/ports.ts';
import type { OwnershipDependencies } from '../../app/ownership/manage-owners.ts';
import type { WebContext } from './web-context.ts';

export interface WebDependencies {
  readonly context: WebContext;
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly signIns: SignInStore;
  readonly organizations: OrganizationStore;
  readonly reservations: ReservationStore;
  readonly feeds: FeedStore;
  readonly ownership: OwnershipDependencies;
  readonly emails: EmailChangeStore;
  /** The key email verification links are signed with. */
  readonly emailKey: Uint8Array;
  readonly now: () => Date;
  /** Sign-in through identity providers; undefined when none is configured. */
  readonly externalSignIn: ExternalSignInDependencies | undefined;
  /** The base URL of this server as the browser reaches it (the public URL when set): redirect URIs are made from it. */
  readonly baseUrlOf: (request: FastifyRequest) => string;
  /** The identity providers' origins, which forms may lead to (through the redirect that starts a sign-in). */
  readonly formActionOrigins: readonly string[];
  readonly settings: {
    readonly passwordSignIn: boolean;
    /** Whether visitors may create an account with a password (passwordSignUp, and passwords accepted at all). */
    readonly passwordSignUp: boolean;
    readonly requireTwoFactor: boolean;
    readonly sessionLifetimeMs: number;
    readonly apiKeyLifetimeMs: number;
    /** Shown by authenticator apps next to the account name. */
    readonly issuer: string;
  };
}
