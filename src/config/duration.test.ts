import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  const valid: [number | string, number][] = [
    [30, 30_000],
    [0.5, 500],
    ['30', 30_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['30d', 2_592_000_000],
    [' 2 M ', 120_000],
    ['0', 0],
  ];
  for (const [input, milliseconds] of valid) {
    it(`${JSON.stringify(input)} → ${milliseconds} ms`, () => assert.equal(parseDuration(input), milliseconds));
  }
  for (const input of ['', 'soon', '-1s', '1w', '1e3', '10 minutes', Number.NaN, -1, Number.POSITIVE_INFINITY, '1'.repeat(40) + 'h']) {
    it(`refuses ${JSON.stringify(String(input))}`, () => assert.equal(parseDuration(input), undefined));
  }
});
