import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, authorizeAccount, enforce, type PackageResource } from './policy.ts';
import { ANONYMOUS, type Actor } from './actor.ts';
import { parsePackageIdPattern } from '../domain/package-id-pattern.ts';
import type { ApiKeyScope } from '../domain/api-key-scope.ts';
import { AppError } from '../errors.ts';

const ALICE = 1;
const BOB = 2;

function keyActor(options: { scopes?: ApiKeyScope[]; patterns?: string[]; owner?: number; administrator?: boolean } = {}): Actor {
  const owner = options.owner ?? ALICE;
  return {
    kind: 'api-key',
    key: { keyId: 7, name: 'ci', scopes: options.scopes ?? ['push'], patterns: (options.patterns ?? []).map(parsePackageIdPattern), feedIds: [], expiresAt: new Date('2030-01-01') },
    user: { accountId: ALICE, name: 'alice', isAdministrator: options.administrator ?? false },
    owner: { accountId: owner, name: owner === ALICE ? 'alice' : 'contoso' },
  };
}

function resource(id: string, ownership: PackageResource['ownership']): PackageResource {
  return { id, idLower: id.toLowerCase(), ownership };
}

const NEW = { exists: false, ownerIds: [], reservations: [] };
const ALICES = { exists: true, ownerIds: [ALICE], reservations: [] };
const BOBS = { exists: true, ownerIds: [BOB], reservations: [] };
const UNOWNED = { exists: true, ownerIds: [], reservations: [] };

function reason(actor: Actor, action: 'push' | 'unlist', target?: PackageResource): string | undefined {
  const decision = authorize(actor, action, target);
  return decision.allowed ? undefined : decision.reason;
}

describe('authorize', () => {
  it('asks anonymous callers for an API key, with the ApiKey challenge', () => {
    const decision = authorize(ANONYMOUS, 'push');
    assert.deepEqual(decision.allowed ? undefined : [decision.code, decision.challenge], ['UNAUTHENTICATED', 'ApiKey']);
    assert.match(reason(ANONYMOUS, 'unlist') ?? '', /dotnet nuget delete --api-key KEY/);
  });

  it('lets the configured key do anything, claiming no owner', () => {
    assert.deepEqual(authorize({ kind: 'configured-key' }, 'push', resource('Any', BOBS)), { allowed: true, ownerAccountId: undefined });
    assert.deepEqual(authorize({ kind: 'configured-key' }, 'unlist', resource('Any', UNOWNED)), { allowed: true, ownerAccountId: undefined });
  });

  it('checks the scope before the body is read, and again with the package', () => {
    assert.equal(reason(keyActor({ scopes: ['unlist'] }), 'push'), "The API key 'ci' does not allow pushing packages.");
    assert.equal(reason(keyActor({ scopes: ['push-version'] }), 'push'), undefined, 'a version-only key may start a push');
    assert.equal(
      reason(keyActor({ scopes: ['push-version'] }), 'push', resource('Contoso.New', NEW)),
      "The API key 'ci' may only push new versions of existing packages, and 'Contoso.New' is a new package.",
    );
    assert.equal(reason(keyActor({ scopes: ['push-version'] }), 'push', resource('Contoso.Old', ALICES)), undefined);
    assert.equal(reason(keyActor({ scopes: ['push'] }), 'unlist', resource('Contoso.Old', ALICES)), "The API key 'ci' does not allow unlisting or relisting packages.");
    assert.equal(reason(keyActor({ scopes: ['unlist'] }), 'unlist', resource('Contoso.Old', ALICES)), undefined);
  });

  it('limits a key to its patterns, case-insensitively, naming them', () => {
    const limited = keyActor({ patterns: ['Contoso.*', 'Fabrikam.Core'] });
    assert.equal(reason(limited, 'push', resource('CONTOSO.Widgets', NEW)), undefined);
    assert.equal(reason(limited, 'push', resource('fabrikam.core', NEW)), undefined);
    assert.equal(
      reason(limited, 'push', resource('Fabrikam.Tools', NEW)),
      "The API key 'ci' does not allow pushing 'Fabrikam.Tools': it is limited to Contoso.*, Fabrikam.Core.",
    );
  });

  it('gives a new id to the account the key acts for', () => {
    assert.deepEqual(authorize(keyActor(), 'push', resource('Fresh', NEW)), { allowed: true, ownerAccountId: ALICE });
    assert.deepEqual(authorize(keyActor({ owner: 3 }), 'push', resource('Fresh', NEW)), { allowed: true, ownerAccountId: 3 });
  });

  it("refuses another owner's package, and an unowned one to all but administrators", () => {
    assert.equal(reason(keyActor(), 'push', resource('Theirs', BOBS)), "'Theirs' belongs to other owners; ask one of them to add 'alice' as an owner.");
    assert.equal(reason(keyActor({ scopes: ['unlist'] }), 'unlist', resource('Theirs', BOBS)), "'Theirs' belongs to other owners; ask one of them to add 'alice' as an owner.");
    assert.equal(reason(keyActor(), 'push', resource('Legacy', UNOWNED)), "'Legacy' is managed by the administrators; ask one to add 'alice' as an owner.");
    assert.deepEqual(authorize(keyActor({ administrator: true }), 'push', resource('Legacy', UNOWNED)), { allowed: true, ownerAccountId: undefined });
    assert.ok(reason(keyActor({ administrator: true }), 'push', resource('Theirs', BOBS)), "an administrator's key still respects owners");
  });

  it('keeps a new id under a reserved prefix for the owners of a reservation that covers it', () => {
    const reserved = { exists: false, ownerIds: [], reservations: [{ text: 'Contoso.AspNet.*', ownerId: BOB }, { text: 'Contoso.*', ownerId: 3 }] };
    assert.equal(
      reason(keyActor(), 'push', resource('Contoso.AspNet.Mvc', reserved)),
      "The ID prefix 'Contoso.AspNet.*' is reserved: only its owners may push new packages such as 'Contoso.AspNet.Mvc'.",
    );
    assert.deepEqual(authorize(keyActor({ owner: BOB }), 'push', resource('Contoso.AspNet.Mvc', reserved)), { allowed: true, ownerAccountId: BOB });
    assert.deepEqual(authorize(keyActor({ owner: 3 }), 'push', resource('Contoso.AspNet.Mvc', reserved)), { allowed: true, ownerAccountId: 3 }, 'as on nuget.org, any covering reservation');
    const existing = { ...reserved, exists: true, ownerIds: [ALICE] };
    assert.equal(reason(keyActor(), 'push', resource('Contoso.AspNet.Mvc', existing)), undefined, 'an id pushed before the reservation keeps its owners');
    assert.deepEqual(authorize({ kind: 'configured-key' }, 'push', resource('Contoso.AspNet.Mvc', reserved)), { allowed: true, ownerAccountId: undefined });
  });

  it('enforce throws the refusal as an AppError with its code, reason and challenge', () => {
    assert.throws(
      () => enforce(authorize(ANONYMOUS, 'push'), { id: 'X' }),
      (error: unknown) => error instanceof AppError && error.code === 'UNAUTHENTICATED' && error.challenge === 'ApiKey' && error.subject?.id === 'X',
    );
    assert.doesNotThrow(() => enforce(authorize({ kind: 'configured-key' }, 'push')));
  });
});

