/** Display units: microseconds inside, a readable unit at the edge. */

export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

export function formatRate(rps: number): string {
  return rps >= 100 ? Math.round(rps).toLocaleString('en-US') : rps.toFixed(1);
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 2)}%`;
}
