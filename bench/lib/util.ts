/** Small pure helpers shared by bench scripts. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Median of the values (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const maxOf = (values: readonly number[]): number => (values.length === 0 ? NaN : Math.max(...values));

/** `values` rotated left by `by` (wraps): alternates the order of targets between rounds. */
export function rotate<T>(values: readonly T[], by: number): T[] {
  const n = values.length;
  if (n === 0) return [];
  const k = ((by % n) + n) % n;
  return [...values.slice(k), ...values.slice(0, k)];
}

/** 81234.5 -> "81.2k"; below 1000 as a whole number. */
export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return '-';
  return rps >= 1000 ? `${(rps / 1000).toFixed(1)}k` : `${Math.round(rps)}`;
}

/** Microseconds as "412 µs" or "3.21 ms". */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '-';
  return us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

export const formatBytes = (bytes: number): string =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;

/** The value after a command-line flag (`--rounds 3` -> '3'), or undefined when the flag is absent. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
