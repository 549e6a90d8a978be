/** Parses durations such as `30s`, `15m`, `1h`, `30d`, `500ms` or a bare number of seconds into milliseconds. */

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};

export function parseDuration(value: number | string): number | undefined {
  // A bare number is seconds: `bodyTimeout: 30` must not mean 30 ms.
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return undefined;
  const milliseconds = Math.round(Number(match[1]) * (UNITS[(match[2] ?? 's').toLowerCase()] as number));
  return Number.isSafeInteger(milliseconds) ? milliseconds : undefined;
}
