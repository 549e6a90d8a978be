/**
 * `pallet export FEED FOLDER`: a feed written as a local folder feed (the hierarchical layout `dotnet restore
 * --source FOLDER` reads), from the data folder of a running server. The gallery is the feed 'default'.
 */
import path from 'node:path';
import { blobStoreAt } from '../../app.ts';
import { dataFolderLayout } from '../../data-folder.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a feed as a local folder feed (id/version/ with the .nupkg, .nupkg.sha512 and .nuspec)',
  synopsis: 'pallet export <feed> <folder> [options]',
  details:
    "The gallery is the feed 'default'. Every version is written, unlisted ones too; exporting again rewrites the same files.\n\n" +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: {},
  minPositionals: 2,
  maxPositionals: 2,
  async run(values, positionals) {
    const [feed, folder] = positionals as [string, string];
    return withToolDatabase('export', values, 'read', async (tools, config) => {
      const { exportFeed } = await import('../../app/feeds/export-feed.ts');
      const destination = path.resolve(folder);
      const { versions } = await exportFeed({ packages: tools.packages, blobs: blobStoreAt(dataFolderLayout(config.dataDir).blobs), feeds: tools.feeds }, feed, destination, (version) => {
        process.stderr.write(`pallet export: ${version.registrationId} ${version.versionFull}\n`);
      });
      process.stdout.write(`pallet export: ${versions} versions of '${feed}' in ${destination}\n`);
      return 0;
    });
  },
};
