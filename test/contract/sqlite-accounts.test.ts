/**
 * The accounts, API keys and events stores on SQLite, and the rule that an event exists exactly when its
 * change committed: pushes, unlists and account changes write their event in their own transaction.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqliteWriter } from '../../src/stores/metadata/sqlite-writer.ts';
import { SqliteAccountStore } from '../../src/stores/metadata/sqlite-account-store.ts';
import { SqliteApiKeyStore } from '../../src/stores/metadata/sqlite-api-key-store.ts';
import { SqliteEventLog } from '../../src/stores/metadata/sqlite-events.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import type { NewUser } from '../../src/app/accounts/ports.ts';
import type { NewEvent } from '../../src/app/events.ts';
import type { DocumentProjection, PushRecord } from '../../src/app/ports.ts';
import { DEFAULT_FEED_ID as FEED } from '../../src/domain/feed.ts';
import { parsePackageIdPattern } from '../../src/domain/package-id-pattern.ts';
import { contractProjection, newVersion } from './package-store.contract.ts';
import { SqliteOwnershipStore } from '../../src/stores/metadata/sqlite-ownership-store.ts';
import { SqliteReservationStore } from '../../src/stores/metadata/sqlite-reservation-store.ts';
import { SqliteSearchIndex } from '../../src/stores/metadata/sqlite-search-index.ts';
import { parseReservedPrefix, reservationCovers } from '../../src/domain/id-prefix-reservation.ts';
import { seededRandom } from '../support/seeded-random.ts';

const AT = new Date('2026-06-01T10:00:00.000Z');
const TOOL = { userId: undefined, key: undefined, label: 'command line', clientAddress: undefined };
const event = (kind: NewEvent['kind'], extra: Partial<NewEvent> = {}): NewEvent => ({ kind, at: AT, actor: TOOL, ...extra });
const user = (name: string, extra: Partial<NewUser> = {}): NewUser => ({
  name,
  displayName: name,
  email: `${name}@example.com`,
  emailVerified: true,
  isAdministrator: false,
  passwordHash: undefined,
  createdAt: AT,
  ...extra,
});

describe('SQLite accounts, API keys and events', () => {
  let folder: string;
  let database: DatabaseSync;
  let writer: SqliteWriter;
  let accounts: SqliteAccountStore;
  let keys: SqliteApiKeyStore;
  let events: SqliteEventLog;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pallet-accounts-'));
    database = openSqliteDatabase(path.join(folder, 'pallet.db'));
    writer = new SqliteWriter(database);
    accounts = new SqliteAccountStore(writer);
    keys = new SqliteApiKeyStore(writer);
    events = new SqliteEventLog(() => writer.reading());
  });

  afterEach(async () => {
    database.close();
    await rm(folder, { recursive: true, force: true });
  });

  const kinds = async () => (await events.listEvents({ limit: 100 })).map((each) => each.kind);

  it('creates users with unique names in any casing, each with its event', async () => {
    const created = await accounts.createUser(user('Alice', { isAdministrator: true }), event('user.created'));
    assert.equal(created.outcome, 'created');
    const alice = created.outcome === 'created' ? created.account : assert.fail();
    assert.deepEqual({ ...alice, accountId: 0 }, {
      accountId: 0,
      kind: 'user',
      name: 'Alice',
      displayName: 'Alice',
      email: 'Alice@example.com',
      emailVerified: true,
      isAdministrator: true,
      publishEmails: true,
      disabledAt: undefined,
      createdAt: AT,
    });
    assert.deepEqual(await accounts.createUser(user('aLICE'), event('user.created')), { outcome: 'name-taken' });
    assert.equal((await accounts.findAccountByName('ALICE'))?.accountId, alice.accountId);
    assert.equal((await accounts.findAccountById(alice.accountId))?.name, 'Alice');
    assert.equal(await accounts.findAccountByName('nobody'), undefined);
    const recorded = await events.listEvents({ limit: 10 });
    assert.deepEqual(recorded.map((each) => [each.kind, each.subjectUserId, each.actorLabel]), [['user.created', alice.accountId, 'command line']]);
  });

  it('sets passwords and disables accounts once, recording only real changes', async () => {
    const created = await accounts.createUser(user('bob'), event('user.created'));
    const bob = created.outcome === 'created' ? created.account : assert.fail();
    assert.equal(await accounts.setPasswordHash(bob.accountId, 'scrypt$x', event('user.password-set')), true);
    assert.equal(await accounts.setPasswordHash(999, 'scrypt$x', event('user.password-set')), false);
    assert.equal(await accounts.disableAccount(bob.accountId, AT, event('user.disabled')), true);
    assert.equal(await accounts.disableAccount(bob.accountId, new Date('2027-01-01'), event('user.disabled')), true);
    assert.deepEqual((await accounts.findAccountById(bob.accountId))?.disabledAt, AT, 'the first time is kept');
    assert.equal(await accounts.disableAccount(999, AT, event('user.disabled')), false);
    assert.deepEqual(await kinds(), ['user.created', 'user.password-set', 'user.disabled']);
  });

  it('stores keys by the hash of their secret, with the accounts they involve', async () => {
    const created = await accounts.createUser(user('carol'), event('user.created'));
    const carol = created.outcome === 'created' ? created.account : assert.fail();
    const newKey = {
      userId: carol.accountId,
      ownerId: carol.accountId,
      name: 'ci',
      lookupHash: 'a'.repeat(64),
      scopes: ['push', 'unlist'] as const,
      patterns: [parsePackageIdPattern('Contoso.*')],
      feedIds: [1, 7],
      createdAt: AT,
      expiresAt: new Date('2027-06-01T10:00:00.000Z'),
    };
    const stored = await keys.createKey(newKey, event('api-key.created'));
    assert.equal(stored.outcome, 'created');
    assert.deepEqual(await keys.createKey({ ...newKey, lookupHash: 'b'.repeat(64) }, event('api-key.created')), { outcome: 'name-taken' });
    assert.ok(await keys.createKey({ ...newKey, name: 'second', lookupHash: 'c'.repeat(64) }, event('api-key.created')));
    const found = await keys.findKeyByLookupHash('a'.repeat(64));
    assert.deepEqual(
      { name: found?.name, scopes: found?.scopes, patterns: found?.patterns, user: found?.user.name, owner: found?.owner.name, revokedAt: found?.revokedAt },
      { name: 'ci', scopes: ['push', 'unlist'], patterns: [parsePackageIdPattern('Contoso.*')], user: 'carol', owner: 'carol', revokedAt: undefined },
    );
    assert.equal(await keys.findKeyByLookupHash('d'.repeat(64)), undefined);
    assert.deepEqual((await keys.listKeys(carol.accountId)).map((key) => key.name), ['second', 'ci']);
    assert.equal(database.prepare('SELECT count(*) AS count FROM api_keys WHERE lookup_hash = ?').get('b'.repeat(64))?.count, 0);

    assert.equal(await keys.revokeKey(carol.accountId, 'ci', AT, event('api-key.revoked')), true);
    assert.equal(await keys.revokeKey(carol.accountId, 'ci', new Date('2027-01-01'), event('api-key.revoked')), true);
    assert.deepEqual((await keys.findKeyByLookupHash('a'.repeat(64)))?.revokedAt, AT);
    assert.equal(await keys.revokeKey(carol.accountId, 'missing', AT, event('api-key.revoked')), false);
    assert.deepEqual(await kinds(), ['user.created', 'api-key.created', 'api-key.created', 'api-key.revoked']);
  });

  describe('package changes', () => {
    const push = (ownerAccountId: number | undefined, keyId?: number): PushRecord => ({
      ownerAccountId,
      event: event('package.pushed', {
        actor: { userId: ownerAccountId, key: keyId === undefined ? undefined : { keyId, name: 'ci' }, label: 'someone', clientAddress: '192.0.2.1' },
        idLower: 'demo',
        versionLower: '1.0.0',
      }),
    });

    async function twoUsers(): Promise<[number, number]> {
      const ids: number[] = [];
      for (const name of ['dana', 'erin']) {
        const created = await accounts.createUser(user(name), event('user.created'));
        ids.push(created.outcome === 'created' ? created.account.accountId : assert.fail());
      }
      return ids as [number, number];
    }

    it('a push claims a new id for its owner, refuses another account, and records one event', async () => {
      const [dana, erin] = await twoUsers();
      const packages = new SqlitePackageStore(writer, contractProjection);
      assert.equal(await packages.insertVersion(FEED, newVersion('Demo', '1.0.0'), push(dana)), 'created');
      assert.deepEqual(await packages.ownership('demo'), { exists: true, ownerIds: [dana], reservations: [] });
      assert.equal(await packages.insertVersion(FEED, newVersion('Demo', '2.0.0'), push(erin)), 'not-owner');
      assert.equal(await packages.findVersion(FEED, 'demo', '2.0.0'), undefined, 'nothing of a refused push is written');
      assert.equal(await packages.insertVersion(FEED, newVersion('Demo', '1.0.0'), push(dana)), 'exists');
      assert.equal(await packages.insertVersion(FEED, newVersion('Demo', '2.0.0'), push(dana)), 'created');
      const pushes = (await events.listEvents({ limit: 100 })).filter((each) => each.kind === 'package.pushed');
      assert.equal(pushes.length, 2, 'an exists or not-owner outcome records nothing');
      assert.deepEqual([pushes[0]?.actorUserId, pushes[0]?.clientAddress, pushes[0]?.idLower], [dana, '192.0.2.1', 'demo']);
      assert.deepEqual((await packages.findVersion(FEED, 'demo', '1.0.0'))?.pushedBy, { label: 'someone', keyName: undefined });
      assert.deepEqual(await packages.ownership('other'), { exists: false, ownerIds: [], reservations: [] });
    });

    it('a push with the configured key claims nothing, and the id stays with the administrators', async () => {
      const [dana] = await twoUsers();
      const packages = new SqlitePackageStore(writer, contractProjection);
      assert.equal(await packages.insertVersion(FEED, newVersion('Legacy', '1.0.0'), push(undefined)), 'created');
      assert.deepEqual(await packages.ownership('legacy'), { exists: true, ownerIds: [], reservations: [] });
      assert.equal(await packages.insertVersion(FEED, newVersion('Legacy', '2.0.0'), push(dana)), 'not-owner', 'an existing id is never claimed');
    });

    it("records the key's last use with the change", async () => {
      const [dana] = await twoUsers();
      const created = await keys.createKey(
        { userId: dana, ownerId: dana, name: 'ci', lookupHash: 'e'.repeat(64), scopes: ['push'], patterns: [], feedIds: [], createdAt: AT, expiresAt: new Date('2030-01-01') },
        event('api-key.created'),
      );
      const keyId = created.outcome === 'created' ? created.key.keyId : assert.fail();
      const packages = new SqlitePackageStore(writer, contractProjection);
      await packages.insertVersion(FEED, newVersion('Used', '1.0.0'), push(dana, keyId));
      assert.deepEqual((await keys.findKeyByLookupHash('e'.repeat(64)))?.lastUsedAt, AT);
    });

    it('an unlist or relist records an event only when the flag changes', async () => {
      const packages = new SqlitePackageStore(writer, contractProjection);
      await packages.insertVersion(FEED, newVersion('Demo', '1.0.0'), push(undefined));
      assert.equal(await packages.setListed(FEED, 'demo', '1.0.0', true, event('package.relisted')), true);
      assert.equal(await packages.setListed(FEED, 'demo', '1.0.0', false, event('package.unlisted')), true);
      assert.equal(await packages.setListed(FEED, 'demo', '1.0.0', false, event('package.unlisted')), true);
      assert.equal(await packages.setListed(FEED, 'missing', '1.0.0', false, event('package.unlisted')), false);
      assert.deepEqual(await kinds(), ['package.pushed', 'package.unlisted']);
    });

    it('a change that rolls back leaves no event, no owner and no version', async () => {
      const [dana] = await twoUsers();
      const failing: DocumentProjection = {
        format: 'failing/1',
        project(versions, facts) {
          if (versions.some((version) => version.idLower === 'doomed')) throw new Error('projection failed');
          return contractProjection.project(versions, facts);
        },
      };
      const packages = new SqlitePackageStore(writer, failing);
      await assert.rejects(packages.insertVersion(FEED, newVersion('Doomed', '1.0.0'), push(dana)), /projection failed/);
      assert.deepEqual(await packages.ownership('doomed'), { exists: false, ownerIds: [], reservations: [] });
      assert.deepEqual(await kinds(), ['user.created', 'user.created']);
    });

    it('lists events after a given one, and those of one user (made by them or about their account)', async () => {
      const [dana, erin] = await twoUsers();
      const packages = new SqlitePackageStore(writer, contractProjection);
      await packages.insertVersion(FEED, newVersion('Mine', '1.0.0'), push(dana));
      const all = await events.listEvents({ limit: 100 });
      assert.deepEqual(all.map((each) => each.kind), ['user.created', 'user.created', 'package.pushed']);
      assert.deepEqual((await events.listEvents({ afterEventId: all[0]?.eventId ?? 0, limit: 1 })).map((each) => each.eventId), [all[1]?.eventId]);
      assert.deepEqual((await events.listEvents({ userId: dana, limit: 100 })).map((each) => each.kind), ['user.created', 'package.pushed']);
      assert.deepEqual((await events.listEvents({ userId: erin, limit: 100 })).map((each) => each.kind), ['user.created']);
    });
  });

  describe('prefix reservations', () => {
    async function owner(name: string): Promise<number> {
      const created = await accounts.createUser(user(name), event('user.created'));
      return created.outcome === 'created' ? created.account.accountId : assert.fail();
    }

    it('reserves once per owner, releases, and lists with owners', async () => {
      const contoso = await owner('contoso');
      const reservations = new SqliteReservationStore(writer);
      assert.equal(await reservations.reserve(parseReservedPrefix('Contoso.*'), contoso, event('prefix.reserved')), 'created');
      assert.equal(await reservations.reserve(parseReservedPrefix('contoso.'), contoso, event('prefix.reserved')), 'exists', 'the same prefix written another way');
      assert.deepEqual((await reservations.listReservations()).map((each) => [each.text, each.kind, each.valueLower, each.owner.name]), [['Contoso.*', 'prefix', 'contoso.', 'contoso']]);
      assert.equal(await reservations.release(parseReservedPrefix('Contoso.*'), contoso, event('prefix.released')), true);
      assert.equal(await reservations.release(parseReservedPrefix('Contoso.*'), contoso, event('prefix.released')), false);
      assert.deepEqual(await kinds(), ['user.created', 'prefix.reserved', 'prefix.released']);
    });

    it('covers in SQL exactly the ids the domain rule covers', async () => {
      const holder = await owner('holder');
      const reservations = new SqliteReservationStore(writer);
      const packages = new SqlitePackageStore(writer, contractProjection);
      const texts = ['Contoso.*', 'Contoso', 'Fab-*', 'Fab', 'NHibernate*', 'A.B.C.', 'X'];
      for (const text of texts) await reservations.reserve(parseReservedPrefix(text), holder, event('prefix.reserved'));
      const random = seededRandom(7);
      const parts = ['contoso', 'fab', 'nhibernate', 'a', 'b', 'c', 'x', 'extra'];
      const ids = ['contoso', 'contoso.', 'contos', 'fab', 'fab-x', 'fabx', 'nhibernateextra', 'a.b.c.d', 'a.b.c', 'x', 'xy'];
      for (let i = 0; i < 200; i++) {
        const count = 1 + Math.floor(random() * 3);
        ids.push(Array.from({ length: count }, () => parts[Math.floor(random() * parts.length)]).join(random() < 0.5 ? '.' : '-'));
      }
      for (const idLower of ids) {
        const expected = texts.map(parseReservedPrefix).filter((reservation) => reservationCovers(reservation, idLower)).map((reservation) => reservation.text).sort();
        const actual = (await packages.ownership(idLower)).reservations.map((reservation) => reservation.text).sort();
        assert.deepEqual(actual, expected, idLower);
      }
    });

    it("re-projects an id's read documents, in the same transaction, when a reservation or an owner makes it verified or not", async () => {
      const fabrikam = await owner('Fabrikam');
      const helper = await owner('helper');
      const reservations = new SqliteReservationStore(writer);
      const ownership = new SqliteOwnershipStore(writer);
      const packages = new SqlitePackageStore(writer, contractProjection);
      const verified = async (idLower: string) => (JSON.parse((await packages.readDocument(FEED, idLower, 'all'))?.text ?? '{}') as { verified?: boolean }).verified ?? false;
      await packages.insertVersion(FEED, newVersion('Fabrikam.Core', '1.0.0'), { ownerAccountId: helper, event: event('package.pushed') });
      assert.equal(await verified('fabrikam.core'), false);
      await reservations.reserve(parseReservedPrefix('Fabrikam.*'), fabrikam, event('prefix.reserved'));
      assert.equal(await verified('fabrikam.core'), false, "the reservation is not its owner's");
      assert.equal(await ownership.transfer('fabrikam.core', fabrikam, helper, new Date(), event('ownership.added'), event('ownership.removed')), 'transferred');
      assert.equal(await verified('fabrikam.core'), true, 'an owner now holds a covering reservation');
      await reservations.release(parseReservedPrefix('Fabrikam.*'), fabrikam, event('prefix.released'));
      assert.equal(await verified('fabrikam.core'), false);
      await reservations.reserve(parseReservedPrefix('Fabrikam.Core'), fabrikam, event('prefix.reserved'));
      assert.equal(await verified('fabrikam.core'), true, 'an exact id reservation covers it too');
      assert.deepEqual(await packages.derivedDataProblems(), [], 'the stored documents are what a projection gives');
    });

    it("search lists owners by name, finds them with owner:, and marks packages under their owners' reservation verified", async () => {
      const contoso = await owner('Contoso');
      const other = await owner('other');
      const reservations = new SqliteReservationStore(writer);
      const packages = new SqlitePackageStore(writer, contractProjection);
      const pushAs = (ownerAccountId: number | undefined): PushRecord => ({ ownerAccountId, event: event('package.pushed') });
      await packages.insertVersion(FEED, newVersion('Contoso.Core', '1.0.0'), pushAs(contoso));
      await packages.insertVersion(FEED, newVersion('Contoso.Fake', '1.0.0'), pushAs(other));
      await packages.insertVersion(FEED, newVersion('Unowned.Lib', '1.0.0'), pushAs(undefined));
      await reservations.reserve(parseReservedPrefix('Contoso.*'), contoso, event('prefix.reserved'));
      const search = new SqliteSearchIndex(database);
      const everything = await search.search({ feedId: FEED, terms: [], includePrerelease: true, includeSemVer2: true, packageType: undefined, skip: 0, take: 10 });
      assert.deepEqual(
        everything.hits.map((hit) => [hit.latest.idLower, hit.owners, hit.verified]).sort(),
        [
          ['contoso.core', ['Contoso'], true],
          ['contoso.fake', ['other'], false],
          ['unowned.lib', [], false],
        ],
      );
      const byOwner = await search.search({ feedId: FEED, terms: [{ field: 'owners', value: 'contoso' }], includePrerelease: true, includeSemVer2: true, packageType: undefined, skip: 0, take: 10 });
      assert.deepEqual([byOwner.totalHits, byOwner.hits.map((hit) => hit.latest.idLower)], [1, ['contoso.core']]);
    });
  });
});
