/**
 * A real OpenID Connect provider (`oidc-provider`) on loopback, for the sign-in tests: a login page of its own
 * (a name and "the user passed MFA"), a client registered with Pallet's redirect URI, and knobs that make its
 * next token answer lie in one way (an ID token re-signed with another key, expired, for another nonce or
 * audience), so the tests can prove Pallet refuses each.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, importJWK, type JWK } from 'jose';

export type TokenTampering = 'foreign-key' | 'expired' | 'wrong-nonce' | 'wrong-audience';

export interface TestUser {
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly preferred_username?: string;
}

export interface TestIdentityProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Claims of the users the login page accepts, by subject; an unknown name signs in with only `sub`. */
  readonly users: Map<string, TestUser>;
  /** The next token answer is changed this way (once). */
  tamperNextToken(how: TokenTampering): void;
  /** How many token requests were answered. */
  tokenRequests(): number;
  close(): Promise<void>;
}

function formFields(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(new URLSearchParams(body)));
    request.on('error', reject);
  });
}

function loginPage(uid: string): string {
  return `<!doctype html><html><head><title>Test provider: sign in</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}">
<label for="login">Login</label><input id="login" name="login" autofocus>
<label><input type="checkbox" name="mfa" value="on"> passed MFA</label>
<button type="submit">Sign in at the provider</button>
</form></body></html>`;
}

export async function startTestIdentityProvider(options: { readonly redirectUris: readonly string[] }): Promise<TestIdentityProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const foreignJwk = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK), kid: 'test-key', alg: 'RS256' };
  const clientId = 'pallet-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const users = new Map<string, TestUser>();
  let tampering: TokenTampering | undefined;
  let tokenCount = 0;

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [...options.redirectUris], response_types: ['code'], grant_types: ['authorization_code'] }],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    findAccount: async (_context: unknown, subject: string) => ({
      accountId: subject,
      claims: async () => ({ sub: subject, ...users.get(subject) }),
    }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_context: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  } as never);
  const handle = provider.callback();

  const tamper = async (idToken: string, how: TokenTampering): Promise<string> => {
    const claims = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    const changed =
      how === 'expired'
        ? { ...claims, iat: now - 7200, exp: now - 3600 }
        : how === 'wrong-nonce'
          ? { ...claims, nonce: 'not-the-nonce-pallet-sent' }
          : how === 'wrong-audience'
            ? { ...claims, aud: 'another-client' }
            : claims;
    const key = await importJWK(how === 'foreign-key' ? foreignJwk : signingJwk, 'RS256');
    return new SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key);
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', issuer);
      const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
      if (interaction && request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(interaction[1] as string));
        return;
      }
      if (interaction && request.method === 'POST') {
        const fields = await formFields(request);
        const details = await provider.interactionDetails(request, response);
        const accountId = fields.get('login') || 'anonymous-user';
        const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        const amr = fields.get('mfa') === 'on' ? ['pwd', 'mfa'] : ['pwd'];
        await provider.interactionFinished(request, response, { login: { accountId, amr }, consent: { grantId } }, { mergeWithLastSubmission: false });
        return;
      }
      if (url.pathname === '/token' && request.method === 'POST') {
        tokenCount += 1;
        const how = tampering;
        tampering = undefined;
        if (how !== undefined) {
          // Koa ends a JSON answer with one end(body), headers not yet sent: the ID token is swapped there.
          const end = response.end.bind(response) as (chunk?: unknown) => ServerResponse;
          response.end = ((chunk?: unknown) => {
            const answer = JSON.parse(String(chunk)) as { id_token?: string };
            if (answer.id_token === undefined) return end(chunk);
            void tamper(answer.id_token, how).then((idToken) => {
              const body = JSON.stringify({ ...answer, id_token: idToken });
              response.setHeader('content-length', Buffer.byteLength(body));
              end(body);
            });
            return response;
          }) as typeof response.end;
        }
      }
      handle(request, response);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    users,
    tamperNextToken: (how) => {
      tampering = how;
    },
    tokenRequests: () => tokenCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
