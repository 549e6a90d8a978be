/** The caller's standing in a feed: the feed named, with their role in it, once the policy allows the action. */
import { AppError } from '../../errors.ts';
import type { Feed, FeedRole } from '../../domain/feed.ts';
import type { Actor } from '../actor.ts';
import { authorizeFeed, enforce, type FeedAction } from '../policy.ts';
import type { FeedStore } from './ports.ts';

/** The actor's role in the feed: their own membership or an organization's; none for anonymous callers and the configured key. */
export function roleIn(feeds: Pick<FeedStore, 'roleOf'>, feed: Feed, actor: Actor): Promise<FeedRole | undefined> {
  return actor.kind === 'api-key' || actor.kind === 'session' ? feeds.roleOf(feed.feedId, actor.user.accountId) : Promise.resolve(undefined);
}

/** The feed named, once `action` is allowed there; an unknown feed answers as one the caller may not see. */
export async function feedAllowing(feeds: FeedStore, actor: Actor, name: string, action: FeedAction): Promise<Feed> {
  const feed = await feeds.feedByName(name);
  if (feed === undefined) throw new AppError('NOT_FOUND', 'Not found.');
  enforce(authorizeFeed(actor, action, { feed, role: await roleIn(feeds, feed, actor) }));
  return feed;
}
