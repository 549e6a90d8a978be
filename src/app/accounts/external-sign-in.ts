/**
 * Signing in through an OpenID Connect provider (the authorization-code flow with PKCE, `state` and `nonce`),
 * and linking a provider's identity to the signed-in account. The flow is kept server-side, found once by
 * its state and bound to the browser that started it, so a callback URL sent to someone else signs nobody in.
 *
 * An unknown identity creates an account when the provider allows it (`createAccounts`), and is refused
 * otherwise; it is never joined to an existing account by a matching email: linking needs both proven, the
 * account by being signed in and the identity by the provider, in that order.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { accountNameFrom } from '../../domain/account-name.ts';
import { generateSessionToken } from '../../security/session-token.ts';
import type { Caller } from '../actor.ts';
import type { ChangeActor } from '../events.ts';
import { IdentityProviderError, type ExternalIdentityStore, type FlowPurpose, type IdentityProviderGateway, type ProvenIdentity } from './external-sign-in-ports.ts';
import type { Account } from './ports.ts';
import type { SignInStore } from './sign-in-ports.ts';

/** How long the provider's page may take: a flow older than this is refused. */
export const FLOW_LIFETIME_MS = 10 * 60 * 1000;

export interface ProviderPolicy {
  readonly displayName: string;
  readonly createAccounts: boolean;
  readonly trustEmail: boolean;
  readonly mfaCountsAsSecondFactor: boolean;
}

