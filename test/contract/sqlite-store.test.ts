import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { REFERENCES_PAGE, SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { ReadSnapshot } from '../../src/stores/metadata/read-snapshot.ts';
import { WalGroupSync } from '../../src/stores/metadata/wal-group-sync.ts';
import { SqliteWriter } from '../../src/stores/metadata/sqlite-writer.ts';
import { SqliteSearchIndex } from '../../src/stores/metadata/sqlite-search-index.ts';
import { contractProjection, newVersion, packageStoreContract } from './package-store.contract.ts';
import { DEFAULT_FEED_ID as FEED } from '../../src/domain/feed.ts';
import { ADMIN_PUSH, TEST_EVENT } from '../support/change-records.ts';

function addFeed(database: DatabaseSync, name: string): number {
  return Number(database.prepare("INSERT INTO feeds (name, created_at) VALUES (?, '2026-01-01T00:00:00.000Z')").run(name).lastInsertRowid);
}

packageStoreContract('SQLite on a temp file', async (projection) => {
  const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-contract-'));
  const database = openSqliteDatabase(path.join(folder, 'pallet.db'));
  return {
    packages: new SqlitePackageStore(database, projection),
    search: new SqliteSearchIndex(database),
    addFeed: (name) => addFeed(database, name),
    close: async () => {
      database.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

packageStoreContract('SQLite as the server runs it: a read connection in per-turn snapshots, group commit', async (projection) => {
  const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-contract-'));
  const file = path.join(folder, 'pallet.db');
  const database = openSqliteDatabase(file, { groupCommit: true });
  const reads = new ReadSnapshot(openSqliteDatabase(file, { tool: 'read' }));
  return {
    packages: new SqlitePackageStore(new SqliteWriter(database, { reads, commits: new WalGroupSync(`${file}-wal`) }), projection),
    search: new SqliteSearchIndex(database),
    addFeed: (name) => addFeed(database, name),
    close: async () => {
      reads.close();
      database.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

describe('SQLite group commit', () => {
  it('answers a write only once the log is synced', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-group-commit-'));
    const file = path.join(folder, 'pallet.db');
    const database = openSqliteDatabase(file, { groupCommit: true });
    try {
      assert.equal(database.prepare('PRAGMA synchronous').get()?.synchronous, 1); // NORMAL: no sync inside COMMIT
      let finishSync: () => void = () => {};
      const synced: string[] = [];
      const commits = new WalGroupSync(`${file}-wal`, async (walFile) => {
        synced.push(path.basename(walFile));
        await new Promise<void>((resolve) => (finishSync = resolve));
      });
      const store = new SqlitePackageStore(new SqliteWriter(database, { commits }), contractProjection);
      let answered = false;
      const insert = store.insertVersion(FEED, newVersion('A', '1.0.0'), ADMIN_PUSH).then((outcome) => {
        answered = true;
        return outcome;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(answered, false, 'committed, but not yet synced');
      assert.deepEqual(synced, ['pallet.db-wal']);
      finishSync();
      assert.equal(await insert, 'created');
    } finally {
      database.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('SQLite search counts', () => {
  for (const mode of ['the writing connection', 'a read-only connection of its own']) {
    it(`counts again after every commit, searching through ${mode}`, async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-counts-'));
      const file = path.join(folder, 'pallet.db');
      const database = openSqliteDatabase(file);
      const reader = mode === 'the writing connection' ? database : openSqliteDatabase(file, { tool: 'read' });
      try {
        const store = new SqlitePackageStore(database, contractProjection);
        const search = new SqliteSearchIndex(reader);
        const request = (q: string) => ({ feedId: FEED, terms: q === '' ? [] : [{ field: undefined, value: q }], includePrerelease: true, includeSemVer2: true, packageType: undefined, skip: 0, take: 1 });
        await store.insertVersion(FEED, newVersion('Counted.One', '1.0.0'), ADMIN_PUSH);
        assert.equal((await search.search(request(''))).totalHits, 1);
        assert.equal((await search.search(request('counted'))).totalHits, 1);
        await store.insertVersion(FEED, newVersion('Counted.Two', '1.0.0'), ADMIN_PUSH);
        assert.equal((await search.search(request(''))).totalHits, 2);
        assert.equal((await search.search(request('counted'))).totalHits, 2);
        await store.setListed(FEED, 'counted.one', '1.0.0', false, TEST_EVENT);
        assert.equal((await search.search(request('counted'))).totalHits, 1);
      } finally {
        if (reader !== database) reader.close();
        database.close();
        await rm(folder, { recursive: true, force: true });
      }
    });
  }
});

describe('SQLite search generation', () => {
  it('keeps counts across download flushes and counts again after a push, an unlist and a relist', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-search-generation-'));
    const file = path.join(folder, 'pallet.db');
    const database = openSqliteDatabase(file);
    const reader = openSqliteDatabase(file, { tool: 'read' });
    try {
      const counted: string[] = [];
      const prepare = reader.prepare.bind(reader);
      reader.prepare = (sql: string) => {
        const statement = prepare(sql);
        if (sql.startsWith('SELECT count(*)')) {
          const get = statement.get.bind(statement) as (...values: unknown[]) => ReturnType<typeof statement.get>;
          statement.get = ((...values: unknown[]) => {
            counted.push(sql);
            return get(...values);
          }) as typeof statement.get;
        }
        return statement;
      };
      const store = new SqlitePackageStore(database, contractProjection);
      const search = new SqliteSearchIndex(reader);
      const everything = { feedId: FEED, terms: [], includePrerelease: true, includeSemVer2: true, packageType: undefined, skip: 0, take: 1 };
      await store.insertVersion(FEED, newVersion('Generation.One', '1.0.0'), ADMIN_PUSH);
      assert.equal((await search.search(everything)).totalHits, 1);
      assert.equal(counted.length, 1);
      await store.addDownloads([{ feedId: FEED, idLower: 'generation.one', versionLower: '1.0.0', count: 5 }]);
      assert.equal((await search.search(everything)).totalHits, 1);
      assert.equal(counted.length, 1, 'a download flush leaves the count remembered');
      await store.insertVersion(FEED, newVersion('Generation.Two', '1.0.0'), ADMIN_PUSH);
      assert.equal((await search.search(everything)).totalHits, 2);
      await store.setListed(FEED, 'generation.two', '1.0.0', false, TEST_EVENT);
      assert.equal((await search.search(everything)).totalHits, 1);
      await store.setListed(FEED, 'generation.two', '1.0.0', true, TEST_EVENT);
      assert.equal((await search.search(everything)).totalHits, 2);
      assert.equal(counted.length, 4);
    } finally {
      reader.close();
      database.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('SQLite read generation', () => {
  for (const mode of ['one connection', 'a read connection']) {
    it(`moves when another connection commits (${mode})`, async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-generation-'));
      const file = path.join(folder, 'pallet.db');
      const database = openSqliteDatabase(file);
      const reads = mode === 'a read connection' ? new ReadSnapshot(openSqliteDatabase(file, { tool: 'read' })) : undefined;
      const other = openSqliteDatabase(file); // another process's connection, as far as this store can tell
      try {
        const store = new SqlitePackageStore(new SqliteWriter(database, { reads }), contractProjection);
        const start = store.readGeneration();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(store.readGeneration(), start);
        await new SqlitePackageStore(other, contractProjection).insertVersion(FEED, newVersion('A', '1.0.0'), ADMIN_PUSH);
        await new Promise((resolve) => setImmediate(resolve)); // another process's commit is seen from the next turn
        const moved = store.readGeneration();
        assert.notEqual(moved, start);
        assert.equal(await store.documentHash(FEED, 'a', 'all') !== undefined, true);
        assert.equal(store.readGeneration(), moved);
      } finally {
        other.close();
        reads?.close();
        database.close();
        await rm(folder, { recursive: true, force: true });
      }
    });
  }
});

describe('SQLite referenced blob keys', () => {
  it('reads every version across pages, each once', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-references-'));
    const database = openSqliteDatabase(path.join(folder, 'pallet.db'));
    try {
      const store = new SqlitePackageStore(database, contractProjection);
      const expected = new Set<string>();
      const versions = REFERENCES_PAGE + 7;
      for (let index = 0; index < versions; index += 1) {
        const row = newVersion(`Paged.Id${index % 401}`, `1.0.${index}`);
        await store.insertVersion(FEED, row, ADMIN_PUSH);
        expected.add(row.packageBlob).add(row.nuspecBlob);
      }
      const yielded: string[] = [];
      for await (const batch of store.referencedBlobKeys()) yielded.push(...batch);
      assert.equal(yielded.length, versions * 2);
      assert.deepEqual(new Set(yielded), expected);
    } finally {
      database.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('SQLite read documents', () => {
  async function withDatabaseFile(work: (file: string) => Promise<void>): Promise<void> {
    const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-documents-'));
    try {
      await work(path.join(folder, 'pallet.db'));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  it('projects every id again when the stored documents have another format', async () => {
    await withDatabaseFile(async (file) => {
      const first = openSqliteDatabase(file);
      const store = new SqlitePackageStore(first, contractProjection);
      assert.equal(await store.refreshStaleDocuments(), 0); // a new database: nothing to project, format recorded
      await store.insertVersion(FEED, newVersion('A', '1.0.0'), ADMIN_PUSH);
      await store.insertVersion(FEED, newVersion('B', '1.0.0'), ADMIN_PUSH);
      first.close();

      const reopened = openSqliteDatabase(file);
      try {
        const same = new SqlitePackageStore(reopened, contractProjection);
        assert.equal(await same.refreshStaleDocuments(), 0);
        const next = new SqlitePackageStore(reopened, {
          format: 'contract/2',
          project: (versions) => [{ name: 'v2', text: versions.map((version) => version.versionLower).join(','), baseMarker: undefined }],
        });
        assert.equal(await next.refreshStaleDocuments(), 2);
        assert.equal((await next.readDocument(FEED, 'a', 'v2'))?.text, '1.0.0');
        assert.equal(await next.documentHash(FEED, 'a', 'all'), undefined);
        assert.equal(await next.refreshStaleDocuments(), 0);
      } finally {
        reopened.close();
      }
    });
  });

  it('reports a damaged, missing or stray document, and a rebuild mends them', async () => {
    await withDatabaseFile(async (file) => {
      const database = openSqliteDatabase(file);
      try {
        const store = new SqlitePackageStore(database, contractProjection);
        await store.insertVersion(FEED, newVersion('A', '1.0.0'), ADMIN_PUSH);
        await store.insertVersion(FEED, newVersion('B', '1.0.0'), ADMIN_PUSH);
        database.prepare("UPDATE read_documents SET hash = 'x' WHERE id_lower = 'a' AND name = 'all'").run();
        database.prepare("DELETE FROM read_documents WHERE id_lower = 'b' AND name = 'listed'").run();
        database.prepare("INSERT INTO read_documents (feed_id, id_lower, name, hash, body) VALUES (1, 'b', 'old', 'y', x'00')").run();
        assert.deepEqual(await store.derivedDataProblems(), [
          "the read document 'all' of 'a' in feed 1 is out of date",
          "the read document 'listed' of 'b' in feed 1 is missing",
          "the read document 'old' of 'b' in feed 1 belongs to no version",
        ]);
        await store.rebuildDerivedData();
        assert.deepEqual(await store.derivedDataProblems(), []);
      } finally {
        database.close();
      }
    });
  });
});
