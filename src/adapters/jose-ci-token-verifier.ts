/**
 * CiTokenVerifier with `jose` (not a hand-written verifier): the issuer's keys are found through its OpenID
 * discovery document (`/.well-known/openid-configuration` → `jwks_uri`) and cached, refreshed by jose when a
 * token names a key it does not know; the signature, issuer, audience and expiry are checked.
 * https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
import type { JWTVerifyGetKey } from 'jose';
import type { CiTokenVerifier } from '../app/trusted-publishing/ports.ts';

/** jose is loaded with the first token, so a start never pays for it. */
const loadJose = () => import('jose');

const DISCOVERY_TIMEOUT_MS = 10_000;

export class JoseCiTokenVerifier implements CiTokenVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  private async keySet(issuer: string): Promise<JWTVerifyGetKey> {
    let keys = this.keySets.get(issuer);
    if (keys === undefined) {
      const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`the issuer's discovery document answered ${response.status}`);
      const discovery = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (discovery.issuer !== issuer || typeof discovery.jwks_uri !== 'string') throw new Error("the issuer's discovery document does not name it, or no jwks_uri");
      keys = (await loadJose()).createRemoteJWKSet(new URL(discovery.jwks_uri));
      this.keySets.set(issuer, keys);
    }
    return keys;
  }

  async unverifiedIssuer(token: string): Promise<string | undefined> {
    try {
      return (await loadJose()).decodeJwt(token).iss;
    } catch {
      return undefined;
    }
  }

  async verify(token: string, issuer: string, audience: string): Promise<Readonly<Record<string, unknown>>> {
    const { payload } = await (await loadJose()).jwtVerify(token, await this.keySet(issuer), {
      issuer,
      audience,
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      requiredClaims: ['exp', 'iat', 'jti'],
      clockTolerance: 30,
    });
    return payload;
  }
}
