/**
 * `pallet import FOLDER [--feed NAME]`: every `.nupkg` under a local folder feed (flat, or the hierarchical
 * layout of `nuget add`) pushed into a feed (the gallery by default) on the data folder of a running
 * server, through the same push and package checks as the protocol's. A progress bar on a terminal (a line
 * per package otherwise); each invalid package is reported with its reason and the import goes on; a second
 * run finds every version present.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { blobStoreAt } from '../../app.ts';
import { dataFolderLayout } from '../../data-folder.ts';
import { quietLog } from '../output.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';
import type { ImportOutcome } from '../../app/feeds/import-folder.ts';

function progressLine(outcome: ImportOutcome, index: number, total: number): string {
  const shown = outcome.outcome === 'imported' ? `imported ${outcome.id} ${outcome.version}` : outcome.outcome === 'present' ? 'already in the feed' : `refused: ${outcome.reason}`;
  return `[${index + 1}/${total}] ${path.basename(outcome.file)}: ${shown}`;
}

function bar(index: number, total: number): string {
  const width = 30;
  const done = Math.round(((index + 1) / total) * width);
  return `\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${index + 1}/${total}`;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import every .nupkg under a folder (flat or hierarchical) into a feed',
  synopsis: 'pallet import <folder> [--feed <name>] [options]',
  details:
    'Each package goes through the same checks as a push; a version the feed has already is skipped, an invalid package is\n' +
    'reported with its reason and the import goes on. The folder is read, never changed.\n\n' +
    'Works on the data folder of a running server. Exit code 0 when every package is imported or present, 1 when some were\n' +
    'refused (each reason is printed), 2: bad usage.',
  options: { feed: { type: 'string' } },
  minPositionals: 1,
  maxPositionals: 1,
  async run(values, positionals) {
    const folder = path.resolve(positionals[0] as string);
    return withToolDatabase('import', values, 'write', async (tools, config) => {
      const { importFolder } = await import('../../app/feeds/import-folder.ts');
      const { BlobGate } = await import('../../app/blob-gate.ts');
      const { WorkerPackageInspector } = await import('../../workers/worker-package-inspector.ts');
      const layout = dataFolderLayout(config.dataDir);
      await mkdir(layout.temp, { recursive: true });
      const inspector = new WorkerPackageInspector();
      const onTerminal = process.stderr.isTTY === true;
      try {
        const outcomes = await importFolder(
          { packages: tools.packages, blobs: blobStoreAt(layout.blobs), blobGate: new BlobGate(), inspector, feeds: tools.feeds, now: () => new Date(), log: quietLog, tempDir: layout.temp },
          folder,
          typeof values.feed === 'string' ? values.feed : undefined,
          (outcome, index, total) => {
            if (onTerminal) {
              if (outcome.outcome === 'invalid') process.stderr.write(`\r${progressLine(outcome, index, total)}\n`);
              process.stderr.write(bar(index, total));
              if (index + 1 === total) process.stderr.write('\n');
            } else {
              process.stderr.write(`${progressLine(outcome, index, total)}\n`);
            }
          },
        );
        const count = (kind: ImportOutcome['outcome']) => outcomes.filter((outcome) => outcome.outcome === kind).length;
        process.stdout.write(`pallet import: ${count('imported')} imported, ${count('present')} already present, ${count('invalid')} refused, from ${folder}\n`);
        return count('invalid') === 0 ? 0 : 1;
      } finally {
        await inspector.close();
      }
    });
  },
};
