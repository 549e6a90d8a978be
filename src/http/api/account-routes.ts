/**
 * The management API's own-account actions, as the account page offers them: the password, the email (a
 * verification link to the new address), the publish email choice, two-factor authentication (enrol,
 * confirm, turn off) and signing out everywhere. A signed-in user's only, with a fresh second factor for
 * the sensitive ones.
 */
import { z } from 'zod';
import { confirmTotpEnrolment, beginTotpEnrolment, disableTwoFactor } from '../../app/accounts/two-factor.ts';
import { changeOwnPassword, setOwnDisplayName } from '../../app/accounts/manage-user.ts';
import { requestEmailChange } from '../../app/accounts/change-email.ts';
import { signOut } from '../../app/accounts/sign-in.ts';
import type { AccountStore, EmailChangeStore } from '../../app/accounts/ports.ts';
import { apiRoute, type ApiRoute } from './api-route.ts';
import { allowSessionAction, freshCode, type SessionActionDependencies } from './session-action.ts';

export interface AccountRouteDependencies extends SessionActionDependencies {
  readonly accounts: AccountStore;
  readonly emails: EmailChangeStore;
  readonly emailKey: Uint8Array;
  /** Shown by authenticator apps next to the account name. */
  readonly issuer: string;
}

export function accountRoutes(deps: AccountRouteDependencies): ApiRoute[] {
  const signIns = { signIns: deps.signIns, now: deps.now };
  return [
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/password',
      summary: 'Changes the password (the current one asked); every other session ends',
      access: 'signed-in',
      body: z.object({ current: z.string().max(1024), next: z.string().min(1).max(1024), code: freshCode }).strict(),
      answer: z.object({ changed: z.boolean() }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'change-password', body.code);
        await changeOwnPassword({ accounts: deps.accounts, ...signIns }, allowed, { current: body.current, next: body.next });
        return { changed: true };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/email',
      summary: 'Asks to change the email: a link goes to the new address, which takes effect once it is opened (within a day)',
      access: 'signed-in',
      status: 202,
      body: z.object({ email: z.string().min(3).max(254), code: freshCode }).strict(),
      answer: z.object({ pending: z.string() }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'change-email', body.code);
        await requestEmailChange({ emails: deps.emails, now: deps.now, key: deps.emailKey }, allowed, body.email);
        return { pending: body.email.trim() };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/profile',
      summary: 'Sets the display name',
      access: 'signed-in',
      body: z.object({ displayName: z.string().min(1).max(100) }).strict(),
      answer: z.object({ displayName: z.string() }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'edit-profile', undefined);
        return { displayName: await setOwnDisplayName({ accounts: deps.accounts, now: deps.now }, allowed, body.displayName) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/notifications',
      summary: 'Turns the email sent when a version of one of your packages is published on or off',
      access: 'signed-in',
      body: z.object({ publishEmails: z.boolean() }).strict(),
      answer: z.object({ publishEmails: z.boolean() }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'set-notifications', undefined);
        await deps.accounts.setPublishEmails(allowed.actor.user.accountId, body.publishEmails);
        return { publishEmails: body.publishEmails };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/two-factor',
      summary: 'Starts setting up two-factor authentication: the TOTP secret and its otpauth URI, to confirm with a code',
      access: 'signed-in',
      answer: z.object({ secret: z.string(), uri: z.string() }),
      async handle({ caller }) {
        const allowed = await allowSessionAction(deps, caller, 'enrol-two-factor', undefined);
        return beginTotpEnrolment(signIns, allowed, deps.issuer);
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/two-factor/confirm',
      summary: 'Turns two-factor authentication on with a code from the app; the answer holds the ten recovery codes, shown this once',
      access: 'signed-in',
      body: z.object({ code: z.string().min(1).max(64) }).strict(),
      answer: z.object({ recoveryCodes: z.array(z.string()) }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'enrol-two-factor', undefined);
        return { recoveryCodes: [...(await confirmTotpEnrolment(signIns, allowed, body.code))] };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/two-factor/disable',
      summary: 'Turns two-factor authentication off (with a fresh code)',
      access: 'signed-in',
      body: z.object({ code: freshCode }).strict(),
      answer: z.object({ twoFactor: z.boolean() }),
      async handle({ caller, body }) {
        const allowed = await allowSessionAction(deps, caller, 'disable-two-factor', body.code);
        await disableTwoFactor(signIns, allowed);
        return { twoFactor: false };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/sign-out-everywhere',
      summary: 'Ends every session of the user, this one included',
      access: 'signed-in',
      answer: z.object({ signedOut: z.boolean() }),
      async handle({ caller }) {
        const allowed = await allowSessionAction(deps, caller, 'sign-out-everywhere', undefined);
        await signOut(signIns, allowed, true);
        return { signedOut: true };
      },
    }),
  ];
}
