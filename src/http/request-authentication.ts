/**
 * The authentication step of every route: a request's credential is resolved once, when a route first
 * asks (reads of public feeds never do, so they cost no lookup), and the same answer serves the rest of
 * the request. An invalid credential is refused by where it was presented: a wrong `X-NuGet-ApiKey` or
 * Bearer token gets 403, as on nuget.org; a wrong Basic password gets 401 with a Basic challenge, so the
 * client tries its next credential instead of failing.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Actor } from '../app/actor.ts';
import { ANONYMOUS } from '../app/actor.ts';
import type { Authentication } from '../app/accounts/authenticate.ts';
import type { PresentedCredential } from '../app/accounts/authenticate.ts';
import { presentedCredential } from './credentials.ts';

export type Authenticator = (presented: PresentedCredential | undefined) => Promise<Authentication>;

export class RequestAuthentication {
  private readonly authenticator: Authenticator;
  private readonly resolved = new WeakMap<FastifyRequest, Promise<Authentication>>();

  constructor(authenticator: Authenticator) {
    this.authenticator = authenticator;
  }

  /** The request's authentication, resolved on the first call. */
  of(request: FastifyRequest): Promise<Authentication> {
    let authentication = this.resolved.get(request);
    if (authentication === undefined) {
      authentication = this.authenticator(presentedCredential(request.headers));
      this.resolved.set(request, authentication);
    }
    return authentication;
  }

  /** The request's actor (anonymous when nothing was presented); an invalid credential is refused here. */
  async actorOf(request: FastifyRequest): Promise<Actor> {
    const authentication = await this.of(request);
    switch (authentication.outcome) {
      case 'none':
        return ANONYMOUS;
      case 'valid':
        return authentication.actor;
      case 'invalid':
        // A stale session cookie is no credential: the request goes on as anonymous (and the pages ask to sign in).
        if (authentication.via === 'session-cookie') return ANONYMOUS;
        throw authentication.via === 'basic'
          ? new AppError('UNAUTHENTICATED', authentication.reason, { challenge: 'Basic' })
          : new AppError('FORBIDDEN', authentication.reason);
    }
  }
}
