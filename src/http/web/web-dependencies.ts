/** What the web pages receive from the composition root. */
import type { AccountStore, ApiKeyStore } from '../../app/accounts/ports.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import type { WebContext } from './web-context.ts';

export interface WebDependencies {
  readonly context: WebContext;
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly signIns: SignInStore;
  readonly now: () => Date;
  readonly settings: {
    readonly passwordSignIn: boolean;
    readonly requireTwoFactor: boolean;
    readonly sessionLifetimeMs: number;
    readonly apiKeyLifetimeMs: number;
    /** Shown by authenticator apps next to the account name. */
    readonly issuer: string;
  };
}
