/** What the administrator's tools print: sizes people read, and failures as one line instead of a stack. */
import { BackupError } from '../app/maintenance/backup.ts';
import { ToolDatabaseError } from '../stores/metadata/sqlite-database.ts';
import { DataFolderInUseError } from '../stores/data-folder-lock.ts';
import { AppError } from '../errors.ts';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Prints an expected failure as its message and returns exit code 1; anything else is rethrown. */
export function reportToolError(command: string, error: unknown): number {
  if (error instanceof BackupError || error instanceof ToolDatabaseError || error instanceof DataFolderInUseError || error instanceof AppError) {
    process.stderr.write(`pallet ${command}: ${error.message}\n`);
    return 1;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'ENOSPC') {
    process.stderr.write(`pallet ${command}: ${(error as Error).message}\n`);
    return 1;
  }
  throw error;
}

/** The use cases' log when a command prints its own outcome: nothing of it is shown. */
export const quietLog = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined };
