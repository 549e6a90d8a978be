/**
 * An OpenID Connect provider through `openid-client` (not a hand-written verifier): its metadata comes
 * from its discovery document (`{issuer}/.well-known/openid-configuration`), read at the first sign-in and
 * kept; the code is exchanged with PKCE, and the ID token's signature (against the provider's JWKS, with
 * non-repudiation checks on: the library would otherwise trust TLS for it), issuer,
 * audience, expiry and nonce, and the state, are checked by the library.
 * https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
import type { OpenIdConnectProviderSettings } from '../config/schema.ts';
import { IdentityProviderError, type ProvenIdentity, type ProviderAuthorization } from '../app/accounts/external-sign-in-ports.ts';
import { describeFailure, loadClient, PROVIDER_TIMEOUT_SECONDS, type ProviderClient } from './identity-providers.ts';

type Configuration = import('openid-client').Configuration;

/** One OpenID Connect provider; `IdentityProviders` (identity-providers.ts) routes to it by name. */
export class OpenIdConnectProvider implements ProviderClient {
  private readonly settings: OpenIdConnectProviderSettings;
  private configured: Promise<Configuration> | undefined;

  constructor(settings: OpenIdConnectProviderSettings) {
    this.settings = settings;
  }

  private configuration(): Promise<Configuration> {
    if (this.configured === undefined) {
      const settings = this.settings;
      const configured = loadClient().then((client) =>
        client.discovery(
          new URL(settings.issuer),
          settings.clientId,
          undefined,
          // client_secret_basic: what Entra ID, Google, Keycloak and Okta all accept by default.
          settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
          {
            timeout: PROVIDER_TIMEOUT_SECONDS,
            execute: [
              // openid-client, like OpenID Connect Core 3.1.3.7, would let TLS stand in for the ID token's signature
              // when the token comes straight from the token endpoint; Pallet checks the signature against the
              // provider's JWKS as well, so a token endpoint answer that was tampered with still proves nothing.
              client.enableNonRepudiationChecks,
              // The configuration refuses http off loopback, so this only ever serves a provider on the same machine.
              ...(new URL(settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : []),
            ],
          },
        ),
      );
      // A provider that could not be reached is asked again at the next sign-in.
      configured.catch(() => {
        if (this.configured === configured) this.configured = undefined;
      });
      this.configured = configured;
    }
    return this.configured;
  }

  async authorization(redirectUri: string): Promise<ProviderAuthorization> {
    const client = await loadClient();
    const configuration = await this.configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async verify(callbackUrl: URL, expected: Pick<ProviderAuthorization, 'state' | 'nonce' | 'codeVerifier'>): Promise<ProvenIdentity> {
    const client = await loadClient();
    const configuration = await this.configuration();
    let claims: Record<string, unknown>;
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const idTokenClaims = tokens.claims();
      if (idTokenClaims === undefined) throw new IdentityProviderError('the provider sent no ID token');
      claims = idTokenClaims;
      accessToken = tokens.access_token;
    } catch (error) {
      if (error instanceof IdentityProviderError) throw error;
      // A failed fetch (the provider is down) is a TypeError; everything else is an answer that proves nothing.
      if (error instanceof TypeError && !(error instanceof client.ClientError)) throw error;
      throw new IdentityProviderError(describeFailure(error), { cause: error });
    }
    const subject = String(claims.sub);
    // Some providers put only `sub` in the ID token of the code flow (OpenID Connect Core 5.4): the profile
    // is then read from the userinfo endpoint, which must name the same subject.
    if (claims.email === undefined && configuration.serverMetadata().userinfo_endpoint !== undefined) {
      try {
        claims = { ...(await client.fetchUserInfo(configuration, accessToken, subject)), ...claims };
      } catch {
        // The identity is proven by the ID token; a profile that cannot be read only leaves the email unknown.
      }
    }
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 256) : undefined);
    return {
      subject,
      email: text(claims.email),
      emailVerified: claims.email_verified === true,
      name: text(claims.name),
      preferredUsername: text(claims.preferred_username),
      amr: Array.isArray(claims.amr) ? claims.amr.filter((method): method is string => typeof method === 'string') : [],
    };
  }
}
