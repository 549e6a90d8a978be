import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteSize } from './byte-size.ts';

describe('parseByteSize', () => {
  const valid: [number | string, number][] = [
    [0, 0],
    [262144000, 262144000],
    ['262144000', 262144000],
    ['0', 0],
    ['1024B', 1024],
    ['1 b', 1],
    ['10KB', 10_000],
    ['10kb', 10_000],
    ['10 KiB', 10_240],
    ['250MiB', 262_144_000],
    ['250 mib', 262_144_000],
    ['250MB', 250_000_000],
    ['1.5 GB', 1_500_000_000],
    ['1.5GiB', 1_610_612_736],
    ['2 GiB', 2_147_483_648],
    ['  3 MB  ', 3_000_000],
    ['0.5 KiB', 512],
    ['1.0009 KB', 1000],
  ];
  for (const [input, bytes] of valid) {
    it(`${JSON.stringify(input)} → ${bytes}`, () => {
      assert.equal(parseByteSize(input), bytes);
    });
  }

  const invalid: (number | string)[] = [
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_SAFE_INTEGER + 1,
    '',
    '   ',
    'lots',
    'MiB',
    '-5',
    '-5 MB',
    '5 TB',
    '5 mibs',
    '5 M',
    '1e3',
    '0x10',
    '1,5 GB',
    '.5 GB',
    '5. GB',
    '10 MB extra',
    '99999999999999 GiB',
  ];
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input) ?? String(input)}`, () => {
      assert.equal(parseByteSize(input), undefined);
    });
  }
});
