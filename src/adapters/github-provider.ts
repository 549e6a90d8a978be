/**
 * GitHub (or GitHub Enterprise Server) sign-in: OAuth's authorization-code flow with PKCE and `state`
 * (`openid-client` builds the request and exchanges the code), then the user as GitHub's API tells it: the
 * numeric id is the subject (a login can be renamed), the login the name to suggest, and the primary email
 * only when GitHub has verified it. GitHub issues no ID token, so there is no nonce to check.
 * https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow
 */
import type { GitHubProviderSettings } from '../config/schema.ts';
import { IdentityProviderError, type ProvenIdentity, type ProviderAuthorization } from '../app/accounts/external-sign-in-ports.ts';
import { describeFailure, loadClient, PROVIDER_TIMEOUT_SECONDS, type ProviderClient } from './identity-providers.ts';

type Configuration = import('openid-client').Configuration;

/** What the user must grant: their profile and their email addresses (to find the verified primary one). */
const SCOPES = 'read:user user:email';

interface GitHubUser {
  readonly id?: unknown;
  readonly login?: unknown;
  readonly name?: unknown;
  readonly email?: unknown;
}

interface GitHubEmail {
  readonly email?: unknown;
  readonly primary?: unknown;
  readonly verified?: unknown;
}

export class GitHubProvider implements ProviderClient {
  private readonly settings: GitHubProviderSettings;
  private readonly apiBase: string;
  private configured: Configuration | undefined;

  constructor(settings: GitHubProviderSettings) {
    this.settings = settings;
    // github.com's API has its own host; a GitHub Enterprise Server serves it under /api/v3.
    this.apiBase = new URL(settings.url).host === 'github.com' ? 'https://api.github.com' : `${settings.url}/api/v3`;
  }

  private async configuration(): Promise<Configuration> {
    if (this.configured === undefined) {
      const client = await loadClient();
      const configuration = new client.Configuration(
        { issuer: this.settings.url, authorization_endpoint: `${this.settings.url}/login/oauth/authorize`, token_endpoint: `${this.settings.url}/login/oauth/access_token` },
        this.settings.clientId,
        undefined,
        client.ClientSecretPost(this.settings.clientSecret),
      );
      configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
      // The configuration refuses http off loopback: only a server on the same machine (the tests') is reached so.
      if (new URL(this.settings.url).protocol === 'http:') client.allowInsecureRequests(configuration);
      this.configured = configuration;
    }
    return this.configured;
  }

  async authorization(redirectUri: string): Promise<ProviderAuthorization> {
    const client = await loadClient();
    const configuration = await this.configuration();
    const state = client.randomState();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: SCOPES,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      allow_signup: 'false',
    });
    // No ID token, so no nonce: the flow still keeps one, which nothing checks.
    return { url: url.href, state, nonce: client.randomNonce(), codeVerifier };
  }

  async verify(callbackUrl: URL, expected: Pick<ProviderAuthorization, 'state' | 'nonce' | 'codeVerifier'>): Promise<ProvenIdentity> {
    const client = await loadClient();
    const configuration = await this.configuration();
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, idTokenExpected: false });
      accessToken = tokens.access_token;
    } catch (error) {
      if (error instanceof TypeError && !(error instanceof client.ClientError)) throw error;
      throw new IdentityProviderError(describeFailure(error), { cause: error });
    }
    const read = async <T>(path: string): Promise<T> => {
      const headers = new Headers({ accept: 'application/vnd.github+json', 'user-agent': 'Pallet' });
      const response = await client.fetchProtectedResource(configuration, accessToken, new URL(`${this.apiBase}${path}`), 'GET', undefined, headers);
      if (!response.ok) throw new IdentityProviderError(`GitHub's ${path} answered ${response.status}`);
      return (await response.json()) as T;
    };
    const user = await read<GitHubUser>('/user');
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new IdentityProviderError("GitHub's /user named no id");
    const emails = await read<GitHubEmail[]>('/user/emails').catch(() => [] as GitHubEmail[]);
    const primary = Array.isArray(emails) ? emails.find((each) => each.primary === true && each.verified === true && typeof each.email === 'string') : undefined;
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 256) : undefined);
    return {
      subject: String(user.id),
      email: text(primary?.email) ?? text(user.email),
      emailVerified: primary !== undefined,
      name: text(user.name),
      preferredUsername: text(user.login),
      amr: [],
    };
  }
}
