/**
 * What every page handler needs of a request: whether it came over https (for the cookie's Secure flag and
 * `__Host-` name), the signed-in actor, the session cookie, and the CSRF token of its forms. A form's token
 * is an HMAC of the session's token (or, before sign-in, of a random pre-session cookie) with a key the
 * server keeps, so a page on another site can neither read nor forge it; every POST is checked.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Actor, Caller } from '../../app/actor.ts';
import { csrfTokenFor, verifyCsrfToken } from '../../security/session-token.ts';
import { clientAddressOf } from '../client-address.ts';
import { cookieValue, sessionCookieName } from '../credentials.ts';
import type { RequestAuthentication } from '../request-authentication.ts';

const PRE_SESSION_COOKIE = 'pallet_form';
/** Binds a sign-in at an identity provider to the browser that started it (Lax: the provider's redirect back is a top-level GET). */
const PROVIDER_FLOW_COOKIE = 'pallet_provider_flow';

export interface WebContextDependencies {
  readonly authentication: RequestAuthentication;
  readonly csrfKey: Buffer;
  /** The configured public URL, whose scheme says whether pages are served over https behind a proxy. */
  readonly publicUrl: string | undefined;
}

export type FormBody = Readonly<Record<string, readonly string[]>>;

export class WebContext {
  private readonly deps: WebContextDependencies;

  constructor(deps: WebContextDependencies) {
    this.deps = deps;
  }

  https(request: FastifyRequest): boolean {
    return this.deps.publicUrl?.startsWith('https:') ?? request.protocol === 'https';
  }

  async caller(request: FastifyRequest): Promise<Caller> {
    return { actor: await this.deps.authentication.actorOf(request), clientAddress: clientAddressOf(request) };
  }

  async actor(request: FastifyRequest): Promise<Actor> {
    return (await this.caller(request)).actor;
  }

  private sessionToken(request: FastifyRequest): string | undefined {
    return cookieValue(request.headers.cookie, sessionCookieName(this.https(request)));
  }

  /** The token for the forms of this page; sets the pre-session cookie when there is no session. */
  csrfToken(request: FastifyRequest, reply: FastifyReply, actor: Actor): string {
    const session = actor.kind === 'session' ? this.sessionToken(request) : undefined;
    if (session !== undefined) return csrfTokenFor(session, this.deps.csrfKey);
    let preSession = cookieValue(request.headers.cookie, PRE_SESSION_COOKIE);
    if (preSession === undefined || !/^[A-Za-z0-9_-]{43}$/.test(preSession)) {
      preSession = randomBytes(32).toString('base64url');
      reply.header('set-cookie', this.cookie(request, PRE_SESSION_COOKIE, preSession, { maxAgeSeconds: 3600, sameSite: 'Strict' }));
    }
    return csrfTokenFor(preSession, this.deps.csrfKey);
  }

  /** Refuses a POST whose form token does not belong to its session (or pre-session) cookie. */
  checkCsrf(request: FastifyRequest, actor: Actor, form: FormBody): void {
    const presented = form._csrf?.[0] ?? '';
    const base = actor.kind === 'session' ? this.sessionToken(request) : cookieValue(request.headers.cookie, PRE_SESSION_COOKIE);
    if (base === undefined || presented === '' || !verifyCsrfToken(base, presented, this.deps.csrfKey)) {
      throw new AppError('FORBIDDEN', 'This form has expired or did not come from this site; open the page again and resubmit.');
    }
  }

  /** For the management API called from a signed-in page: the form token, sent in `X-Pallet-CSRF`. */
  checkCsrfHeader(request: FastifyRequest, actor: Actor): void {
    const header = request.headers['x-pallet-csrf'];
    this.checkCsrf(request, actor, { _csrf: [typeof header === 'string' ? header : ''] });
  }

  setSession(request: FastifyRequest, reply: FastifyReply, token: string, lifetimeMs: number): void {
    reply.header('set-cookie', this.cookie(request, sessionCookieName(this.https(request)), token, { maxAgeSeconds: Math.floor(lifetimeMs / 1000), sameSite: 'Lax' }));
  }

  clearSession(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('set-cookie', this.cookie(request, sessionCookieName(this.https(request)), '', { maxAgeSeconds: 0, sameSite: 'Lax' }));
  }

  /** The cookie of a sign-in at a provider under way, for `lifetimeMs`. */
  setProviderFlow(request: FastifyRequest, reply: FastifyReply, token: string, lifetimeMs: number): void {
    reply.header('set-cookie', this.cookie(request, this.providerFlowCookieName(request), token, { maxAgeSeconds: Math.floor(lifetimeMs / 1000), sameSite: 'Lax' }));
  }

  providerFlow(request: FastifyRequest): string | undefined {
    return cookieValue(request.headers.cookie, this.providerFlowCookieName(request));
  }

  clearProviderFlow(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('set-cookie', this.cookie(request, this.providerFlowCookieName(request), '', { maxAgeSeconds: 0, sameSite: 'Lax' }));
  }

  private providerFlowCookieName(request: FastifyRequest): string {
    return this.https(request) ? `__Host-${PROVIDER_FLOW_COOKIE}` : PROVIDER_FLOW_COOKIE;
  }

  private cookie(request: FastifyRequest, name: string, value: string, options: { maxAgeSeconds: number; sameSite: 'Lax' | 'Strict' }): string {
    const secure = this.https(request) ? '; Secure' : '';
    return `${name}=${value}; Path=/; HttpOnly; SameSite=${options.sameSite}; Max-Age=${options.maxAgeSeconds}${secure}`;
  }
}

/** A form body as its fields' values (a field may repeat, as checkboxes do). */
export function parseForm(text: string): FormBody {
  const fields: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) (fields[name] ??= []).push(value);
  return fields;
}

export function field(form: FormBody, name: string): string {
  return form[name]?.[0] ?? '';
}
