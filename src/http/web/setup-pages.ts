/** The one-time page that creates the first administrator (app/accounts/first-administrator.ts), then signs them in. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { createFirstAdministrator, isSetupTokenValid } from '../../app/accounts/first-administrator.ts';
import { signInWithPassword } from '../../app/accounts/sign-in.ts';
import { clientAddressOf } from '../client-address.ts';
import { statusOf } from '../error-mapper.ts';
import { csrfField, html } from './html.ts';
import { seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

const NOT_VALID = 'This setup link was used or replaced (each start prints a new one while there is no administrator).';

export function registerSetupPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;

  const form = (csrf: string, token: string, values: { name?: string; email?: string } = {}) => html`<p>Create the first administrator of this server.</p>
<form method="post" action="/account/setup">
  ${csrfField(csrf)}
  <input type="hidden" name="token" value="${token}">
  <label for="name">User name</label>
  <input id="name" name="name" type="text" autocomplete="username" required value="${values.name ?? ''}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${values.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10">
  <button type="submit">Create the administrator</button>
</form>`;

  web.get<{ Querystring: { token?: string } }>('/account/setup', async (request, reply) => {
    const token = request.query.token ?? '';
    if (!(await isSetupTokenValid(deps.signIns, token))) throw new AppError('NOT_FOUND', NOT_VALID);
    return sendPage(reply, { title: 'Set up Pallet' }, form(context.csrfToken(request, reply, await context.actor(request)), token));
  });

  web.post<{ Body: FormBody }>('/account/setup', async (request, reply) => {
    const actor = await context.actor(request);
    context.checkCsrf(request, actor, request.body);
    const values = { token: field(request.body, 'token'), name: field(request.body, 'name'), email: field(request.body, 'email'), password: field(request.body, 'password') };
    const clientAddress = clientAddressOf(request);
    try {
      await createFirstAdministrator({ accounts: deps.accounts, signIns: deps.signIns, now: deps.now }, { userId: undefined, key: undefined, label: 'setup link', clientAddress }, values);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'NOT_FOUND') throw error;
      const again = form(context.csrfToken(request, reply, actor), values.token, values);
      return sendPage(reply, { title: 'Set up Pallet', message: { kind: 'error', text: error.message } }, again, statusOf(error.code));
    }
    const signedIn = await signInWithPassword(
      { signIns: deps.signIns, now: deps.now, settings: { passwords: true, sessionLifetimeMs: deps.settings.sessionLifetimeMs } },
      { name: values.name, password: values.password, clientAddress, userAgent: request.headers['user-agent'] },
    );
    context.setSession(request, reply, signedIn.token, deps.settings.sessionLifetimeMs);
    return seeOther(reply, '/account');
  });
}
