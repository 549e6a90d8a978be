/** Named SQL parameters allocated while a query's text is built, so values can never drift out of order. */
import type { SQLInputValue } from 'node:sqlite';

export class SqlParams {
  readonly values: Record<string, SQLInputValue> = {};
  private count = 0;

  /** Registers a value and returns its placeholder (`:p1`, `:p2`, …) for the SQL text. */
  add(value: SQLInputValue): string {
    this.count += 1;
    const name = `p${this.count}`;
    this.values[name] = value;
    return `:${name}`;
  }
}
