/**
 * A stand-in for a GitHub Enterprise Server on loopback (nothing here can reach github.com): the OAuth web
 * flow's authorize page (which signs in the user the test names and sends the browser back with a code),
 * the token endpoint (checking the client secret, the code and the PKCE verifier, and answering errors with
 * 200 as GitHub does), and the API's /user and /user/emails.
 * https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHubUser {
  readonly id: number;
  readonly login: string;
  readonly name: string | null;
  readonly emails: readonly { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGitHub {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Who the next authorize request signs in. */
  signInNext(user: FakeGitHubUser): void;
  close(): Promise<void>;
}

function body(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(new URLSearchParams(text)));
    request.on('error', reject);
  });
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const clientId = 'Iv1.pallettest';
  const clientSecret = randomBytes(20).toString('hex');
  const codes = new Map<string, { user: FakeGitHubUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, FakeGitHubUser>();
  let next: FakeGitHubUser | undefined;
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://github.test');
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/login/oauth/authorize') {
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        if (url.searchParams.get('client_id') !== clientId || next === undefined || url.searchParams.get('code_challenge_method') !== 'S256') return json(400, { error: 'bad request' });
        const code = randomBytes(10).toString('hex');
        codes.set(code, { user: next, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        return response.writeHead(302, { location: back.href }).end();
      }
      if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
        const fields = await body(request);
        const grant = codes.get(fields.get('code') ?? '');
        codes.delete(fields.get('code') ?? '');
        const verifier = fields.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        // GitHub answers a refused exchange with 200 and an error field.
        if (fields.get('client_id') !== clientId || fields.get('client_secret') !== clientSecret) return json(200, { error: 'incorrect_client_credentials' });
        if (grant === undefined || grant.challenge !== challenge || grant.redirectUri !== fields.get('redirect_uri')) return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
        const token = `gho_${randomBytes(18).toString('hex')}`;
        tokens.set(token, grant.user);
        return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      }
      const user = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (!request.headers['user-agent']) return json(403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' });
      if (url.pathname === '/api/v3/user') return user === undefined ? json(401, { message: 'Bad credentials' }) : json(200, { id: user.id, login: user.login, name: user.name, email: null });
      if (url.pathname === '/api/v3/user/emails') return user === undefined ? json(401, { message: 'Bad credentials' }) : json(200, user.emails);
      return json(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId,
    clientSecret,
    signInNext: (user) => {
      next = user;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
