/**
 * Trusted publishing, as nuget.org offers it: an owner registers a CI identity (an OIDC issuer such as
 * GitHub Actions or GitLab CI, and the claims its tokens must carry: repository, workflow, …); a CI job
 * exchanges its OIDC token for an API key that pushes that owner's packages for one hour. No long-lived
 * secret lives in CI. A token is exchanged once, and every version pushed with the key records the
 * token's claims (its provenance).
 * https://learn.microsoft.com/nuget/nuget-org/trusted-publishing
 */
import { AppError } from '../../errors.ts';
import { generateApiKey } from '../../security/api-key-format.ts';
import type { AccountStore, ApiKeyStore } from '../accounts/ports.ts';
import type { ChangeActor } from '../events.ts';
import type { CiTokenVerifier, TrustedPublisherStore } from './ports.ts';

export const TRUSTED_PUBLISHING_KEY_LIFETIME_MS = 60 * 60 * 1000;

/** Claims recorded with each version pushed through trusted publishing, when the token has them. */
const PROVENANCE_CLAIMS = ['repository', 'workflow', 'workflow_ref', 'job_workflow_ref', 'ref', 'sha', 'run_id', 'environment', 'project_path', 'pipeline_id'];

export interface TrustedPublishingDependencies {
  readonly publishers: TrustedPublisherStore;
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly verifier: CiTokenVerifier;
  /** The audience CI jobs request their token for. */
  readonly audience: string;
  readonly now: () => Date;
}

export async function addTrustedPublisher(
  deps: { readonly publishers: TrustedPublisherStore; readonly accounts: AccountStore; readonly now: () => Date },
  actor: ChangeActor,
  request: { readonly ownerName: string; readonly issuer: string; readonly claims: Readonly<Record<string, string>> },
): Promise<number> {
  let issuer: URL;
  try {
    issuer = new URL(request.issuer);
  } catch {
    throw new AppError('INVALID_REQUEST', `'${request.issuer.slice(0, 200)}' is not an issuer URL (https://token.actions.githubusercontent.com).`);
  }
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') throw new AppError('INVALID_REQUEST', 'An issuer URL uses https.');
  const claims = Object.entries(request.claims);
  if (claims.length === 0) throw new AppError('INVALID_REQUEST', 'Name at least one claim a token must carry, such as repository=contoso/lib.');
  const owner = await deps.accounts.findAccountByName(request.ownerName);
  if (owner === undefined || owner.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${request.ownerName}'.`);
  const createdAt = deps.now();
  return deps.publishers.addPublisher(
    { ownerId: owner.accountId, issuer: request.issuer, claims: Object.fromEntries(claims), createdAt },
    { kind: 'trusted-publisher.added', at: createdAt, actor, subjectUserId: owner.accountId, data: { owner: owner.name, issuer: request.issuer, claims: request.claims } },
  );
}

/** Exchanges a CI job's OIDC token for a one-hour key that pushes the registered owner's packages. */
export async function exchangeCiToken(
  deps: TrustedPublishingDependencies,
  request: { readonly token: string; readonly clientAddress: string | undefined },
): Promise<{ readonly apiKey: string; readonly expiresAt: Date; readonly owner: string }> {
  // The issuer is read before the signature only to pick whose keys check it; nothing else is believed yet.
  const unverifiedIssuer = await deps.verifier.unverifiedIssuer(request.token);
  const candidates = unverifiedIssuer === undefined ? [] : await deps.publishers.listPublishers(unverifiedIssuer);
  if (unverifiedIssuer === undefined || candidates.length === 0) throw new AppError('UNAUTHENTICATED', 'No trusted publisher is registered for this token’s issuer.');
  let claims: Readonly<Record<string, unknown>>;
  try {
    claims = await deps.verifier.verify(request.token, unverifiedIssuer, deps.audience);
  } catch (error) {
    throw new AppError('UNAUTHENTICATED', `The token was refused: ${(error as Error).message}`);
  }
  const publisher = candidates.find((candidate) => Object.entries(candidate.claims).every(([name, value]) => claims[name] === value));
  if (publisher === undefined) throw new AppError('FORBIDDEN', 'The token’s claims match no trusted publisher registered for its issuer.');
  const owner = await deps.accounts.findAccountById(publisher.ownerId);
  if (owner === undefined || owner.disabledAt !== undefined) throw new AppError('FORBIDDEN', 'The owner of this trusted publisher is disabled.');

  const now = deps.now();
  const provenance: Record<string, string> = {};
  for (const name of PROVENANCE_CLAIMS) if (typeof claims[name] === 'string' || typeof claims[name] === 'number') provenance[name] = String(claims[name]);
  const actor: ChangeActor = { userId: undefined, key: undefined, label: `trusted publisher ${publisher.publisherId}`, clientAddress: request.clientAddress };
  const jti = String(claims.jti);
  const spent = await deps.publishers.spendToken(unverifiedIssuer, jti, new Date(Number(claims.exp) * 1000), {
    kind: 'trusted-publishing.exchanged',
    at: now,
    actor,
    subjectUserId: owner.accountId,
    data: { publisherId: publisher.publisherId, provenance },
  });
  if (!spent) throw new AppError('UNAUTHENTICATED', 'This token was exchanged before; each CI token is good for one key.');

  const expiresAt = new Date(now.getTime() + TRUSTED_PUBLISHING_KEY_LIFETIME_MS);
  const { secret, lookupHash } = generateApiKey();
  const created = await deps.keys.createKey(
    {
      userId: owner.accountId,
      ownerId: owner.accountId,
      name: `trusted-publishing-${publisher.publisherId}-${jti}`.slice(0, 120),
      lookupHash,
      scopes: ['push'],
      patterns: [],
    feedIds: [],
      createdAt: now,
      expiresAt,
      provenance,
    },
    { kind: 'api-key.created', at: now, actor, subjectUserId: owner.accountId, data: { name: `trusted publishing ${publisher.publisherId}`, trustedPublisher: publisher.publisherId, scopes: ['push'], patterns: [], expiresAt: expiresAt.toISOString() } },
  );
  if (created.outcome !== 'created') throw new AppError('CONFLICT', 'This token was exchanged before.');
  return { apiKey: secret, expiresAt, owner: owner.name };
}
