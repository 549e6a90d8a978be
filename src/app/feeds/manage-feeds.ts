/**
 * Feeds, as MyGet offers them: any signed-in user creates one and owns it; its owners make it public or
 * private, choose the versions it accepts, and add users or organizations as readers, contributors or
 * owners (never leaving it without an owner). Administrators (and the command line) may do all of it. The
 * gallery is the default feed: always there, open to any account's pushes.
 */
import { AppError } from '../../errors.ts';
import { DEFAULT_FEED_ID, FEED_ACCEPTS, FEED_ROLES, feedNameProblem, type Feed, type FeedAccepts, type FeedRole } from '../../domain/feed.ts';
import type { Caller } from '../actor.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import { parsePackageIdPattern } from '../../domain/package-id-pattern.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import { authorizeFeed } from '../policy.ts';
import { feedAllowing, roleIn } from './feed-access.ts';
import type { AccountStore } from '../accounts/ports.ts';
import type { FeedMember, FeedStore } from './ports.ts';

export interface FeedDependencies {
  readonly feeds: FeedStore;
  readonly accounts: AccountStore;
  readonly now: () => Date;
  /** Seals upstream credentials; undefined without `secretsKey`. */
  readonly secrets?: SecretBox | undefined;
}

function parseAccepts(text: string | undefined, fallback: FeedAccepts): FeedAccepts {
  if (text === undefined) return fallback;
  if (!(FEED_ACCEPTS as readonly string[]).includes(text)) throw new AppError('INVALID_REQUEST', `'${text.slice(0, 40)}' is not what a feed accepts: use any, prerelease or stable.`);
  return text as FeedAccepts;
}

