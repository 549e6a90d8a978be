/**
 * Every statement the hot paths run (push, unlist, relist, download flushes, restore reads, search and
 * autocomplete, the garbage collector's pages of references) is planned over a generated feed of 2,000 ids
 * (6,300 versions) with EXPLAIN QUERY PLAN: none may read a whole table, except the two counts that are by
 * definition over every document of a variant.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { generateFeed } from '../../bench/feed/generate.ts';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { SqliteSearchIndex } from '../../src/stores/metadata/sqlite-search-index.ts';
import { nugetReadDocuments, VERSION_LIST_DOCUMENT, registrationIndexDocument } from '../../src/protocol/nuget/read-documents.ts';
import { newVersion } from './package-store.contract.ts';
import type { SearchFilters, SearchTerm } from '../../src/app/ports.ts';
import { DEFAULT_FEED_ID as FEED } from '../../src/domain/feed.ts';
import { ADMIN_PUSH, TEST_EVENT } from '../support/change-records.ts';

/** Counting every document of a variant reads them all; that is what the number is. */
const WHOLE_TABLE_ON_PURPOSE = [/^SELECT count\(\*\) AS total FROM search_documents WHERE \(variants & :p1\) != 0$/];

const TABLE_SCAN = /^SCAN (package_versions|packages|search_documents|read_documents|derived_formats|e|v|o|p|d)\b/;

let folder: string;
const recorded = new Set<string>();

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'pallet-plans-'));
  await generateFeed(folder, { ids: 2000, versionsPerId: 3, largeIds: { count: 2, versions: 150 }, sampleIds: 0, packageBytes: 0 });
  const database = openSqliteDatabase(path.join(folder, 'pallet.db'));
  const prepare = database.prepare.bind(database);
  database.prepare = (sql: string) => {
    recorded.add(sql.replace(/\s+/g, ' ').trim());
    return prepare(sql);
  };
  try {
    const store = new SqlitePackageStore(database, nugetReadDocuments);
    const search = new SqliteSearchIndex(database);
    await store.insertVersion(FEED, newVersion('Contoso.Json.Json0', '9.0.0'), ADMIN_PUSH);
    await store.setListed(FEED, 'contoso.json.json0', '9.0.0', false, TEST_EVENT);
    await store.setListed(FEED, 'contoso.json.json0', '9.0.0', true, TEST_EVENT);
    await store.addDownloads([{ feedId: FEED, idLower: 'contoso.json.json0', versionLower: '9.0.0', count: 3 }]);
    await store.findVersion(FEED, 'contoso.json.json0', '9.0.0');
    await store.findFiles(FEED, 'contoso.json.json0', '9.0.0');
    await store.listVersions(FEED, 'contoso.json.json0');
    await store.documentHash(FEED, 'contoso.json.json0', VERSION_LIST_DOCUMENT);
    await store.readDocument(FEED, 'contoso.json.json0', registrationIndexDocument('semver2-gz'));
    for await (const batch of store.referencedBlobKeys()) assert.ok(batch.length > 0);
    const filters: SearchFilters[] = [
      { feedId: FEED, includePrerelease: true, includeSemVer2: true, packageType: undefined },
      { feedId: FEED, includePrerelease: false, includeSemVer2: false, packageType: undefined },
      { feedId: FEED, includePrerelease: true, includeSemVer2: true, packageType: 'dotnettool' },
    ];
    const queries: SearchTerm[][] = [
      [],
      [{ field: undefined, value: 'json' }],
      [{ field: 'id', value: 'json' }],
      [{ field: 'tags', value: 'logging' }],
      [{ field: undefined, value: 'azure' }, { field: undefined, value: 'storage' }],
      [{ field: 'packageid', value: 'contoso.json.json0' }],
    ];
    for (const filter of filters) {
      for (const terms of queries) {
        await search.search({ ...filter, terms, skip: 0, take: 20 });
        await search.search({ ...filter, terms, skip: 100_000, take: 20 }); // past the end: counted apart
      }
      await search.autocompleteIds({ ...filter, prefix: '', skip: 0, take: 20 });
      await search.autocompleteIds({ ...filter, prefix: 'json', skip: 0, take: 20 });
    }
  } finally {
    database.close();
  }
});

after(() => rm(folder, { recursive: true, force: true }));

describe('query plans over a generated feed', () => {
  it('reads no whole table on a hot path', () => {
    const database = new DatabaseSync(path.join(folder, 'pallet.db'), { readOnly: true });
    try {
      const scans: string[] = [];
      for (const sql of recorded) {
        if (!/^(SELECT|INSERT|UPDATE|DELETE|WITH)/i.test(sql) || WHOLE_TABLE_ON_PURPOSE.some((pattern) => pattern.test(sql))) continue;
        const plan = database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((row) => String(row.detail));
        // A SCAN of a table (by name or by the aliases the stores use) reads every row. A SCAN of the FTS
        // virtual table is a lookup by MATCH or rowid; one through an index is an ordered walk that LIMIT stops;
        // one of a co-routine reads the rows its own (planned, and limited) query hands over.
        const coroutines = new Set(plan.flatMap((detail) => /^CO-ROUTINE (\w+)/.exec(detail)?.[1] ?? []));
        const fullScans = plan.filter(
          (detail) =>
            TABLE_SCAN.test(detail) &&
            !detail.includes('VIRTUAL TABLE') &&
            !/USING (COVERING )?INDEX/.test(detail) &&
            !coroutines.has(detail.split(' ')[1] ?? ''),
        );
        if (fullScans.length > 0) scans.push(`${sql}\n  ${plan.join('\n  ')}`);
      }
      assert.ok(recorded.size > 30, `recorded ${recorded.size} statements`);
      assert.deepEqual(scans, []);
    } finally {
      database.close();
    }
  });

  it('walks the download index for an empty query instead of sorting every document', () => {
    const database = new DatabaseSync(path.join(folder, 'pallet.db'), { readOnly: true });
    try {
      const walk = [...recorded].find((sql) => sql.includes('INDEXED BY search_documents_by_downloads') && sql.includes('ORDER BY e.total_downloads DESC'));
      assert.ok(walk);
      const plan = database.prepare(`EXPLAIN QUERY PLAN ${walk}`).all().map((row) => String(row.detail));
      assert.ok(!plan.some((detail) => detail.includes('TEMP B-TREE')), plan.join('\n'));
    } finally {
      database.close();
    }
  });
});
