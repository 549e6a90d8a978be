/**
 * The management API's feeds: the feeds the caller may read (with their role), creating one, changing its
 * settings (public or private, the versions it accepts) and its members, and promoting a version from one
 * feed to another. The same use cases as `pallet feed` and `pallet promote`; an unknown feed and one the
 * caller may not read answer alike.
 */
import { z } from 'zod';
import { createFeed, feedMembers, removeFeedMember, setFeedMember, updateFeed, visibleFeeds, type FeedDependencies } from '../../app/feeds/manage-feeds.ts';
import { DEFAULT_FEED_ID, type Feed } from '../../domain/feed.ts';
import { promoteVersion, type PromotionDependencies } from '../../app/feeds/promote.ts';
import { runRetention, setPinned, type RetentionDependencies } from '../../app/feeds/retention.ts';
import { apiRoute, type ApiRoute } from './api-route.ts';

const accepts = z.enum(['any', 'prerelease', 'stable']);
const role = z.enum(['reader', 'contributor', 'owner']);
const retention = {
  keepNewest: z.number().int().min(1).max(100_000).nullable().describe('Per id, the newest this many versions the rules cover are kept; null: no such rule'),
  keepDays: z.number().int().min(1).max(100_000).nullable().describe('Versions younger than this many days are kept; null: no such rule'),
  retentionIncludesStable: z.boolean().describe('Whether the rules cover stable versions too (otherwise pre-releases only)'),
  hardDelete: z.boolean().describe('A scratch feed: delete (and retention) deletes versions instead of unlisting them; never the gallery'),
  upstreams: z.array(z.string().max(2048)).max(10).describe('Upstream V3 sources (service index URLs), in priority order'),
  upstreamBlocked: z.array(z.string().max(128)).max(200).describe('Package ids or globs never resolved upstream (administrators set them)'),
};
const feedView = z.object({
  name: z.string(),
  private: z.boolean(),
  accepts,
  ...retention,
  openPush: z.boolean().describe("Any account's key may push (the gallery); otherwise the feed's contributors only"),
  serviceIndex: z.string().describe('The path of its NuGet source on this server'),
});

function viewOf(feed: Feed): z.infer<typeof feedView> {
  return {
    name: feed.name,
    private: feed.isPrivate,
    accepts: feed.accepts,
    keepNewest: feed.retention.keepNewest ?? null,
    keepDays: feed.retention.keepDays ?? null,
    retentionIncludesStable: feed.retention.includeStable,
    hardDelete: feed.hardDelete,
    upstreams: [...feed.upstreams],
    upstreamBlocked: [...feed.upstreamBlocked],
    openPush: feed.openPush,
    serviceIndex: feed.feedId === DEFAULT_FEED_ID ? '/v3/index.json' : `/feeds/${feed.name}/v3/index.json` };
}