export interface ExternalSignInDependencies {
  readonly identities: ExternalIdentityStore;
  readonly signIns: SignInStore;
  readonly gateway: IdentityProviderGateway;
  readonly now: () => Date;
  readonly providers: Readonly<Record<string, ProviderPolicy>>;
  readonly sessionLifetimeMs: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function policyOf(deps: ExternalSignInDependencies, provider: string): ProviderPolicy {
  const policy = Object.hasOwn(deps.providers, provider) ? deps.providers[provider] : undefined;
  if (policy === undefined) throw new AppError('NOT_FOUND', `There is no identity provider '${provider.slice(0, 40)}' on this server.`);
  return policy;
}

/** Starts a flow: the URL to send the browser to, and the token for the cookie that binds the flow to it. */
export async function beginExternalSignIn(
  deps: ExternalSignInDependencies,
  caller: Caller,
  request: { readonly provider: string; readonly purpose: FlowPurpose; readonly nextPath: string; readonly redirectUri: string },
): Promise<{ readonly url: string; readonly browserToken: string }> {
  policyOf(deps, request.provider);
  let userId;
  if (request.purpose === 'link') {
    if (caller.actor.kind !== 'session' || caller.actor.awaitingSecondFactor) throw new AppError('UNAUTHENTICATED', 'Sign in first, then link the identity from your account page.');
    userId = caller.actor.user.accountId;
  }
  const authorization = await deps.gateway.authorization(request.provider, request.redirectUri).catch((error: unknown) => {
    throw unavailable(request.provider, error);
  });
  const browserToken = randomBytes(32).toString('base64url');
  const now = deps.now();
  await deps.identities.startFlow(
    {
      stateHash: sha256(authorization.state),
      browserHash: sha256(browserToken),
      provider: request.provider,
      purpose: request.purpose,
      userId,
      nonce: authorization.nonce,
      codeVerifier: authorization.codeVerifier,
      nextPath: request.nextPath,
      expiresAt: new Date(now.getTime() + FLOW_LIFETIME_MS),
    },
    now,
  );
  return { url: authorization.url, browserToken };
}

export type ExternalSignInResult =
  | { readonly kind: 'signed-in'; readonly token: string; readonly awaitingSecondFactor: boolean; readonly account: Account; readonly created: boolean; readonly nextPath: string }
  | { readonly kind: 'linked'; readonly nextPath: string };

/** Finishes a flow at the provider's callback: signs in (or creates the account), or links the identity. */
export async function completeExternalSignIn(
  deps: ExternalSignInDependencies,
  caller: Caller,
  request: { readonly provider: string; readonly callbackUrl: URL; readonly browserToken: string | undefined; readonly userAgent: string | undefined },
): Promise<ExternalSignInResult> {
  const policy = policyOf(deps, request.provider);
  const state = request.callbackUrl.searchParams.get('state');
  if (state === null || state === '') throw new AppError('FORBIDDEN', 'The identity provider sent you back without the sign-in\'s state; start again from the sign-in page.');
  const flow = await deps.identities.takeFlow(sha256(state));
  const now = deps.now();
  if (flow === undefined || flow.provider !== request.provider) {
    throw new AppError('FORBIDDEN', 'This sign-in is not known here, or was finished already; start again from the sign-in page.');
  }
  if (request.browserToken === undefined || !sameHash(sha256(request.browserToken), flow.browserHash)) {
    throw new AppError('FORBIDDEN', 'This sign-in was started in another browser (or its cookie is gone); start again from the sign-in page.');
  }
  if (flow.expiresAt.getTime() <= now.getTime()) throw new AppError('FORBIDDEN', 'This sign-in took more than 10 minutes; start again from the sign-in page.');
  const refused = request.callbackUrl.searchParams.get('error');
  if (refused !== null) {
    const description = request.callbackUrl.searchParams.get('error_description') ?? refused;
    throw new AppError('FORBIDDEN', `${policy.displayName} did not sign you in: ${description.slice(0, 200)}`);
  }
  let identity: ProvenIdentity;
  try {
    identity = await deps.gateway.verify(request.provider, request.callbackUrl, { state, nonce: flow.nonce, codeVerifier: flow.codeVerifier });
  } catch (error) {
    if (error instanceof IdentityProviderError) throw new AppError('FORBIDDEN', `The answer from ${policy.displayName} did not verify (${error.message}); nobody was signed in.`, { cause: error });
    throw unavailable(request.provider, error);
  }
  const actor: ChangeActor = { userId: flow.userId, key: undefined, label: `${identity.preferredUsername ?? identity.email ?? identity.subject} (${request.provider})`, clientAddress: caller.clientAddress };
  const email = identity.email !== undefined && (identity.emailVerified || policy.trustEmail) ? identity.email : undefined;

  if (flow.purpose === 'link') {
    if (caller.actor.kind !== 'session' || caller.actor.user.accountId !== flow.userId) {
      throw new AppError('FORBIDDEN', 'You are no longer signed in as the account that asked to link this identity; sign in and start again.');
    }
    const user = caller.actor.user;
    const linked = await deps.identities.linkIdentity(
      { provider: request.provider, subject: identity.subject, userId: user.accountId, email, linkedAt: now },
      { kind: 'user.identity-linked', at: now, actor: { ...actor, userId: user.accountId, label: user.name }, subjectUserId: user.accountId, data: { provider: request.provider, email } },
    );
    if (linked === 'taken') {
      const holder = await deps.identities.findIdentity(request.provider, identity.subject);
      if (holder?.account.accountId === user.accountId) throw new AppError('CONFLICT', `This ${policy.displayName} identity is linked to your account already.`);
      throw new AppError('CONFLICT', `This ${policy.displayName} identity is linked to another account; sign in with it there and unlink it first.`);
    }
    return { kind: 'linked', nextPath: flow.nextPath };
  }

  let found = await deps.identities.findIdentity(request.provider, identity.subject);
  let created = false;
  if (found === undefined) {
    if (!policy.createAccounts) {
      throw new AppError(
        'FORBIDDEN',
        `No account here is linked to this ${policy.displayName} identity, and this server does not create accounts on first sign-in. ` +
          'If you have an account, sign in to it and link the identity on your account page; otherwise ask an administrator.',
      );
    }
    const account = await createAccountFor(deps, request.provider, identity, email, actor, now);
    if (account !== undefined) created = true;
    found = await deps.identities.findIdentity(request.provider, identity.subject);
    if (found === undefined) throw new AppError('CONFLICT', 'The account for this identity could not be made; try again.');
  }
  const account = found.account;
  if (account.disabledAt !== undefined) throw new AppError('FORBIDDEN', `The account '${account.name}' is disabled.`);
  const previousSignIn = await deps.identities.recordIdentitySignIn(request.provider, identity.subject, email, now);
  const providerMfa = policy.mfaCountsAsSecondFactor && identity.amr.includes('mfa');
  const awaitingSecondFactor = found.totpEnabled && !providerMfa;
  const { token, lookupHash } = generateSessionToken();
  await deps.signIns.createSession(
    {
      userId: account.accountId,
      lookupHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.sessionLifetimeMs),
      awaitingSecondFactor,
      clientAddress: caller.clientAddress,
      userAgent: request.userAgent,
      providerMfa,
    },
    {
      kind: 'user.signed-in',
      at: now,
      actor: { ...actor, userId: account.accountId, label: account.name },
      subjectUserId: account.accountId,
      // The first sign-in through a provider the account had not used is worth an email to its holder.
      data: { with: request.provider, firstWithProvider: previousSignIn === undefined && !created, secondFactorOwed: awaitingSecondFactor, providerMfa },
    },
  );
  return { kind: 'signed-in', token, awaitingSecondFactor, account, created, nextPath: flow.nextPath };
}

