/** PackageStore on SQLite: registrations and versions, with the version row as the commit point of a push. */
import type { DatabaseSync } from 'node:sqlite';
import type { BlobKey, DownloadCount, NewPackageVersion, PackageStore, StoredVersion } from '../../app/ports.ts';
import { inTransaction } from './sqlite-database.ts';
import { VERSION_COLUMNS, rowToStoredVersion, versionInsertValues } from './version-row.ts';

export class SqlitePackageStore implements PackageStore {
  private readonly database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.database = database;
  }

  async insertVersion(version: NewPackageVersion): Promise<'created' | 'exists'> {
    const values = versionInsertValues(version);
    const columns = Object.keys(values);
    return inTransaction(this.database, () => {
      this.database
        .prepare('INSERT INTO packages (id_lower, id, created_at) VALUES (?, ?, ?) ON CONFLICT (id_lower) DO NOTHING')
        .run(version.idLower, version.id, version.publishedAt.toISOString());
      const result = this.database
        .prepare(
          `INSERT INTO package_versions (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})
           ON CONFLICT (id_lower, version_lower) DO NOTHING`,
        )
        .run(values);
      return result.changes === 1 ? 'created' : 'exists';
    });
  }

  async findVersion(idLower: string, versionLower: string): Promise<StoredVersion | undefined> {
    const row = this.database
      .prepare(`SELECT ${VERSION_COLUMNS} FROM package_versions v JOIN packages p ON p.id_lower = v.id_lower
                WHERE v.id_lower = ? AND v.version_lower = ?`)
      .get(idLower, versionLower);
    return row ? rowToStoredVersion(row) : undefined;
  }

  async listVersions(idLower: string): Promise<StoredVersion[]> {
    return this.database
      .prepare(`SELECT ${VERSION_COLUMNS} FROM package_versions v JOIN packages p ON p.id_lower = v.id_lower
                WHERE v.id_lower = ? ORDER BY v.sort_key`)
      .all(idLower)
      .map(rowToStoredVersion);
  }

  async setListed(idLower: string, versionLower: string, listed: boolean): Promise<boolean> {
    const result = this.database
      .prepare('UPDATE package_versions SET listed = ? WHERE id_lower = ? AND version_lower = ?')
      .run(listed ? 1 : 0, idLower, versionLower);
    return Number(result.changes) === 1;
  }

  async addDownloads(counts: readonly DownloadCount[]): Promise<void> {
    if (counts.length === 0) return;
    const update = this.database.prepare('UPDATE package_versions SET downloads = downloads + ? WHERE id_lower = ? AND version_lower = ?');
    inTransaction(this.database, () => {
      for (const { idLower, versionLower, count } of counts) update.run(count, idLower, versionLower);
    });
  }

  async referencedBlobKeys(): Promise<Set<BlobKey>> {
    const keys = new Set<BlobKey>();
    const rows = this.database
      .prepare('SELECT package_blob, nuspec_blob, readme_blob, icon_blob, license_blob FROM package_versions')
      .all();
    for (const row of rows) {
      for (const value of Object.values(row)) if (typeof value === 'string') keys.add(value);
    }
    return keys;
  }
}
