/**
 * The management API's push upstream: a feed's targets (another server's service index and API key, kept
 * sealed) with their latest results, and pushing one of the feed's versions to a target.
 */
import { z } from 'zod';
import { addPushTarget, pushTargetsOf, pushUpstream, removePushTarget, type PushUpstreamDependencies } from '../../app/feeds/push-upstream.ts';
import type { PushResult } from '../../app/feeds/push-target-ports.ts';
import { apiRoute, type ApiRoute } from './api-route.ts';

const result = z.object({
  package: z.string(),
  version: z.string(),
  status: z.number().nullable().describe('The upstream server’s HTTP status (201 pushed, 409 it has that version); null: not reached'),
  message: z.string(),
  pushedAt: z.string(),
});

function resultView(each: PushResult): z.infer<typeof result> {
  return { package: each.idLower, version: each.versionLower, status: each.status ?? null, message: each.message, pushedAt: each.pushedAt.toISOString() };
}

export function pushTargetRoutes(deps: PushUpstreamDependencies): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      path: '/api/v1/feeds/:name/push-targets',
      summary: "The feed's push targets (never their keys) with their latest results",
      access: 'signed-in',
      answer: z.object({ targets: z.array(z.object({ name: z.string(), pushUrl: z.string(), createdAt: z.string(), results: z.array(result) })) }),
      async handle({ caller, params }) {
        const targets = await pushTargetsOf(deps, caller, params.name ?? '');
        return { targets: targets.map(({ target, results }) => ({ name: target.name, pushUrl: target.pushUrl, createdAt: target.createdAt.toISOString(), results: results.map(resultView) })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/feeds/:name/push-targets',
      summary: 'Adds a push target: another NuGet server (its service index) and the API key to push with, kept encrypted',
      access: 'signed-in',
      status: 201,
      body: z.object({ name: z.string().min(1).max(64), serviceIndex: z.string().min(1).max(2048), apiKey: z.string().min(1).max(1024) }).strict(),
      answer: z.object({ name: z.string(), pushUrl: z.string() }),
      async handle({ caller, params, body }) {
        const added = await addPushTarget(deps, caller, { feed: params.name ?? '', name: body.name, serviceIndex: body.serviceIndex, apiKey: body.apiKey });
        return { name: added.name, pushUrl: added.pushUrl };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/feeds/:name/push-targets/:target',
      summary: 'Removes a push target and its results',
      access: 'signed-in',
      answer: z.object({ removed: z.string() }),
      async handle({ caller, params }) {
        await removePushTarget(deps, caller, { feed: params.name ?? '', name: params.target ?? '' });
        return { removed: params.target ?? '' };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/packages/:id/:version/push-upstream',
      summary: "Pushes a version of a feed to one of the feed's targets; the answer is recorded",
      access: 'signed-in',
      body: z.object({ feed: z.string().min(1).max(64), target: z.string().min(1).max(64) }).strict(),
      answer: result,
      async handle({ caller, params, body }) {
        return resultView(await pushUpstream(deps, caller, { feed: body.feed, target: body.target, id: params.id ?? '', version: params.version ?? '' }));
      },
    }),
  ];
}
