/**
 * The management API's administration: users (list, create, set a password, disable), webhooks (list,
 * add with the secret answered once, remove) and releasing an ID prefix reservation. The same use cases as
 * `pallet user`, `pallet webhook` and `pallet prefix`, and the administration pages.
 */
import { z } from 'zod';
import { createUser } from '../../app/accounts/create-user.ts';
import { disableUser, resetPassword } from '../../app/accounts/manage-user.ts';
import { releasePrefix } from '../../app/accounts/reserve-prefix.ts';
import type { AccountStore, ReservationStore } from '../../app/accounts/ports.ts';
import { changeActorOf } from '../../app/events.ts';
import { addWebhook, removeWebhook, type WebhookStore } from '../../app/notifications/webhooks.ts';
import { apiRoute, idParam, type ApiRoute } from './api-route.ts';

export interface AdminRouteDependencies {
  readonly accounts: AccountStore;
  readonly reservations: ReservationStore;
  readonly webhooks: WebhookStore;
  readonly now: () => Date;
}

const user = z.object({
  name: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  isAdministrator: z.boolean(),
  twoFactor: z.boolean(),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
});

const webhook = z.object({ webhookId: z.number(), owner: z.string().nullable(), url: z.string(), events: z.array(z.string()), createdAt: z.string() });

export function adminRoutes(deps: AdminRouteDependencies): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      path: '/api/v1/admin/users',
      summary: 'Every user, by name, with whether two-factor authentication is on',
      access: 'administrator',
      answer: z.object({ users: z.array(user) }),
      async handle() {
        const users = await deps.accounts.listUsers();
        return {
          users: users.map((each) => ({
            name: each.name,
            displayName: each.displayName,
            email: each.email ?? null,
            isAdministrator: each.isAdministrator,
            twoFactor: each.totpEnabled,
            disabledAt: each.disabledAt?.toISOString() ?? null,
            createdAt: each.createdAt.toISOString(),
          })),
        };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/users',
      summary: 'Creates a user (with a password, or for sign-in through an identity provider only)',
      access: 'administrator',
      status: 201,
      body: z.object({ name: z.string().min(1).max(64), email: z.string().max(254).optional(), administrator: z.boolean().default(false), password: z.string().max(1024).optional() }).strict(),
      answer: z.object({ name: z.string() }),
      async handle({ caller, body }) {
        const created = await createUser(deps, changeActorOf(caller.actor, caller.clientAddress), {
          name: body.name,
          email: body.email,
          isAdministrator: body.administrator,
          password: body.password,
        });
        return { name: created.name };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/users/:name/password',
      summary: "Sets a user's password",
      access: 'administrator',
      body: z.object({ password: z.string().min(1).max(1024) }).strict(),
      answer: z.object({ name: z.string() }),
      async handle({ caller, params, body }) {
        await resetPassword(deps, changeActorOf(caller.actor, caller.clientAddress), params.name ?? '', body.password);
        return { name: params.name ?? '' };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/users/:name/disable',
      summary: 'Disables a user: no sign-in, and every key of theirs is refused at once',
      access: 'administrator',
      answer: z.object({ disabled: z.string() }),
      async handle({ caller, params }) {
        await disableUser(deps, changeActorOf(caller.actor, caller.clientAddress), params.name ?? '');
        return { disabled: params.name ?? '' };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/admin/prefixes/:owner/:prefix',
      summary: 'Releases an ID prefix reservation from its owner',
      access: 'administrator',
      answer: z.object({ released: z.string(), owner: z.string() }),
      async handle({ caller, params }) {
        await releasePrefix(deps, changeActorOf(caller.actor, caller.clientAddress), params.prefix ?? '', params.owner ?? '');
        return { released: params.prefix ?? '', owner: params.owner ?? '' };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/admin/webhooks',
      summary: 'The webhooks, never their secrets',
      access: 'administrator',
      answer: z.object({ webhooks: z.array(webhook) }),
      async handle() {
        const webhooks = await deps.webhooks.listWebhooks();
        return { webhooks: webhooks.map((each) => ({ webhookId: each.webhookId, owner: each.owner ?? null, url: each.url, events: [...each.events], createdAt: each.createdAt.toISOString() })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/webhooks',
      summary: "Adds a signed webhook for one owner's packages or every package; the answer holds its secret, shown this once",
      access: 'administrator',
      status: 201,
      body: z.object({ url: z.string().min(1).max(2048), owner: z.string().min(1).max(64).optional(), events: z.array(z.string()).max(10).default([]) }).strict(),
      answer: z.object({ webhookId: z.number(), secret: z.string() }),
      async handle({ caller, body }) {
        return addWebhook(deps, changeActorOf(caller.actor, caller.clientAddress), { url: body.url, ownerName: body.owner, events: body.events });
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/admin/webhooks/:webhookId',
      summary: 'Removes a webhook (pending calls are dropped)',
      access: 'administrator',
      answer: z.object({ removed: z.number() }),
      async handle({ caller, params }) {
        const webhookId = idParam(params.webhookId, 'webhook');
        await removeWebhook(deps, changeActorOf(caller.actor, caller.clientAddress), webhookId);
        return { removed: webhookId };
      },
    }),
  ];
}
