/**
 * The management API's routes (`/api/v1`): the caller's account, API keys and audit log, organizations
 * (organization-routes.ts), a package's
 * versions with their push records and owners, and for administrators the audit log and prefix
 * reservations. Each calls the same use cases as the pages and the command line.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { reservePrefix } from '../../app/accounts/reserve-prefix.ts';
import { changeActorOf, type StoredEvent } from '../../app/events.ts';
import type { AccountStore, ApiKeyStore, EmailChangeStore, ReservationStore } from '../../app/accounts/ports.ts';
import type { EventLog } from '../../app/events.ts';
import type { PackageReader } from '../../app/packages/read-package.ts';
import type { PackageStore } from '../../app/ports.ts';
import { DEFAULT_FEED_ID } from '../../domain/feed.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { apiRoute, idParam, userOf, type ApiRoute } from './api-route.ts';
import { acceptInvitation, inviteOwner, pendingInvitations, removeOwner } from '../../app/ownership/manage-owners.ts';
import type { OwnershipStore } from '../../app/ownership/ports.ts';
import type { OrganizationStore } from '../../app/organizations/ports.ts';
import { organizationRoutes } from './organization-routes.ts';
import { apiKeyRoutes } from './api-key-routes.ts';
import { adminRoutes } from './admin-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { accountRoutes } from './account-routes.ts';
import { feedRoutes } from './feed-routes.ts';
import { pushTargetRoutes } from './push-target-routes.ts';
import type { PushUpstreamDependencies } from '../../app/feeds/push-upstream.ts';
import type { FeedStore } from '../../app/feeds/ports.ts';
import type { Logger } from '../../app/logger.ts';
import type { ExternalIdentityStore } from '../../app/accounts/external-sign-in-ports.ts';
import type { WebhookStore } from '../../app/notifications/webhooks.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import { authorizeAccount, type AccountPolicy } from '../../app/policy.ts';
import { addTrustedPublisher, exchangeCiToken } from '../../app/trusted-publishing/trusted-publishing.ts';
import type { CiTokenVerifier, TrustedPublisherStore } from '../../app/trusted-publishing/ports.ts';

export interface ApiDependencies {
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly reservations: ReservationStore;
  readonly events: EventLog;
  readonly packages: PackageStore;
  readonly reader: PackageReader;
  readonly ownership: OwnershipStore;
  readonly organizations: OrganizationStore;
  readonly signIns: SignInStore;
  readonly identities: ExternalIdentityStore;
  readonly webhooks: WebhookStore;
  readonly feeds: FeedStore;
  readonly log: Logger;
  readonly pushUpstream: PushUpstreamDependencies;
  readonly passwordSignIn: boolean;
  readonly emails: EmailChangeStore;
  readonly emailKey: Uint8Array;
  readonly authenticatorIssuer: string;
  readonly apiKeyLifetimeMs: number;
  readonly policy: AccountPolicy;
  readonly publishers: TrustedPublisherStore;
  readonly ciTokens: CiTokenVerifier;
  readonly trustedPublishingAudience: string;
  readonly now: () => Date;
}

const account = z.object({
  name: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  isAdministrator: z.boolean(),
});

const event = z.object({
  eventId: z.number(),
  at: z.string(),
  kind: z.string(),
  actor: z.string(),
  actorKeyName: z.string().nullable(),
  clientAddress: z.string().nullable(),
  package: z.string().nullable(),
  version: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

const events = z.object({ events: z.array(event), next: z.number().nullable().describe('Pass as ?after= for the next page') });

const EVENTS_PAGE = 100;

function eventView(stored: StoredEvent): z.infer<typeof event> {
  return {
    eventId: stored.eventId,
    at: stored.at.toISOString(),
    kind: stored.kind,
    actor: stored.actorLabel,
    actorKeyName: stored.actorKeyName ?? null,
    clientAddress: stored.clientAddress ?? null,
    package: stored.idLower ?? null,
    version: stored.versionLower ?? null,
    data: { ...stored.data },
  };
}

function afterOf(query: Readonly<Record<string, string | undefined>>): number {
  const after = query.after ?? '0';
  if (!/^\d{1,15}$/.test(after)) throw new AppError('INVALID_REQUEST', "'after' must be an event id.");
  return Number(after);
}

async function eventPage(log: EventLog, after: number, userId: number | undefined): Promise<z.infer<typeof events>> {
  const page = await log.listEvents({ afterEventId: after, limit: EVENTS_PAGE, ...(userId === undefined ? {} : { userId }) });
  return { events: page.map(eventView), next: page.length === EVENTS_PAGE ? (page.at(-1)?.eventId ?? null) : null };
}

export function apiRoutes(deps: ApiDependencies): ApiRoute[] {
  const ownershipDeps = { accounts: deps.accounts, organizations: deps.organizations, packages: deps.packages, ownership: deps.ownership, policy: deps.policy, now: deps.now };
  return [
    ...apiKeyRoutes({ accounts: deps.accounts, keys: deps.keys, organizations: deps.organizations, feeds: deps.feeds, signIns: deps.signIns, policy: deps.policy, now: deps.now, maxLifetimeMs: deps.apiKeyLifetimeMs }),
    ...accountRoutes({ accounts: deps.accounts, emails: deps.emails, emailKey: deps.emailKey, issuer: deps.authenticatorIssuer, signIns: deps.signIns, policy: deps.policy, now: deps.now }),
    ...feedRoutes({ feeds: deps.feeds, accounts: deps.accounts, packages: deps.packages, now: deps.now, log: deps.log, secrets: deps.pushUpstream.secrets }),
    ...pushTargetRoutes(deps.pushUpstream),
    ...identityRoutes({ identities: deps.identities, accounts: deps.accounts, signIns: deps.signIns, passwordsAccepted: deps.passwordSignIn, policy: deps.policy, now: deps.now }),
    ...adminRoutes({ accounts: deps.accounts, reservations: deps.reservations, webhooks: deps.webhooks, now: deps.now }),
    ...organizationRoutes({ accounts: deps.accounts, organizations: deps.organizations, policy: deps.policy, now: deps.now }, ownershipDeps),
    apiRoute({
      method: 'GET',
      path: '/api/v1/me',
      summary: 'The signed-in user (or the holder of the API key)',
      access: 'signed-in',
      answer: account,
      async handle({ caller }) {
        const found = await deps.accounts.findAccountById(userOf(caller.actor).accountId);
        if (found === undefined) throw new AppError('NOT_FOUND', 'Your account is gone.');
        return { name: found.name, displayName: found.displayName, email: found.email ?? null, isAdministrator: found.isAdministrator };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/me/events',
      summary: 'The audit log of the user: what they did and what concerns their account (?after=ID pages on)',
      access: 'signed-in',
      answer: events,
      async handle({ caller, query }) {
        return eventPage(deps.events, afterOf(query), userOf(caller.actor).accountId);
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/packages/:id',
      summary: 'A package of the gallery: its owners and every version with who pushed it and with which key',
      access: 'signed-in',
      answer: z.object({
        id: z.string(),
        owners: z.array(z.string()),
        versions: z.array(
          z.object({
            version: z.string(),
            listed: z.boolean(),
            publishedAt: z.string(),
            pushedBy: z.string().nullable(),
            pushedWithKey: z.string().nullable(),
            provenance: z.record(z.string(), z.string()).nullable().describe('The CI claims of a trusted-publishing push'),
          }),
        ),
      }),
      async handle({ params }) {
        const id = params.id ?? '';
        const versions = await deps.reader.versions(DEFAULT_FEED_ID, id);
        const latest = versions.at(-1);
        if (latest === undefined) throw new AppError('NOT_FOUND', `Package '${id}' was not found.`);
        const ownership = await deps.packages.ownership(lowerPackageId(id));
        const owners = await Promise.all(ownership.ownerIds.map((ownerId) => deps.accounts.findAccountById(ownerId)));
        return {
          id: latest.registrationId,
          owners: owners.flatMap((owner) => (owner === undefined ? [] : [owner.name])),
          versions: versions.map((version) => ({
            version: version.versionFull,
            listed: version.listed,
            publishedAt: version.publishedAt.toISOString(),
            pushedBy: version.pushedBy?.label ?? null,
            pushedWithKey: version.pushedBy?.keyName ?? null,
            provenance: version.provenance === undefined ? null : { ...version.provenance },
          })),
        };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/packages/:id/owners',
      summary: 'Invites an account to co-own the package (an owner, signed in, with a fresh second factor); it owns it once it accepts',
      access: 'signed-in',
      status: 201,
      body: z.object({ name: z.string().min(1).max(64) }).strict(),
      answer: z.object({ invited: z.string() }),
      async handle({ caller, params, body }) {
        await inviteOwner(ownershipDeps, caller, { id: params.id ?? '', inviteeName: body.name });
        return { invited: body.name };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/packages/:id/owners/:name',
      summary: 'Removes an owner of the package (never the last one)',
      access: 'signed-in',
      answer: z.object({ removed: z.string() }),
      async handle({ caller, params }) {
        await removeOwner(ownershipDeps, caller, { id: params.id ?? '', ownerName: params.name ?? '' });
        return { removed: params.name ?? '' };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/me/invitations',
      summary: 'The invitations to co-own packages waiting for the user',
      access: 'signed-in',
      answer: z.object({ invitations: z.array(z.object({ invitationId: z.number(), package: z.string(), invitee: z.string().describe('The user, or an organization they are an admin of'), invitedBy: z.string().nullable(), createdAt: z.string() })) }),
      async handle({ caller }) {
        const invitations = await pendingInvitations(ownershipDeps, caller);
        return { invitations: invitations.map((each) => ({ invitationId: each.invitationId, package: each.id, invitee: each.invitee, invitedBy: each.invitedBy ?? null, createdAt: each.createdAt.toISOString() })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/invitations/:invitationId/accept',
      summary: 'Accepts an invitation: the user becomes an owner of the package',
      access: 'signed-in',
      answer: z.object({ accepted: z.number() }),
      async handle({ caller, params }) {
        const invitationId = idParam(params.invitationId, 'invitation');
        await acceptInvitation(ownershipDeps, caller, invitationId);
        return { accepted: invitationId };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/trusted-publishing/token',
      summary: "Exchanges a CI job's OIDC token (of a registered trusted publisher) for an API key that pushes its owner's packages for one hour",
      access: 'anyone',
      body: z.object({ token: z.string().min(1).max(16_384) }).strict(),
      answer: z.object({ apiKey: z.string(), expiresAt: z.string(), owner: z.string() }),
      async handle({ caller, body }) {
        const exchanged = await exchangeCiToken(
          { publishers: deps.publishers, accounts: deps.accounts, keys: deps.keys, verifier: deps.ciTokens, audience: deps.trustedPublishingAudience, now: deps.now },
          { token: body.token, clientAddress: caller.clientAddress },
        );
        return { apiKey: exchanged.apiKey, expiresAt: exchanged.expiresAt.toISOString(), owner: exchanged.owner };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/trusted-publishers',
      summary: 'Registers a CI identity that may push the signed-in user’s packages (with a fresh second factor; never with an API key)',
      access: 'signed-in',
      status: 201,
      body: z.object({ issuer: z.string().min(1).max(500), claims: z.record(z.string(), z.string()) }).strict(),
      answer: z.object({ publisherId: z.number() }),
      async handle({ caller, body }) {
        const decision = authorizeAccount(caller.actor, 'manage-trusted-publishers', deps.policy, deps.now());
        if (!decision.allowed || caller.actor.kind !== 'session') {
          throw new AppError('FORBIDDEN', caller.actor.kind === 'api-key' ? 'Trusted publishers are registered by a signed-in user, not with an API key.' : decision.allowed ? 'Sign in first.' : decision.reason);
        }
        const publisherId = await addTrustedPublisher(
          { publishers: deps.publishers, accounts: deps.accounts, now: deps.now },
          changeActorOf(caller.actor, caller.clientAddress),
          { ownerName: caller.actor.user.name, issuer: body.issuer, claims: body.claims },
        );
        return { publisherId };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/trusted-publishers',
      summary: 'Registers a CI identity (an OIDC issuer and the claims its tokens must carry) that may push an owner’s packages',
      access: 'administrator',
      status: 201,
      body: z.object({ owner: z.string().min(1).max(64), issuer: z.string().min(1).max(500), claims: z.record(z.string(), z.string()) }).strict(),
      answer: z.object({ publisherId: z.number() }),
      async handle({ caller, body }) {
        const publisherId = await addTrustedPublisher(
          { publishers: deps.publishers, accounts: deps.accounts, now: deps.now },
          changeActorOf(caller.actor, caller.clientAddress),
          { ownerName: body.owner, issuer: body.issuer, claims: body.claims },
        );
        return { publisherId };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/admin/trusted-publishers',
      summary: 'The registered trusted publishers',
      access: 'administrator',
      answer: z.object({
        trustedPublishers: z.array(z.object({ publisherId: z.number(), owner: z.string(), issuer: z.string(), claims: z.record(z.string(), z.string()), createdAt: z.string() })),
      }),
      async handle() {
        const publishers = await deps.publishers.listPublishers();
        return {
          trustedPublishers: publishers.map((each) => ({ publisherId: each.publisherId, owner: each.ownerName, issuer: each.issuer, claims: { ...each.claims }, createdAt: each.createdAt.toISOString() })),
        };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/admin/trusted-publishers/:publisherId',
      summary: 'Removes a trusted publisher: its tokens are exchanged no more (keys already minted live out their hour)',
      access: 'administrator',
      answer: z.object({ removed: z.number() }),
      async handle({ caller, params }) {
        const publisherId = idParam(params.publisherId, 'trusted publisher');
        const at = deps.now();
        const removed = await deps.publishers.removePublisher(publisherId, at, { kind: 'trusted-publisher.removed', at, actor: changeActorOf(caller.actor, caller.clientAddress), data: { publisherId } });
        if (!removed) throw new AppError('NOT_FOUND', `There is no trusted publisher ${params.publisherId ?? ''}.`);
        return { removed: publisherId };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/admin/events',
      summary: 'The whole audit log (?after=ID pages on)',
      access: 'administrator',
      answer: events,
      async handle({ query }) {
        return eventPage(deps.events, afterOf(query), undefined);
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/admin/prefixes',
      summary: 'The ID prefix reservations',
      access: 'administrator',
      answer: z.object({ prefixes: z.array(z.object({ prefix: z.string(), owner: z.string(), createdAt: z.string() })) }),
      async handle() {
        const reservations = await deps.reservations.listReservations();
        return { prefixes: reservations.map((each) => ({ prefix: each.text, owner: each.owner.name, createdAt: each.createdAt.toISOString() })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/prefixes',
      summary: "Reserves an ID prefix ('Contoso.*', or one id) for an owner",
      access: 'administrator',
      status: 201,
      body: z.object({ prefix: z.string().min(1).max(200), owner: z.string().min(1).max(64) }).strict(),
      answer: z.object({ prefix: z.string(), owner: z.string(), created: z.boolean() }),
      async handle({ caller, body }) {
        const created = await reservePrefix(
          { accounts: deps.accounts, reservations: deps.reservations, now: deps.now },
          changeActorOf(caller.actor, caller.clientAddress),
          body.prefix,
          body.owner,
        );
        return { prefix: body.prefix, owner: body.owner, created };
      },
    }),
  ];
}
