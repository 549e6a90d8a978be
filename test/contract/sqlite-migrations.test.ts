/**
 * Upgrades of a database written by an earlier Pallet: the data it held is all there afterwards, in the
 * shape the current code reads, with every derived row consistent (what `pallet verify` checks).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../../src/stores/metadata/migrations.ts';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { SqliteSearchIndex } from '../../src/stores/metadata/sqlite-search-index.ts';
import { versionInsertValues } from '../../src/stores/metadata/version-row.ts';
import { DEFAULT_FEED_ID } from '../../src/domain/feed.ts';
import { contractProjection, newVersion } from './package-store.contract.ts';
import { ADMIN_PUSH } from '../support/change-records.ts';

/** A database as a Pallet whose last migration was `version` wrote it, with `seed` run right after migration 1. */
function databaseAtSchema(file: string, version: number, seed: (database: DatabaseSync) => void): void {
  const database = new DatabaseSync(file);
  database.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const migration of MIGRATIONS.filter((candidate) => candidate.version <= version)) {
    database.exec(migration.sql);
    database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00.000Z');
    if (migration.version === 1) seed(database);
  }
  database.close();
}

/** Rows as schema 1 held them: a registration, its versions, and each variant's latest listed version. */
function seedSchema1(database: DatabaseSync): void {
  const versions = [
    newVersion('Upgrade.Demo', '1.0.0', { tags: ['legacy'] }),
    newVersion('Upgrade.Demo', '2.0.0-beta'),
    newVersion('Other.Lib', '3.1.0', { description: 'unlisted before the upgrade' }),
  ];
  for (const version of versions) {
    database.prepare('INSERT OR IGNORE INTO packages (id_lower, id, created_at, total_downloads) VALUES (?, ?, ?, 7)').run(version.idLower, version.id, '2026-01-01T00:00:00.000Z');
    const { feed_id: _feed, ...values } = versionInsertValues(DEFAULT_FEED_ID, version);
    const columns = Object.keys(values);
    database.prepare(`INSERT INTO package_versions (${columns.join(', ')}) VALUES (${columns.map((column) => `:${column}`).join(', ')})`).run(values);
  }
  database.exec("UPDATE package_versions SET listed = 0 WHERE id_lower = 'other.lib'");
  // Variants 0 and 2 (no prereleases) see 1.0.0; variants 1 and 3 see 2.0.0-beta.
  for (const [variant, versionLower] of [[0, '1.0.0'], [1, '2.0.0-beta'], [2, '1.0.0'], [3, '2.0.0-beta']] as const) {
    database.prepare("INSERT INTO package_latest (id_lower, variant, version_lower) VALUES ('upgrade.demo', ?, ?)").run(variant, versionLower);
  }
}

describe('SQLite migrations', () => {
  it('moves a schema 4 database into the default feed, keeping every row and a consistent search index', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-migrations-'));
    const file = path.join(folder, 'pallet.db');
    try {
      databaseAtSchema(file, 4, seedSchema1);
      const database = openSqliteDatabase(file);
      try {
        assert.equal(database.prepare('PRAGMA foreign_keys').get()?.foreign_keys, 1, 'enforcement is back on after the rebuild');
        assert.deepEqual(
          database.prepare('SELECT feed_id, name FROM feeds').all().map((row) => ({ ...row })),
          [{ feed_id: DEFAULT_FEED_ID, name: 'default' }],
        );
        const store = new SqlitePackageStore(database, contractProjection);
        assert.equal(await store.refreshStaleDocuments(), 2, 'documents are projected for both ids');
        assert.deepEqual(await store.derivedDataProblems(), []);

        const versions = await store.listVersions(DEFAULT_FEED_ID, 'upgrade.demo');
        assert.deepEqual(versions.map((version) => [version.feedId, version.versionLower, version.listed]), [
          [DEFAULT_FEED_ID, '1.0.0', true],
          [DEFAULT_FEED_ID, '2.0.0-beta', true],
        ]);
        assert.equal((await store.findVersion(DEFAULT_FEED_ID, 'other.lib', '3.1.0'))?.listed, false);

        const search = new SqliteSearchIndex(database);
        const filters = { feedId: DEFAULT_FEED_ID, includeSemVer2: true, packageType: undefined, skip: 0, take: 10 };
        const legacy = await search.search({ ...filters, includePrerelease: false, terms: [{ field: 'tags', value: 'legacy' }] });
        assert.deepEqual(legacy.hits.map((hit) => [hit.latest.idLower, hit.latest.versionLower, hit.totalDownloads]), [['upgrade.demo', '1.0.0', 7]]);
        const all = await search.search({ ...filters, includePrerelease: true, terms: [{ field: undefined, value: 'upgrade' }] });
        assert.equal(all.totalHits, 1);
        assert.equal(all.hits[0]?.latest.versionLower, '2.0.0-beta');
        assert.equal((await search.search({ ...filters, includePrerelease: true, terms: [] })).totalHits, 1, 'the unlisted id stays out');

        // The upgraded database takes new versions like a new one.
        assert.equal(await store.insertVersion(DEFAULT_FEED_ID, newVersion('Upgrade.Demo', '2.0.0'), ADMIN_PUSH), 'created');
        assert.equal(await store.insertVersion(DEFAULT_FEED_ID, newVersion('Upgrade.Demo', '1.0.0'), ADMIN_PUSH), 'exists');
        assert.deepEqual(await store.derivedDataProblems(), []);
      } finally {
        database.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('leaves the database as it was when a rebuild would break a reference', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-migrations-'));
    const file = path.join(folder, 'pallet.db');
    try {
      databaseAtSchema(file, 4, (database) => {
        seedSchema1(database);
        // A version whose registration row is gone: enforcement was on, but a tool may have written without it.
        database.exec('PRAGMA foreign_keys = OFF');
        database.exec("DELETE FROM package_latest WHERE id_lower = 'upgrade.demo'; DELETE FROM packages WHERE id_lower = 'upgrade.demo'");
      });
      assert.throws(() => openSqliteDatabase(file), /Migration 5 \(feeds\) would leave 2 row\(s\) whose reference is broken, the first in package_versions/);
      const database = new DatabaseSync(file);
      try {
        assert.equal(database.prepare('SELECT max(version) AS version FROM schema_migrations').get()?.version, 4);
        assert.equal(database.prepare("SELECT count(*) AS count FROM sqlite_master WHERE name = 'feeds'").get()?.count, 0);
        assert.equal(database.prepare('SELECT count(*) AS count FROM package_versions').get()?.count, 3);
      } finally {
        database.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
