/** `pallet verify [--repair]`: checks the data folder (see app/maintenance/verify-data.ts); exit 0 only when all is well. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { blobStoreAt, openDatabaseForTools } from '../../app.ts';
import { dataFolderLayout } from '../../data-folder.ts';
import type { BlobStore } from '../../app/ports.ts';
import { configFromFlags } from '../config-options.ts';
import { formatBytes, reportToolError } from '../output.ts';
import type { Command } from '../command.ts';

type InspectUploadFile = typeof import('../../app/packages/inspect-upload.ts').inspectUploadFile;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check that every stored version can be served, byte for byte',
  synopsis: 'pallet verify [--repair] [options]',
  details:
    "Reads every version's blobs and checks them against their SHA-512, checks each row and the search rows\n" +
    "derived from them, runs the database's own integrity check, and counts blobs no version references.\n" +
    'Safe while the server runs. With --repair it only does what is safe: files extracted from an intact\n' +
    '.nupkg (nuspec, readme, icon, license) are extracted again, and search rows are rebuilt; nothing\n' +
    'referenced is ever deleted. Exit code 0: no problem left; 1: problems (listed); 2: bad usage.\n\n' +
    'Options:\n  --repair                       fix what can be fixed safely',
  options: { repair: { type: 'boolean' } },
  minPositionals: 0,
  maxPositionals: 0,
  async run(values) {
    const config = configFromFlags(values);
    if (!config) return 2;
    const repair = values.repair === true;
    const layout = dataFolderLayout(config.dataDir);
    try {
      const [{ verifyData }, { inspectUploadFile }] = await Promise.all([
        import('../../app/maintenance/verify-data.ts'),
        import('../../app/packages/inspect-upload.ts'),
      ]);
      const opened = openDatabaseForTools(layout.database, repair ? 'write' : 'read');
      const blobs = blobStoreAt(layout.blobs);
      const scratch = await mkdtemp(path.join(tmpdir(), 'pallet-verify-'));
      try {
        const report = await verifyData(
          { packages: opened.packages, database: opened.database, blobs, extractFiles: (key) => extractFromBlob(blobs, key, scratch, inspectUploadFile) },
          { repair },
        );
        for (const problem of report.problems) {
          process.stdout.write(`${problem.repaired ? 'repaired' : 'PROBLEM'}: ${problem.subject}: ${problem.message}\n`);
        }
        const remaining = report.problems.filter((problem) => !problem.repaired).length;
        const repaired = report.problems.length - remaining;
        process.stdout.write(
          `pallet verify: ${report.versions} versions, ${report.blobsChecked} blobs (${formatBytes(report.bytesChecked)}) checked; ` +
            `${remaining} problem(s)${repaired > 0 ? `, ${repaired} repaired` : ''}; ` +
            `${report.orphanBlobs} unreferenced blob(s) (${formatBytes(report.orphanBytes)}), removed by garbage collection an hour after they were written\n`,
        );
        return remaining === 0 ? 0 : 1;
      } finally {
        opened.close();
        await rm(scratch, { recursive: true, force: true });
      }
    } catch (error) {
      return reportToolError('verify', error);
    }
  },
};

async function extractFromBlob(blobs: BlobStore, key: string, scratch: string, inspectUploadFile: InspectUploadFile) {
  const stream = await blobs.open(key);
  if (!stream) throw new Error(`blob ${key} is missing`);
  const file = path.join(scratch, `${key.slice(0, 32)}.nupkg`);
  await pipeline(stream, createWriteStream(file));
  try {
    return await inspectUploadFile(file);
  } finally {
    await rm(file, { force: true });
  }
}
