/**
 * Which feed a NuGet route serves. The routes are one set, registered twice (server.ts): at the site root
 * for the gallery (the default feed), and under `/feeds/{name}` for every other feed. A hook of each scope
 * finds the request's feed and checks that the caller may read it (app/policy.ts `authorizeFeed`) before
 * any route runs, so a private feed shows nothing, and an unknown one answers as a private one does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../app/actor.ts';
import type { FeedStore } from '../app/feeds/ports.ts';
import { roleIn } from '../app/feeds/feed-access.ts';
import { authorizeFeed, enforce, refusalError, unreadableFeed, type FeedAccess } from '../app/policy.ts';
import { DEFAULT_FEED_ID, type Feed, type FeedId } from '../domain/feed.ts';
import { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import type { RequestAuthentication } from './request-authentication.ts';
import type { UrlContext } from './request-context.ts';

export interface FeedScope {
  idOf(request: FastifyRequest): FeedId;
  feedOf(request: FastifyRequest): Feed;
  urlsOf(request: FastifyRequest): FeedUrls;
  /** The feed with the caller's role in it, for the writes' checks. */
  accessOf(request: FastifyRequest, actor: Actor): Promise<FeedAccess>;
}

export interface FeedScopeDependencies {
  readonly feeds: FeedStore;
  readonly authentication: RequestAuthentication;
  readonly urlsFor: (request: UrlContext) => FeedUrls;
}

/**
 * Finds each request's feed in an `onRequest` hook of `scope`: the gallery when `nameOf` gives undefined,
 * otherwise the feed it names (`/feeds/{name}`), whose URLs are built under that path.
 */
export function feedScope(scope: FastifyInstance, deps: FeedScopeDependencies, nameOf: (request: FastifyRequest) => string | undefined): FeedScope {
  const feeds = new WeakMap<FastifyRequest, { feed: Feed; urls: FeedUrls }>();
  const urlCache = new Map<string, FeedUrls>();
  scope.addHook('onRequest', async (request) => {
    const name = nameOf(request);
    const feed = name === undefined ? await deps.feeds.feedById(DEFAULT_FEED_ID) : await deps.feeds.feedByName(name);
    if (feed === undefined || feed.isPrivate) {
      // Credentials are read only where they matter: a public feed's reads never fail on a stale key.
      const actor = await deps.authentication.actorOf(request);
      // An unknown feed answers exactly as a private feed the caller may not read: its name leaks nothing.
      if (feed === undefined) throw refusalError(unreadableFeed(actor));
      enforce(authorizeFeed(actor, 'read', { feed, role: await roleIn(deps.feeds, feed, actor) }));
    }
    const siteUrls = deps.urlsFor(request);
    let urls = siteUrls;
    if (name !== undefined) {
      const base = `${siteUrls.base}/feeds/${feed.name}`;
      urls = urlCache.get(base) ?? new FeedUrls(base);
      if (urlCache.size > 200) urlCache.clear();
      urlCache.set(base, urls);
    }
    feeds.set(request, { feed, urls });
  });
  const of = (request: FastifyRequest) => {
    const found = feeds.get(request);
    if (found === undefined) throw new Error('the feed hook did not run for this request');
    return found;
  };
  return {
    idOf: (request) => of(request).feed.feedId,
    feedOf: (request) => of(request).feed,
    urlsOf: (request) => of(request).urls,
    accessOf: async (request, actor) => {
      const { feed } = of(request);
      return { feed, role: await roleIn(deps.feeds, feed, actor) };
    },
  };
}