/** An upstream V3 source: the absolute URL of its service index, over https (or http). */
function parseUpstream(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('INVALID_REQUEST', `'${text.slice(0, 200)}' is not an absolute URL of a service index.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('INVALID_REQUEST', 'An upstream source is reached over https (or http).');
  if (url.username !== '' || url.password !== '') throw new AppError('INVALID_REQUEST', 'An upstream URL must not carry credentials.');
  return url.href;
}

function parseBlocked(text: string): string {
  try {
    return parsePackageIdPattern(text).text;
  } catch (error) {
    throw new AppError('INVALID_REQUEST', (error as Error).message);
  }
}

function isAdministrator(caller: Caller): boolean {
  const actor = caller.actor;
  return actor.kind === 'configured-key' || ((actor.kind === 'api-key' || actor.kind === 'session') && actor.user.isAdministrator);
}

function parseRole(text: string): FeedRole {
  if (!(FEED_ROLES as readonly string[]).includes(text)) throw new AppError('INVALID_REQUEST', `'${text.slice(0, 40)}' is not a feed role: use reader, contributor or owner.`);
  return text as FeedRole;
}

function changeActor(caller: Caller, given: ChangeActor | undefined): ChangeActor {
  return given ?? changeActorOf(caller.actor, caller.clientAddress);
}

/** The feed named, once the caller may manage it; an unknown feed and one the caller may not read look alike. */
function managedFeed(deps: FeedDependencies, caller: Caller, name: string): Promise<Feed> {
  return feedAllowing(deps.feeds, caller.actor, name, 'manage');
}

export async function createFeed(
  deps: FeedDependencies,
  caller: Caller,
  request: { readonly name: string; readonly isPrivate: boolean; readonly accepts?: string | undefined; readonly ownerName?: string | undefined },
  given?: ChangeActor,
): Promise<Feed> {
  const name = request.name.trim();
  const problem = feedNameProblem(name);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const actor = caller.actor;
  if (actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'Sign in or send an API key to create a feed.');
  // A user's feed is theirs; the command line and the configured key name the owner (or none: administrators manage it).
  let ownerId: number | undefined = actor.kind === 'api-key' || actor.kind === 'session' ? actor.user.accountId : undefined;
  if (request.ownerName !== undefined) {
    const owner = await deps.accounts.findAccountByName(request.ownerName);
    if (owner === undefined) throw new AppError('NOT_FOUND', `There is no account '${request.ownerName.slice(0, 64)}'.`);
    const mayName = actor.kind === 'configured-key' || ((actor.kind === 'api-key' || actor.kind === 'session') && (actor.user.isAdministrator || actor.user.accountId === owner.accountId));
    if (!mayName) throw new AppError('FORBIDDEN', 'Only an administrator creates a feed for another account.');
    ownerId = owner.accountId;
  }
  const accepts = parseAccepts(request.accepts, 'any');
  const createdAt = deps.now();
  const created = await deps.feeds.createFeed({ name, isPrivate: request.isPrivate, accepts, createdAt }, ownerId, {
    kind: 'feed.created',
    at: createdAt,
    actor: changeActor(caller, given),
    subjectUserId: ownerId,
    data: { feed: name, private: request.isPrivate, accepts },
  });
  if (created.outcome === 'name-taken') throw new AppError('CONFLICT', `There is a feed named '${name}' already.`);
  return created.feed;
}

export async function updateFeed(
  deps: FeedDependencies,
  caller: Caller,
  request: {
    readonly name: string;
    readonly isPrivate?: boolean | undefined;
    readonly accepts?: string | undefined;
    /** Retention: a number sets a rule, null removes it, undefined leaves it. */
    readonly keepNewest?: number | null | undefined;
    readonly keepDays?: number | null | undefined;
    readonly retentionIncludesStable?: boolean | undefined;
    readonly hardDelete?: boolean | undefined;
    /** Upstream V3 sources (service index URLs, with credentials for a private one) in priority order; undefined leaves them. */
    readonly upstreams?: readonly (string | { readonly url: string; readonly username: string; readonly password: string })[] | undefined;
    /** Ids or globs kept from the upstream sources (administrators only); undefined leaves them. */
    readonly upstreamBlocked?: readonly string[] | undefined;
  },
  given?: ChangeActor,
): Promise<Feed> {
  const feed = await managedFeed(deps, caller, request.name);
  const rule = (value: number | null | undefined, current: number | undefined, what: string) => {
    if (value === undefined) return current;
    if (value === null) return undefined;
    if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new AppError('INVALID_REQUEST', `${what} must be a whole number from 1 to 100000.`);
    return value;
  };
  const retention = {
    keepNewest: rule(request.keepNewest, feed.retention.keepNewest, 'The number of versions to keep'),
    keepDays: rule(request.keepDays, feed.retention.keepDays, 'The number of days to keep versions'),
    includeStable: request.retentionIncludesStable ?? feed.retention.includeStable,
  };
  const hardDelete = request.hardDelete ?? feed.hardDelete;
  // The gallery's versions are immutable, as on nuget.org: delete there always means unlist.
  if (hardDelete && feed.feedId === DEFAULT_FEED_ID) throw new AppError('INVALID_REQUEST', "The gallery's versions are immutable: delete there always unlists.");
  // The gallery's restore path is answered before any route (http/restore-fast-path.ts), so it stays public.
  if (request.isPrivate === true && feed.feedId === DEFAULT_FEED_ID) throw new AppError('INVALID_REQUEST', 'The gallery is public; make a feed of your own private instead.');
  // Likewise its version lists and registrations, which upstream sources would have to merge into.
  if (request.upstreams !== undefined && request.upstreams.length > 0 && feed.feedId === DEFAULT_FEED_ID) {
    throw new AppError('INVALID_REQUEST', 'The gallery serves what is published here; give upstream sources to a feed of your own.');
  }
  const upstreams = request.upstreams === undefined ? feed.upstreams : request.upstreams.map((each) => parseUpstream(typeof each === 'string' ? each : each.url));
  // Credentials are kept sealed; an upstream given again without them keeps the ones it had.
  const upstreamCredentials: Record<string, string> = {};
  for (const [index, each] of (request.upstreams ?? []).entries()) {
    const url = upstreams[index] as string;
    if (typeof each !== 'string') {
      if (deps.secrets === undefined) throw new AppError('UNAVAILABLE', 'This server has no secretsKey configured (PALLET_SECRETS_KEY), so it cannot keep credentials for an upstream.');
      upstreamCredentials[url] = deps.secrets.seal(`${each.username}:${each.password}`);
    } else if (feed.upstreamCredentials[url] !== undefined) {
      upstreamCredentials[url] = feed.upstreamCredentials[url];
    }
  }
  if (request.upstreamBlocked !== undefined && !isAdministrator(caller)) throw new AppError('FORBIDDEN', "Only an administrator changes which ids a feed's upstreams may not supply.");
  const upstreamBlocked = request.upstreamBlocked === undefined ? feed.upstreamBlocked : request.upstreamBlocked.map((text) => parseBlocked(text));
  const settings = {
    isPrivate: request.isPrivate ?? feed.isPrivate,
    accepts: parseAccepts(request.accepts, feed.accepts),
    retention,
    hardDelete,
    upstreams,
    upstreamBlocked,
    upstreamCredentials: request.upstreams === undefined ? feed.upstreamCredentials : upstreamCredentials,
  };
  await deps.feeds.updateFeed(feed.feedId, settings, {
    kind: 'feed.updated',
    at: deps.now(),
    actor: changeActor(caller, given),
    data: { feed: feed.name, private: settings.isPrivate, accepts: settings.accepts, keepNewest: retention.keepNewest ?? null, keepDays: retention.keepDays ?? null, retentionIncludesStable: retention.includeStable, hardDelete, upstreams, upstreamBlocked },
  });
  return { ...feed, ...settings };
}

export async function setFeedMember(
  deps: FeedDependencies,
  caller: Caller,
  request: { readonly feed: string; readonly accountName: string; readonly role: string },
  given?: ChangeActor,
): Promise<void> {
  const feed = await managedFeed(deps, caller, request.feed);
  const role = parseRole(request.role);
  const account = await deps.accounts.findAccountByName(request.accountName);
  if (account === undefined) throw new AppError('NOT_FOUND', `There is no account '${request.accountName.slice(0, 64)}'.`);
  const at = deps.now();
  await deps.feeds.setMember(feed.feedId, account.accountId, role, at, {
    kind: 'feed.member-set',
    at,
    actor: changeActor(caller, given),
    subjectUserId: account.accountId,
    data: { feed: feed.name, member: account.name, role },
  });
}

export async function removeFeedMember(deps: FeedDependencies, caller: Caller, request: { readonly feed: string; readonly accountName: string }, given?: ChangeActor): Promise<void> {
  const feed = await managedFeed(deps, caller, request.feed);
  const account = await deps.accounts.findAccountByName(request.accountName);
  if (account === undefined) throw new AppError('NOT_FOUND', `There is no account '${request.accountName.slice(0, 64)}'.`);
  const outcome = await deps.feeds.removeMember(feed.feedId, account.accountId, {
    kind: 'feed.member-removed',
    at: deps.now(),
    actor: changeActor(caller, given),
    subjectUserId: account.accountId,
    data: { feed: feed.name, member: account.name },
  });
  if (outcome === 'not-member') throw new AppError('NOT_FOUND', `'${account.name}' is not a member of the feed '${feed.name}'.`);
  if (outcome === 'last-owner') throw new AppError('CONFLICT', `'${account.name}' is the last owner of the feed '${feed.name}'; make another member an owner first.`);
}

/** The feeds the caller may read (public ones, and private ones they are a member of; all for administrators), with the caller's role. */
export async function visibleFeeds(deps: FeedDependencies, caller: Caller): Promise<{ readonly feed: Feed; readonly role: FeedRole | undefined }[]> {
  const actor = caller.actor;
  const visible = [];
  for (const feed of await deps.feeds.listFeeds()) {
    const role = await roleIn(deps.feeds, feed, actor);
    if (authorizeFeed(actor, 'read', { feed, role }).allowed) visible.push({ feed, role });
  }
  return visible;
}

/** A feed's members, for those who may manage it. */
export async function feedMembers(deps: FeedDependencies, caller: Caller, name: string): Promise<{ readonly feed: Feed; readonly members: FeedMember[] }> {
  const feed = await managedFeed(deps, caller, name);
  return { feed, members: await deps.feeds.members(feed.feedId) };
}