describe('authorizeAccount', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  function session(options: { totpEnabled?: boolean; providerMfa?: boolean; secondFactorAt?: Date; awaitingSecondFactor?: boolean; organizationNeedsTwoFactor?: boolean } = {}): Actor {
    return {
      kind: 'session',
      sessionId: 1,
      user: { accountId: ALICE, name: 'alice', isAdministrator: false },
      awaitingSecondFactor: options.awaitingSecondFactor ?? false,
      totpEnabled: options.totpEnabled ?? false,
      secondFactorAt: options.secondFactorAt,
      providerMfa: options.providerMfa ?? false,
      organizationNeedsTwoFactor: options.organizationNeedsTwoFactor ?? false,
    };
  }
  const required = { requireTwoFactor: true };

  it('walks a user without a second factor to enrolment where the server requires one, unless the provider checked MFA', () => {
    const decision = authorizeAccount(session(), 'create-api-key', required, now);
    assert.equal(decision.allowed ? undefined : decision.next, 'enrol');
    assert.equal(authorizeAccount(session(), 'enrol-two-factor', required, now).allowed, true);
    assert.equal(authorizeAccount(session({ providerMfa: true }), 'create-api-key', required, now).allowed, true);
    assert.equal(authorizeAccount(session(), 'create-api-key', { requireTwoFactor: false }, now).allowed, true);
  });

  it('walks a member of an organization that requires two-factor authentication to enrolment, saying why', () => {
    const decision = authorizeAccount(session({ organizationNeedsTwoFactor: true }), 'create-api-key', { requireTwoFactor: false }, now);
    assert.deepEqual(decision.allowed ? undefined : [decision.next, decision.reason], ['enrol', 'An organization you belong to requires two-factor authentication: set it up first.']);
    assert.equal(authorizeAccount(session({ organizationNeedsTwoFactor: true, totpEnabled: true, secondFactorAt: now }), 'create-api-key', { requireTwoFactor: false }, now).allowed, true);
  });

  it('asks for a fresh code for sensitive actions after ten minutes, the provider MFA counting as one at sign-in', () => {
    const recent = new Date(now.getTime() - 5 * 60 * 1000);
    const old = new Date(now.getTime() - 11 * 60 * 1000);
    assert.equal(authorizeAccount(session({ totpEnabled: true, secondFactorAt: recent }), 'manage-identities', required, now).allowed, true);
    const stale = authorizeAccount(session({ totpEnabled: true, secondFactorAt: old, providerMfa: true }), 'manage-identities', required, now);
    assert.equal(stale.allowed ? undefined : stale.next, 'fresh-second-factor');
    assert.equal(authorizeAccount(session({ totpEnabled: true, secondFactorAt: old }), 'view-account', required, now).allowed, true);
    const unenrolled = authorizeAccount(session(), 'view-account', required, now);
    assert.equal(unenrolled.allowed ? undefined : unenrolled.next, 'enrol', 'walked to enrolment from any page');
    const owed = authorizeAccount(session({ totpEnabled: true, awaitingSecondFactor: true }), 'view-account', required, now);
    assert.equal(owed.allowed ? undefined : owed.next, 'second-factor');
  });
});
