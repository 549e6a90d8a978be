import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deliveriesFor } from './deliveries-for.ts';
import type { StoredEvent } from '../events.ts';
import type { EventAudience } from './ports.ts';

const pushed: StoredEvent = {
  eventId: 9,
  at: new Date('2026-06-01T10:00:00.000Z'),
  kind: 'package.pushed',
  actorUserId: 1,
  actorKeyName: 'ci',
  actorLabel: "alice (API key 'ci')",
  clientAddress: '192.0.2.7',
  feedId: 1,
  idLower: 'contoso.lib',
  versionLower: '1.0.0',
  data: { id: 'Contoso.Lib', version: '1.0.0+build.5' },
};

const audience: EventAudience = {
  packageOwners: [
    { name: 'alice', email: 'alice@example.com', publishEmails: true },
    { name: 'quiet', email: 'quiet@example.com', publishEmails: false },
    { name: 'nomail', email: undefined, publishEmails: true },
  ],
  subject: { name: 'alice', email: 'alice@example.com' },
  webhooks: [{ webhookId: 4 }],
};

const verificationPath = (verificationId: number, email: string) => `/account/email/verify?id=${verificationId}&token=for-${email}`;
const MAIL = { mail: true, publicUrl: 'https://nuget.example.com', verificationPath };

