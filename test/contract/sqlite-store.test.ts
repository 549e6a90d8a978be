import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { SqliteSearchIndex } from '../../src/stores/metadata/sqlite-search-index.ts';
import { packageStoreContract } from './package-store.contract.ts';

packageStoreContract('SQLite on a temp file', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'pallet-sqlite-contract-'));
  const database = openSqliteDatabase(path.join(folder, 'pallet.db'));
  return {
    packages: new SqlitePackageStore(database),
    search: new SqliteSearchIndex(database),
    close: async () => {
      database.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
});