/** Makes the account for a new identity, under the first free name it suggests; undefined when another request made it first. */
async function createAccountFor(
  deps: ExternalSignInDependencies,
  provider: string,
  identity: ProvenIdentity,
  email: string | undefined,
  actor: ChangeActor,
  now: Date,
): Promise<Account | undefined> {
  const base =
    [identity.preferredUsername, identity.email?.split('@')[0], identity.name].map((text) => (text === undefined ? undefined : accountNameFrom(text))).find((name) => name !== undefined) ??
    'user';
  const candidates = [base, ...Array.from({ length: 8 }, (_, index) => `${base}-${index + 2}`), `${base}-${randomBytes(2).readUInt16BE(0)}`];
  for (const name of candidates) {
    const outcome = await deps.identities.createUserWithIdentity(
      { name, displayName: identity.name?.slice(0, 100) ?? name, email, emailVerified: email !== undefined, isAdministrator: false, passwordHash: undefined, createdAt: now },
      { provider, subject: identity.subject, email },
      { kind: 'user.created', at: now, actor, data: { name, administrator: false, via: provider } },
    );
    if (outcome.outcome === 'created') return outcome.account;
    if (outcome.outcome === 'identity-taken') return undefined;
  }
  throw new AppError('CONFLICT', `Every account name made from '${base}' is taken; ask an administrator to create your account.`);
}

function unavailable(provider: string, error: unknown): AppError {
  return new AppError('UNAVAILABLE', `The identity provider '${provider}' cannot be reached now; try again in a minute.`, { cause: error });
}

/** Unlinks one of the signed-in user's identities; never the last way they have to sign in. */
export async function unlinkIdentity(
  deps: { readonly identities: ExternalIdentityStore; readonly now: () => Date; readonly passwordsAccepted: boolean; readonly hasPassword: (userId: number) => Promise<boolean> },
  caller: Caller,
  request: { readonly provider: string; readonly subject: string },
): Promise<void> {
  if (caller.actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  const user = caller.actor.user;
  const identities = await deps.identities.identitiesOf(user.accountId);
  const target = identities.find((identity) => identity.provider === request.provider && identity.subject === request.subject);
  if (target === undefined) throw new AppError('NOT_FOUND', 'Your account has no such linked identity.');
  const otherWays = identities.length - 1 + (deps.passwordsAccepted && (await deps.hasPassword(user.accountId)) ? 1 : 0);
  if (otherWays === 0) throw new AppError('CONFLICT', 'This is the only way you have to sign in: link another identity or set a password first.');
  const at = deps.now();
  await deps.identities.unlinkIdentity(user.accountId, request.provider, request.subject, {
    kind: 'user.identity-unlinked',
    at,
    actor: { userId: user.accountId, key: undefined, label: user.name, clientAddress: caller.clientAddress },
    subjectUserId: user.accountId,
    data: { provider: request.provider, email: target.email },
  });
}
