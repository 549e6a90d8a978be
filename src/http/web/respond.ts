/** How the page handlers answer: a rendered page, or a 303 after a form (so a reload never resubmits it). */
import type { FastifyReply } from 'fastify';
import type { Html, Layout } from './html.ts';
import { page } from './html.ts';
import type { authorizeAccount } from '../../app/policy.ts';

export function sendPage(reply: FastifyReply, layout: Layout, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page(layout, body));
}

export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

/** Where a refused account action sends the user next. */
export function nextStep(reply: FastifyReply, refusal: Extract<ReturnType<typeof authorizeAccount>, { allowed: false }>, returnTo: string): FastifyReply {
  const target = encodeURIComponent(returnTo);
  switch (refusal.next) {
    case 'sign-in':
      return seeOther(reply, `/account/sign-in?next=${target}`);
    case 'second-factor':
    case 'fresh-second-factor':
      return seeOther(reply, `/account/two-factor?next=${target}`);
    case 'enrol':
      return seeOther(reply, '/account/two-factor/setup');
  }
}

/** A `next` taken from a query or form only when it is a path of the account pages: never a redirect elsewhere. */
export function safeNext(value: string | undefined, fallback = '/account'): string {
  return value !== undefined && /^\/account(?:[/?][\x21-\x7e]*)?$/.test(value) && !value.startsWith('//') ? value : fallback;
}