describe('deliveriesFor', () => {
  it('emails each owner who wants publish emails, and calls each webhook, for a push', () => {
    const deliveries = deliveriesFor(pushed, audience, MAIL);
    assert.deepEqual(deliveries.map((delivery) => (delivery.channel === 'email' ? delivery.message.to : `webhook ${delivery.webhookId}`)), ['alice@example.com', 'webhook 4']);
    const email = deliveries[0];
    assert.ok(email?.channel === 'email');
    assert.equal(email.message.subject, '[Pallet] Contoso.Lib 1.0.0+build.5 was published');
    assert.match(email.message.text, /by alice \(API key 'ci'\) from 192\.0\.2\.7 at 2026-06-01T10:00:00\.000Z/);
    assert.match(email.message.text, /https:\/\/nuget\.example\.com\/packages\/Contoso\.Lib\/1\.0\.0%2Bbuild\.5/);
    assert.match(email.message.text, /revoke the API key 'ci'/);
    const call = deliveries[1];
    assert.ok(call?.channel === 'webhook');
    assert.deepEqual(call.body, {
      event: 'package.pushed',
      eventId: 9,
      occurredAt: '2026-06-01T10:00:00.000Z',
      package: { id: 'Contoso.Lib', version: '1.0.0+build.5', feedId: 1 },
      actor: "alice (API key 'ci')",
    });
  });

  it('makes no email delivery when mail is not configured', () => {
    assert.deepEqual(deliveriesFor(pushed, audience, { mail: false, publicUrl: undefined, verificationPath }).map((delivery) => delivery.channel), ['webhook']);
  });

  it('calls webhooks but sends no email for an unlist', () => {
    const unlisted = { ...pushed, kind: 'package.unlisted' as const };
    assert.deepEqual(deliveriesFor(unlisted, audience, MAIL).map((delivery) => delivery.channel), ['webhook']);
  });

  it("emails the key's holder when a key is created, revoked or about to expire, and no webhook", () => {
    const created = { ...pushed, kind: 'api-key.created' as const, idLower: undefined, data: { name: 'ci', scopes: ['push'], patterns: ['Contoso.*'], expiresAt: '2027-06-01T00:00:00.000Z' } };
    const [mail, ...rest] = deliveriesFor(created, audience, MAIL);
    assert.deepEqual(rest, []);
    assert.ok(mail?.channel === 'email');
    assert.deepEqual([mail.message.to, mail.message.subject], ['alice@example.com', "[Pallet] A new API key 'ci' was created"]);
    assert.match(mail.message.text, /It may push for Contoso\.\*, until 2027-06-01/);
    const expiring = { ...created, kind: 'api-key.expiring' as const };
    assert.equal((deliveriesFor(expiring, audience, MAIL)[0] as { message: { subject: string } }).message.subject, "[Pallet] The API key 'ci' expires on 2027-06-01");
    const noSubject = { ...audience, subject: undefined };
    assert.deepEqual(deliveriesFor(created, noSubject, MAIL), []);
  });

  it('sends nothing for events nobody is told of', () => {
    for (const kind of ['user.created', 'user.disabled', 'webhook.added'] as const) assert.deepEqual(deliveriesFor({ ...pushed, kind }, audience, MAIL), [], kind);
  });

  it('tells every owner, and the one removed, of a change of owners; and an invitee of the invitation', () => {
    const removed = { ...pushed, kind: 'ownership.removed' as const, data: { id: 'Contoso.Lib', owner: 'bob' } };
    const withBob = { ...audience, subject: { name: 'bob', email: 'bob@example.com' } };
    const mails = deliveriesFor(removed, withBob, MAIL).map((delivery) => (delivery.channel === 'email' ? [delivery.message.to, delivery.message.subject] : []));
    assert.deepEqual(mails, [
      ['alice@example.com', '[Pallet] bob is no longer an owner of Contoso.Lib'],
      ['quiet@example.com', '[Pallet] bob is no longer an owner of Contoso.Lib'],
      ['bob@example.com', '[Pallet] bob is no longer an owner of Contoso.Lib'],
    ]);
    const invited = { ...pushed, kind: 'ownership.invited' as const, data: { id: 'Contoso.Lib', invitee: 'bob' } };
    const [mail] = deliveriesFor(invited, withBob, MAIL);
    assert.deepEqual(mail?.channel === 'email' ? [mail.message.to, mail.message.subject] : [], ['bob@example.com', '[Pallet] You are invited to co-own Contoso.Lib']);
  });

  it('tells a user that two-factor authentication was turned on or off', () => {
    for (const [kind, state] of [['user.2fa-enabled', 'on'], ['user.2fa-disabled', 'off']] as const) {
      const [mail] = deliveriesFor({ ...pushed, kind, idLower: undefined, data: {} }, audience, MAIL);
      assert.deepEqual(mail?.channel === 'email' ? [mail.message.to, mail.message.subject] : [], ['alice@example.com', `[Pallet] Two-factor authentication was turned ${state}`]);
    }
  });

  it('tells a user when an identity is linked or unlinked, and at the first sign-in through a provider only', () => {
    const mail = (event: StoredEvent) => deliveriesFor(event, audience, MAIL).map((delivery) => (delivery.channel === 'email' ? [delivery.message.to, delivery.message.subject] : []));
    const base = { ...pushed, idLower: undefined, versionLower: undefined, feedId: undefined };
    assert.deepEqual(mail({ ...base, kind: 'user.identity-linked', data: { provider: 'entra', email: 'alice@contoso.com' } }), [
      ['alice@example.com', '[Pallet] An identity at entra was linked to your account'],
    ]);
    assert.deepEqual(mail({ ...base, kind: 'user.identity-unlinked', data: { provider: 'entra' } }), [['alice@example.com', '[Pallet] An identity at entra was unlinked from your account']]);
    assert.deepEqual(mail({ ...base, kind: 'user.signed-in', data: { with: 'entra', firstWithProvider: true } }), [['alice@example.com', '[Pallet] New sign-in to your account through entra']]);
    assert.deepEqual(mail({ ...base, kind: 'user.signed-in', data: { with: 'entra', firstWithProvider: false } }), []);
    assert.deepEqual(mail({ ...base, kind: 'user.signed-in', data: { with: 'password' } }), []);
  });

  it('mails the link for a new address to that address, and the change to both the new and the old one', () => {
    const base = { ...pushed, idLower: undefined, versionLower: undefined, feedId: undefined };
    const requested = deliveriesFor({ ...base, kind: 'user.email-change-requested', data: { email: 'new@example.com', verificationId: 5 } }, audience, MAIL);
    assert.equal(requested.length, 1);
    const [link] = requested;
    assert.equal(link?.channel === 'email' ? link.message.to : undefined, 'new@example.com');
    assert.match(link?.channel === 'email' ? link.message.text : '', /https:\/\/nuget\.example\.com\/account\/email\/verify\?id=5&token=for-new@example\.com/);
    const changed = deliveriesFor({ ...base, kind: 'user.email-changed', data: { email: 'new@example.com', previous: 'alice@example.com' } }, audience, MAIL);
    assert.deepEqual(changed.map((each) => (each.channel === 'email' ? each.message.to : '')), ['new@example.com', 'alice@example.com']);
  });
});

