/**
 * For the few tests that guard against a parser stalling (quadratic or worse): the best of three runs, as a
 * stall shows in every run and a busy machine only in some. Bounds using it are loose on purpose.
 */
export function bestOfThreeMs(work: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
