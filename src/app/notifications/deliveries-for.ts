/**
 * What each event sends, as nuget.org does and past it where its users asked: an email to every owner when a
 * version is published (each user can turn it off), to a key's holder when the key is created, revoked or
 * about to expire, to a user when their password is set, an identity at a provider is linked or unlinked,
 * they first sign in through a provider, or a prefix is reserved for or released from them;
 * and a signed webhook call for pushes, unlists and relists. Pure: the outbox store supplies the audience.
 */
import type { StoredEvent } from '../events.ts';
import type { EventAudience, MailMessage, NewDelivery } from './ports.ts';

export interface NotificationSettings {
  /** Whether mail is configured (`smtpUrl`): without it no email delivery is made. */
  readonly mail: boolean;
  /** For links in messages; undefined when the server learns its address from each request. */
  readonly publicUrl: string | undefined;
  /** The path of an email verification link (its token is computed, never stored: app/accounts/change-email.ts). */
  readonly verificationPath: (verificationId: number, email: string) => string;
}

function emailChangeMessages(event: StoredEvent, settings: NotificationSettings): MailMessage[] {
  const email = text(event.data.email);
  if (event.kind === 'user.email-change-requested') {
    const path = settings.verificationPath(Number(event.data.verificationId), email);
    const link = settings.publicUrl === undefined ? `the path ${path} on your Pallet server` : `${settings.publicUrl}${path}`;
    return [
      {
        to: email,
        subject: '[Pallet] Confirm your new email address',
        text: `Someone (${whoAndWhere(event)}) asked to make this the email of a Pallet account.\nTo confirm, open ${link} within a day.\nIf it was not you, ignore this email: nothing changes.\n`,
      },
    ];
  }
  const previous = text(event.data.previous);
  const notice = { subject: '[Pallet] Your email address was changed', text: `The email of your Pallet account is now ${email} (${whoAndWhere(event)}).\n` };
  return [{ to: email, ...notice }, ...(previous === '' || previous.toLowerCase() === email.toLowerCase() ? [] : [{ to: previous, ...notice, text: `${notice.text}If this was not you, sign in and check your account at once.\n` }])];
}

/** Event kinds a webhook may subscribe to. */
export const WEBHOOK_EVENTS = ['package.pushed', 'package.unlisted', 'package.relisted'] as const;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function day(iso: unknown): string {
  return text(iso).slice(0, 10);
}

function whoAndWhere(event: StoredEvent): string {
  const from = event.clientAddress === undefined ? '' : ` from ${event.clientAddress}`;
  return `by ${event.actorLabel}${from} at ${event.at.toISOString()}`;
}

function publishedMessage(event: StoredEvent, to: string, settings: NotificationSettings): MailMessage {
  const id = text(event.data.id);
  const version = text(event.data.version);
  const link = settings.publicUrl === undefined ? '' : `\n${settings.publicUrl}/packages/${encodeURIComponent(id)}/${encodeURIComponent(version)}\n`;
  const key = event.actorKeyName === undefined ? '' : ` and revoke the API key '${event.actorKeyName}' (pallet key revoke)`;
  return {
    to,
    subject: `[Pallet] ${id} ${version} was published`,
    text:
      `The package ${id} version ${version} was published ${whoAndWhere(event)}.\n${link}\n` +
      `If you did not expect this version, unlist it (dotnet nuget delete ${id} ${version})${key}.\n\n` +
      'You get this email because you own the package; you can turn these emails off for your account.\n',
  };
}

