/**
 * IdentityProviderGateway over the configured providers, by name: OpenID Connect ones
 * (openid-connect-provider.ts) and GitHub (github-provider.ts). Each is made at the first sign-in through it.
 */
import type { IdentityProviderSettings } from '../config/schema.ts';
import type { IdentityProviderGateway, ProvenIdentity, ProviderAuthorization } from '../app/accounts/external-sign-in-ports.ts';

/** One provider's side of the flow. */
export interface ProviderClient {
  authorization(redirectUri: string): Promise<ProviderAuthorization>;
  verify(callbackUrl: URL, expected: Pick<ProviderAuthorization, 'state' | 'nonce' | 'codeVerifier'>): Promise<ProvenIdentity>;
}

/** openid-client (and the fetch it uses) is loaded with the first sign-in through a provider, so a start never pays for it. */
export const loadClient = (): Promise<typeof import('openid-client')> => import('openid-client');

/** Seconds each call to a provider may take. */
export const PROVIDER_TIMEOUT_SECONDS = 10;

/** What went wrong, in the library's words and its cause's (which names the claim or check). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 300);
}

export class IdentityProviders implements IdentityProviderGateway {
  private readonly settings: Readonly<Record<string, IdentityProviderSettings>>;
  private readonly clients = new Map<string, Promise<ProviderClient>>();

  constructor(settings: Readonly<Record<string, IdentityProviderSettings>>) {
    this.settings = settings;
  }

  private client(provider: string): Promise<ProviderClient> {
    let client = this.clients.get(provider);
    if (client === undefined) {
      const settings = Object.hasOwn(this.settings, provider) ? this.settings[provider] : undefined;
      if (settings === undefined) return Promise.reject(new Error(`no identity provider '${provider}'`));
      client =
        settings.kind === 'github'
          ? import('./github-provider.ts').then(({ GitHubProvider }) => new GitHubProvider(settings))
          : import('./openid-connect-provider.ts').then(({ OpenIdConnectProvider }) => new OpenIdConnectProvider(settings));
      this.clients.set(provider, client);
    }
    return client;
  }

  async authorization(provider: string, redirectUri: string): Promise<ProviderAuthorization> {
    return (await this.client(provider)).authorization(redirectUri);
  }

  async verify(provider: string, callbackUrl: URL, expected: Pick<ProviderAuthorization, 'state' | 'nonce' | 'codeVerifier'>): Promise<ProvenIdentity> {
    return (await this.client(provider)).verify(callbackUrl, expected);
  }
}
