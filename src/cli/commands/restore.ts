/** `pallet restore SRC`: a backup into an empty data folder (see app/maintenance/restore.ts). */
import path from 'node:path';
import { blobStoreAt, openDatabaseForTools } from '../../app.ts';
import { lockDataFolder } from '../../stores/data-folder-lock.ts';
import { mkdir } from 'node:fs/promises';
import { configFromFlags } from '../config-options.ts';
import { formatBytes, reportToolError } from '../output.ts';
import type { Command } from '../command.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a backup into an empty data folder',
  synopsis: 'pallet restore <backup-folder> [options]',
  details:
    'Copies a finished backup (see `pallet backup`) into the data folder, which must be empty, checking the\n' +
    "database and every blob's SHA-512 on the way; no server may run on the folder meanwhile. Then start\n" +
    '`pallet serve` on it. Exit code 0 on success; on failure the data folder is left empty.',
  options: {},
  minPositionals: 1,
  maxPositionals: 1,
  async run(values, positionals) {
    const config = configFromFlags(values);
    if (!config) return 2;
    const source = path.resolve(positionals[0] as string);
    try {
      const { restoreData } = await import('../../app/maintenance/restore.ts');
      await mkdir(config.dataDir, { recursive: true });
      const lock = lockDataFolder(config.dataDir);
      try {
        const report = await restoreData({ openDatabase: (file) => openDatabaseForTools(file, 'read'), blobStoreAt }, source, config.dataDir);
        process.stdout.write(`pallet restore: ${report.versions} versions, ${report.blobs} blobs (${formatBytes(report.bytes)}) restored into ${config.dataDir}\n`);
        return 0;
      } finally {
        lock.release();
      }
    } catch (error) {
      return reportToolError('restore', error);
    }
  },
};
