import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamAnswers } from './upstream-answers.ts';

describe('remembered upstream answers', () => {
  const setup = (maxWeight = 100) => {
    let now = 0;
    const answers = new UpstreamAnswers<readonly string[]>({ ttlMs: 1000, maxWeight, weightOf: (value) => value.length, now: () => new Date(now) });
    return { answers, advance: (ms: number) => (now += ms) };
  };

  it('reuses an answer within its time, then asks again', async () => {
    const { answers, advance } = setup();
    let asked = 0;
    const fetch = async () => [`v${++asked}`];
    assert.deepEqual(await answers.get('a', fetch), ['v1']);
    advance(999);
    assert.deepEqual(await answers.get('a', fetch), ['v1']);
    advance(1);
    assert.deepEqual(await answers.get('a', fetch), ['v2']);
  });

  it('shares one fetch among callers asking at once', async () => {
    const { answers } = setup();
    let asked = 0;
    let release: (value: string[]) => void = () => {};
    const fetch = () => {
      asked += 1;
      return new Promise<string[]>((resolve) => (release = resolve));
    };
    const both = Promise.all([answers.get('a', fetch), answers.get('a', fetch)]);
    release(['1.0.0']);
    assert.deepEqual(await both, [['1.0.0'], ['1.0.0']]);
    assert.equal(asked, 1);
  });

  it('keeps neither an answer that reached no source nor a failure', async () => {
    const { answers } = setup();
    let asked = 0;
    assert.equal(await answers.get('a', async () => (asked++, undefined)), undefined);
    await assert.rejects(answers.get('a', async () => (asked++, Promise.reject(new Error('down')))));
    assert.deepEqual(await answers.get('a', async () => (asked++, ['1.0.0'])), ['1.0.0']);
    assert.equal(asked, 3);
  });

  it('drops the oldest answers past its weight', async () => {
    const { answers } = setup(25);
    const tens = Array.from({ length: 10 }, (_, index) => `${index}.0.0`);
    let asked = 0;
    const fetch = async () => (asked++, tens);
    await answers.get('a', fetch);
    await answers.get('b', fetch);
    await answers.get('c', fetch); // 33 > 25: 'a' goes
    assert.equal(asked, 3);
    await answers.get('c', fetch);
    await answers.get('b', fetch);
    assert.equal(asked, 3, 'b and c are kept');
    await answers.get('a', fetch);
    assert.equal(asked, 4, 'a was dropped');
  });
});
