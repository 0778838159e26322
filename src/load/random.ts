/** Seeded randomness, so that a scenario with a seed draws the same request sequence on every run. */

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for load mixes; not for anything secret. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], uniform. */
export function uniformInt(random: Random, min: number, max: number): () => number {
  const span = max - min + 1;
  return () => min + Math.floor(random() * span);
}

/**
 * Integer in [1, n] with P(k) proportional to 1/k^s: a few hot keys and a long tail, as cache traffic is.
 * The CDF is precomputed once (n is bounded by the scenario schema) and sampled by binary search.
 */
export function zipfInt(random: Random, n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / Math.pow(k, s);
    cdf[k - 1] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** Exponential inter-arrival gap with the given mean: the gaps of a Poisson process. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