export function feedRoutes(deps: FeedDependencies & PromotionDependencies & RetentionDependencies): ApiRoute[] {
  return [
    apiRoute({
      method: 'POST',
      path: '/api/v1/packages/:id/:version/promote',
      summary: 'Puts a version of one feed into another, the same bytes with its push record (and, if asked, its dependencies from the source feed)',
      access: 'signed-in',
      body: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64), withDependencies: z.boolean().default(false) }).strict(),
      answer: z.object({ promoted: z.array(z.object({ id: z.string(), version: z.string() })).describe('The versions copied; dependencies the target held already are left out') }),
      async handle({ caller, params, body }) {
        return { promoted: await promoteVersion(deps, caller, { id: params.id ?? '', version: params.version ?? '', from: body.from, to: body.to, withDependencies: body.withDependencies }) };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/feeds',
      summary: 'The feeds the caller may read, with the caller’s role in each',
      access: 'anyone',
      answer: z.object({ feeds: z.array(feedView.extend({ role: role.nullable() })) }),
      async handle({ caller }) {
        return { feeds: (await visibleFeeds(deps, caller)).map(({ feed, role: held }) => ({ ...viewOf(feed), role: held ?? null })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds',
      summary: 'Creates a feed (at /feeds/{name}/v3/index.json); the caller owns it, unless an administrator names another owner',
      access: 'signed-in',
      status: 201,
      body: z.object({ name: z.string().min(1).max(64), private: z.boolean().default(false), accepts: accepts.default('any'), owner: z.string().min(1).max(64).optional() }).strict(),
      answer: feedView,
      async handle({ caller, body }) {
        return viewOf(await createFeed(deps, caller, { name: body.name, isPrivate: body.private, accepts: body.accepts, ownerName: body.owner }));
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds/:name',
      summary: 'Changes a feed: public or private, and the versions it accepts (an owner of it)',
      access: 'signed-in',
      body: z
        .object({ private: z.boolean().optional(), accepts: accepts.optional(), keepNewest: retention.keepNewest.optional(), keepDays: retention.keepDays.optional(), retentionIncludesStable: z.boolean().optional(), hardDelete: z.boolean().optional(), upstreams: z
            .array(z.union([z.string().max(2048), z.object({ url: z.string().max(2048), username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }).strict()]))
            .max(10)
            .optional()
            .describe('Service index URLs in priority order; an object gives a private one with its credentials (kept sealed with secretsKey, never shown)'),
          upstreamBlocked: retention.upstreamBlocked.optional(),
        })
        .strict(),
      answer: feedView,
      async handle({ caller, params, body }) {
        return viewOf(
          await updateFeed(deps, caller, {
            name: params.name ?? '',
            isPrivate: body.private,
            accepts: body.accepts,
            keepNewest: body.keepNewest,
            keepDays: body.keepDays,
            retentionIncludesStable: body.retentionIncludesStable,
            hardDelete: body.hardDelete,
            upstreams: body.upstreams,
            upstreamBlocked: body.upstreamBlocked,
          }),
        );
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds/:name/retention',
      summary: "Runs the feed's retention rules now (its owners): the versions they let go are unlisted; with dryRun, only listed",
      access: 'signed-in',
      body: z.object({ dryRun: z.boolean().default(false) }).strict(),
      answer: z.object({ dryRun: z.boolean(), versions: z.array(z.object({ id: z.string(), version: z.string() })) }),
      async handle({ caller, params, body }) {
        return { dryRun: body.dryRun, versions: await runRetention(deps, caller, params.name ?? '', body.dryRun) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds/:name/pins',
      summary: 'Pins a version of the feed: retention never lets it go',
      access: 'signed-in',
      body: z.object({ id: z.string().min(1).max(128), version: z.string().min(1).max(64) }).strict(),
      answer: z.object({ pinned: z.string() }),
      async handle({ caller, params, body }) {
        await setPinned(deps, caller, { feed: params.name ?? '', id: body.id, version: body.version, pinned: true });
        return { pinned: `${body.id} ${body.version}` };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/feeds/:name/pins/:id/:version',
      summary: 'Unpins a version of the feed',
      access: 'signed-in',
      answer: z.object({ unpinned: z.string() }),
      async handle({ caller, params }) {
        await setPinned(deps, caller, { feed: params.name ?? '', id: params.id ?? '', version: params.version ?? '', pinned: false });
        return { unpinned: `${params.id ?? ''} ${params.version ?? ''}` };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/feeds/:name/members',
      summary: "A feed's members and their roles (for its owners)",
      access: 'signed-in',
      answer: z.object({ feed: z.string(), members: z.array(z.object({ name: z.string(), kind: z.enum(['user', 'organization']), role })) }),
      async handle({ caller, params }) {
        const { feed, members } = await feedMembers(deps, caller, params.name ?? '');
        return { feed: feed.name, members: members.map((member) => ({ name: member.account.name, kind: member.account.kind, role: member.role })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds/:name/members',
      summary: 'Makes a user or an organization a reader, contributor or owner of the feed',
      access: 'signed-in',
      body: z.object({ name: z.string().min(1).max(64), role }).strict(),
      answer: z.object({ member: z.string(), role }),
      async handle({ caller, params, body }) {
        await setFeedMember(deps, caller, { feed: params.name ?? '', accountName: body.name, role: body.role });
        return { member: body.name, role: body.role };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/feeds/:name/members/:member',
      summary: 'Removes a member of the feed (never the last owner)',
      access: 'signed-in',
      answer: z.object({ removed: z.string() }),
      async handle({ caller, params }) {
        await removeFeedMember(deps, caller, { feed: params.name ?? '', accountName: params.member ?? '' });
        return { removed: params.member ?? '' };
      },
    }),
  ];
}