function accountMessage(event: StoredEvent, to: string): MailMessage | undefined {
  const name = text(event.data.name);
  switch (event.kind) {
    // A trusted-publishing key is minted for every CI run: the exchange is in the audit log, not in the mailbox.
    case 'api-key.created': {
      if (event.data.trustedPublisher !== undefined) return undefined;
      const scopes = Array.isArray(event.data.scopes) ? event.data.scopes.join(', ') : '';
      const patterns = Array.isArray(event.data.patterns) && event.data.patterns.length > 0 ? event.data.patterns.join(', ') : 'every package you own';
      return {
        to,
        subject: `[Pallet] A new API key '${name}' was created`,
        text:
          `The API key '${name}' was created for your account ${whoAndWhere(event)}.\n` +
          `It may ${scopes} for ${patterns}, until ${day(event.data.expiresAt)}.\n\n` +
          `If you did not create it, revoke it (pallet key revoke --name ${name}) and check your account.\n`,
      };
    }
    case 'api-key.regenerated':
      return { to, subject: `[Pallet] The API key '${name}' was regenerated`, text: `The API key '${name}' got a new secret ${whoAndWhere(event)}; the old one no longer works.\n` };
    case 'api-key.revoked':
      return { to, subject: `[Pallet] The API key '${name}' was revoked`, text: `The API key '${name}' was revoked ${whoAndWhere(event)}.\n` };
    case 'api-key.expiring':
      return {
        to,
        subject: `[Pallet] The API key '${name}' expires on ${day(event.data.expiresAt)}`,
        text: `The API key '${name}' expires on ${day(event.data.expiresAt)}. Create a new key before then, or regenerate this one.\n`,
      };
    case 'ownership.invited': {
      const id = text(event.data.id);
      return {
        to,
        subject: `[Pallet] You are invited to co-own ${id}`,
        text: `${event.actorLabel} invited you to become an owner of ${id}. Accept it on your account (the management API's /api/v1/me/invitations) or ignore it.\n`,
      };
    }
    case 'user.2fa-enabled':
    case 'user.2fa-disabled': {
      const state = event.kind === 'user.2fa-enabled' ? 'on' : 'off';
      return {
        to,
        subject: `[Pallet] Two-factor authentication was turned ${state}`,
        text: `Two-factor authentication was turned ${state} for your account ${whoAndWhere(event)}.\nIf this was not you, sign in, change your password and check your sessions and API keys.\n`,
      };
    }
    case 'user.identity-linked':
    case 'user.identity-unlinked': {
      const provider = text(event.data.provider);
      const done = event.kind === 'user.identity-linked' ? 'linked to' : 'unlinked from';
      const email = text(event.data.email);
      return {
        to,
        subject: `[Pallet] An identity at ${provider} was ${done} your account`,
        text:
          `The ${provider} identity${email === '' ? '' : ` ${email}`} was ${done} your account ${whoAndWhere(event)}.\n` +
          (event.kind === 'user.identity-linked' ? 'It signs you in from now on. If this was not you, unlink it on your account page and check your sessions and API keys.\n' : ''),
      };
    }
    case 'user.signed-in': {
      // Only the first sign-in through a provider the account had not used: every sign-in would be noise.
      if (event.data.firstWithProvider !== true) return undefined;
      const provider = text(event.data.with);
      return {
        to,
        subject: `[Pallet] New sign-in to your account through ${provider}`,
        text: `Your account was signed in to through ${provider} for the first time ${whoAndWhere(event)}.\nIf this was not you, unlink that identity on your account page, and sign out everywhere.\n`,
      };
    }
    case 'organization.member-added':
    case 'organization.member-changed':
    case 'organization.member-removed': {
      const organization = text(event.data.organization);
      const change =
        event.kind === 'organization.member-removed'
          ? `You are no longer a member of ${organization}`
          : `You are now ${text(event.data.role) === 'admin' ? 'an admin' : 'a collaborator'} of ${organization}`;
      const keys = event.kind === 'organization.member-removed' ? ' Your API keys that acted for it no longer work.' : '';
      return { to, subject: `[Pallet] ${change}`, text: `${change} (${whoAndWhere(event)}).${keys}\n` };
    }
    case 'user.password-set':
      return { to, subject: '[Pallet] Your password was changed', text: `The password of your account was set ${whoAndWhere(event)}.\n` };
    case 'prefix.reserved':
    case 'prefix.released': {
      const prefix = text(event.data.prefix);
      const done = event.kind === 'prefix.reserved' ? 'reserved for' : 'released from';
      return { to, subject: `[Pallet] The ID prefix '${prefix}' was ${done} your account`, text: `The ID prefix '${prefix}' was ${done} your account ${whoAndWhere(event)}.\n` };
    }
    default:
      return undefined;
  }
}

function ownershipMessage(event: StoredEvent, to: string): MailMessage {
  const id = text(event.data.id);
  const owner = text(event.data.owner);
  const change = event.kind === 'ownership.added' ? `${owner} is now an owner of ${id}` : `${owner} is no longer an owner of ${id}`;
  return { to, subject: `[Pallet] ${change}`, text: `${change} (${whoAndWhere(event)}).\n` };
}

export function deliveriesFor(event: StoredEvent, audience: EventAudience, settings: NotificationSettings): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  if (settings.mail) {
    if (event.kind === 'package.pushed') {
      for (const owner of audience.packageOwners) {
        if (owner.email !== undefined && owner.publishEmails) deliveries.push({ channel: 'email', message: publishedMessage(event, owner.email, settings) });
      }
    } else if (event.kind === 'user.email-change-requested' || event.kind === 'user.email-changed') {
      // To the addresses the change names, not the account's current one alone.
      for (const message of emailChangeMessages(event, settings)) deliveries.push({ channel: 'email', message });
    } else if (event.kind === 'ownership.added' || event.kind === 'ownership.removed') {
      // Every owner hears of a change of owners, as does the account removed (no longer among them).
      const recipients = new Set(audience.packageOwners.flatMap((owner) => (owner.email === undefined ? [] : [owner.email])));
      if (audience.subject?.email !== undefined) recipients.add(audience.subject.email);
      for (const to of recipients) deliveries.push({ channel: 'email', message: ownershipMessage(event, to) });
    } else if (audience.subject?.email !== undefined) {
      const message = accountMessage(event, audience.subject.email);
      if (message) deliveries.push({ channel: 'email', message });
    }
  }
  if ((WEBHOOK_EVENTS as readonly string[]).includes(event.kind)) {
    for (const { webhookId } of audience.webhooks) {
      deliveries.push({
        channel: 'webhook',
        webhookId,
        body: {
          event: event.kind,
          eventId: event.eventId,
          occurredAt: event.at.toISOString(),
          package: { id: text(event.data.id), version: typeof event.data.version === 'string' ? event.data.version : undefined, feedId: event.feedId },
          actor: event.actorLabel,
        },
      });
    }
  }
  return deliveries;
}
