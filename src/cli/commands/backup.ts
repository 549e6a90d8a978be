/** `pallet backup DEST`: an online, consistent backup of the data folder (see app/maintenance/backup.ts). */
import path from 'node:path';
import { blobStoreAt, openDatabaseForTools } from '../../app.ts';
import { dataFolderLayout } from '../../data-folder.ts';
import { configFromFlags } from '../config-options.ts';
import { formatBytes, reportToolError } from '../output.ts';
import type { Command } from '../command.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'copy the database and every referenced blob to a folder, while the server runs',
  synopsis: 'pallet backup <folder> [options]',
  details:
    'Takes a consistent snapshot of the database while pushes go on, then copies every blob it references,\n' +
    'checking each against its SHA-512. The folder must be new, empty, or an earlier Pallet backup (then only\n' +
    "new blobs are copied). The folder's pallet-backup.json is written last: without it the backup is not\n" +
    'finished. Restore it with `pallet restore <folder>` into an empty data folder. Exit code 0 on success.',
  options: {},
  minPositionals: 1,
  maxPositionals: 1,
  async run(values, positionals) {
    const config = configFromFlags(values);
    if (!config) return 2;
    const destination = path.resolve(positionals[0] as string);
    const layout = dataFolderLayout(config.dataDir);
    const relative = path.relative(config.dataDir, destination);
    const inside = relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
    if (inside) {
      process.stderr.write(`pallet backup: ${destination} is inside the data folder ${config.dataDir}; back up to another folder (better: another disk).\n`);
      return 2;
    }
    try {
      const { backupData } = await import('../../app/maintenance/backup.ts');
      const source = openDatabaseForTools(layout.database, 'read');
      try {
        const report = await backupData(
          {
            database: source.database,
            blobs: blobStoreAt(layout.blobs),
            openSnapshot: (file) => openDatabaseForTools(file, 'read'),
            blobStoreAt,
            now: () => new Date(),
          },
          destination,
        );
        process.stdout.write(
          `pallet backup: ${report.versions} versions, ${report.blobs} blobs (${formatBytes(report.bytes)}) in ${destination}; ` +
            `${report.blobsCopied} copied, ${report.blobsKept} already there\n`,
        );
        return 0;
      } finally {
        source.close();
      }
    } catch (error) {
      return reportToolError('backup', error);
    }
  },
};
