/** A `pallet` subcommand: its own flags on top of the shared configuration flags. */
import type { ParseArgsConfig } from 'node:util';

export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** `pallet backup <folder> [options]`. */
  readonly synopsis: string;
  /** Text after the synopsis: what it does, its own options, its exit codes. */
  readonly details: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly maxPositionals: number;
  readonly minPositionals: number;
  /** Imports what only this command uses (with `import()`), so that starting `serve` does not load it. */
  run(values: ParsedValues, positionals: string[]): Promise<number>;
}
