/** Invitations to co-own packages: those for the user and for the organizations they are an admin of, each accepted with a button. */
import type { FastifyInstance } from 'fastify';
import { acceptInvitation, pendingInvitations } from '../../app/ownership/manage-owners.ts';
import { allowAccountAction } from './account-pages.ts';
import { csrfField, html } from './html.ts';
import { seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

export function registerInvitationPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;

  web.get<{ Querystring: { accepted?: string } }>('/account/invitations', async (request, reply) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'view-account', undefined, reply, '/account/invitations');
    if ('answered' in allowed) return allowed.answered;
    const { caller } = allowed;
    const csrf = context.csrfToken(request, reply, caller.actor);
    const invitations = await pendingInvitations(deps.ownership, caller);
    const rows = invitations.map(
      (invitation) => html`<tr><td>${invitation.id}</td><td>${invitation.invitee}</td><td>${invitation.invitedBy ?? ''}</td><td>${invitation.createdAt.toISOString().slice(0, 10)}</td><td><form method="post" action="/account/invitations/accept">${csrfField(csrf)}<input type="hidden" name="invitation" value="${String(invitation.invitationId)}"><button type="submit">Accept</button></form></td></tr>`,
    );
    const message = request.query.accepted === undefined ? undefined : { kind: 'notice' as const, text: `You now co-own ${request.query.accepted.slice(0, 128)}.` };
    return sendPage(
      reply,
      { title: 'Invitations', userName: caller.actor.user.name, csrf, message },
      invitations.length === 0
        ? html`<p>No invitation to co-own a package is waiting for you.</p>`
        : html`<table><thead><tr><th scope="col">Package</th><th scope="col">For</th><th scope="col">Invited by</th><th scope="col">On</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  });

  web.post<{ Body: FormBody }>('/account/invitations/accept', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'accept-ownership', request.body, reply, '/account/invitations');
    if ('answered' in allowed) return allowed.answered;
    const invitationId = /^\d{1,15}$/.test(field(request.body, 'invitation')) ? Number(field(request.body, 'invitation')) : -1;
    const invitation = (await pendingInvitations(deps.ownership, allowed.caller)).find((each) => each.invitationId === invitationId);
    await acceptInvitation(deps.ownership, allowed.caller, invitationId);
    return seeOther(reply, `/account/invitations?accepted=${encodeURIComponent(invitation?.id ?? '')}`);
  });
}
