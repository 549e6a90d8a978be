/**
 * The tiered reads answer exactly what scoring and sorting every match answers: the same hits, in the same
 * order, with the same totals, over a generated feed of 2,000 ids whose download counts tie often.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateFeed, idAt } from '../../../bench/feed/generate.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqlitePackageStore } from './sqlite-package-store.ts';
import { SqliteSearchIndex } from './sqlite-search-index.ts';
import { nugetReadDocuments } from '../../protocol/nuget/read-documents.ts';
import type { SearchRequest, SearchTerm } from '../../app/ports.ts';
import { DEFAULT_FEED_ID as FEED } from '../../domain/feed.ts';

let folder: string;
let database: ReturnType<typeof openSqliteDatabase>;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'pallet-search-tiers-'));
  await generateFeed(folder, { ids: 2000, versionsPerId: 2, largeIds: { count: 2, versions: 40 }, sampleIds: 0, packageBytes: 0 });
  database = openSqliteDatabase(path.join(folder, 'pallet.db'));
  // Downloads from a small range, so many documents tie on them and the id breaks the tie.
  const versions = database.prepare('SELECT id_lower, version_lower FROM package_versions ORDER BY id_lower, version_lower').all();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const counts = versions.filter(() => next() < 0.6).map((row) => ({ feedId: FEED, idLower: String(row.id_lower), versionLower: String(row.version_lower), count: 1 + Math.floor(next() * 4) }));
  await new SqlitePackageStore(database, nugetReadDocuments).addDownloads(counts);
});

after(async () => {
  database.close();
  await rm(folder, { recursive: true, force: true });
});

const exactId = idAt(7).toLowerCase();
const queries: SearchTerm[][] = [
  [{ field: undefined, value: 'json' }],
  [{ field: 'id', value: 'json' }],
  [{ field: undefined, value: 'contoso' }],
  [{ field: undefined, value: 'contoso.j' }],
  [{ field: undefined, value: exactId }],
  [{ field: 'id', value: exactId.slice(0, -1) }],
  [{ field: undefined, value: 'logging' }],
  [{ field: 'tags', value: 'logging' }],
  [{ field: 'authors', value: 'jane' }],
  [{ field: 'description', value: 'serial' }],
  [{ field: undefined, value: 'zzzz-nothing' }],
  [{ field: 'tags', value: 'logging' }, { field: 'description', value: 'a' }],
  [{ field: 'tags', value: 'json' }, { field: 'version', value: '1.1.0' }],
  [{ field: 'tags', value: 'logging' }, { field: 'owners', value: 'someone' }],
];
const pages = [
  { skip: 0, take: 20 },
  { skip: 0, take: 7 },
  { skip: 13, take: 20 },
  { skip: 95, take: 40 },
  { skip: 400, take: 20 },
  { skip: 3000, take: 20 },
  { skip: 0, take: 0 },
];

test('every tiered page is the scored page', async () => {
  const tiered = new SqliteSearchIndex(database);
  const scored = new SqliteSearchIndex(database, { tiered: false });
  let compared = 0;
  let nonEmpty = 0;
  for (const terms of queries) {
    for (const includePrerelease of [true, false]) {
      for (const includeSemVer2 of [true, false]) {
        for (const page of pages) {
          const request: SearchRequest = { feedId: FEED, terms, includePrerelease, includeSemVer2, packageType: undefined, ...page };
          const expected = await scored.search(request);
          const actual = await tiered.search(request);
          const label = JSON.stringify(request);
          assert.equal(actual.totalHits, expected.totalHits, label);
          assert.deepEqual(
            actual.hits.map((hit) => [hit.latest.idLower, hit.latest.versionLower, hit.totalDownloads]),
            expected.hits.map((hit) => [hit.latest.idLower, hit.latest.versionLower, hit.totalDownloads]),
            label,
          );
          compared += 1;
          if (expected.hits.length > 0) nonEmpty += 1;
        }
      }
    }
  }
  assert.equal(compared, queries.length * 4 * pages.length);
  assert.ok(nonEmpty > compared / 3, `${nonEmpty} of ${compared} pages had hits`);
});
