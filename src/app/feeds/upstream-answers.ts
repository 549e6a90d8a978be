/**
 * What upstream sources answered, reused for a bounded time (`upstreamCacheTime`) and bounded in size: a
 * weight per answer (its number of versions), the oldest answers dropped first past `maxWeight`. Callers
 * asking for one key while it is being fetched share the one fetch. A fetch that reached no source
 * (undefined) is not kept, so the next read asks again.
 */
export class UpstreamAnswers<T> {
  private readonly answers = new Map<string, { readonly value: Promise<T | undefined>; readonly at: number; weight: number }>();
  private heldWeight = 0;
  private readonly ttlMs: number;
  private readonly maxWeight: number;
  private readonly weightOf: (value: T) => number;
  private readonly now: () => Date;

  constructor(options: { readonly ttlMs: number; readonly maxWeight: number; readonly weightOf: (value: T) => number; readonly now: () => Date }) {
    this.ttlMs = options.ttlMs;
    this.maxWeight = options.maxWeight;
    this.weightOf = options.weightOf;
    this.now = options.now;
  }

  get(key: string, fetch: () => Promise<T | undefined>): Promise<T | undefined> {
    const at = this.now().getTime();
    const held = this.answers.get(key);
    if (held !== undefined && at - held.at < this.ttlMs) return held.value;
    if (held !== undefined) this.drop(key);
    const value = fetch();
    const answer = { value, at, weight: 0 };
    this.answers.set(key, answer);
    value.then(
      (result) => {
        if (this.answers.get(key) !== answer) return;
        if (result === undefined) {
          this.drop(key);
          return;
        }
        answer.weight = 1 + this.weightOf(result);
        this.heldWeight += answer.weight;
        // Map order is insertion order: the first keys are the oldest answers.
        for (const oldest of this.answers.keys()) {
          if (this.heldWeight <= this.maxWeight || oldest === key) break;
          this.drop(oldest);
        }
      },
      () => {
        if (this.answers.get(key) === answer) this.drop(key);
      },
    );
    return value;
  }

  private drop(key: string): void {
    const held = this.answers.get(key);
    if (held === undefined) return;
    this.heldWeight -= held.weight;
    this.answers.delete(key);
  }
}
