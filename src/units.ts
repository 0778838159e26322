/** Display units: microseconds inside, a readable unit at the edge. */

export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

export function formatRate(rps: number): string {
  return rps >= 100 ? formatCount(Math.round(rps)) : rps.toFixed(1);
}

/**
 * A whole number with thousands separators, as `toLocaleString('en-US')` writes it, without Intl: its first
 * use loads ICU's locale data, ~30 ms of CPU at every run's end, and the generator's CPU is measured.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 2)}%`;
}

/** A ratio as a signed change: 1.208 -> "+20.8%", 0.95 -> "-5.0%". */
export function formatChange(ratio: number): string {
  const percent = (ratio - 1) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

export function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * `value` with `fractionDigits` digits after the point, as Intl.NumberFormat('en-US', { minimumFractionDigits,
 * maximumFractionDigits, useGrouping: false }) writes it (HdrHistogram's .hgrm text is written so), without
 * its cost per call. Intl rounds the shortest decimal that reads back as the number (String()'s digits) half
 * away from zero, where toFixed rounds the exact binary value (0.95 is 0.9499...: "0.9" against Intl's "1.0");
 * the rare exponent form is left to Intl.
 */
export function fixedAsIntl(value: number, fractionDigits: number): string {
  const text = String(value);
  if (text.includes('e') || value < 0 || Object.is(value, -0) || !Number.isFinite(value)) {
    return new Intl.NumberFormat('en-US', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits, useGrouping: false }).format(value);
  }
  const point = text.indexOf('.');
  const whole = point < 0 ? text : text.slice(0, point);
  const fraction = point < 0 ? '' : text.slice(point + 1);
  if (fraction.length <= fractionDigits) {
    return fractionDigits === 0 ? whole : `${whole}.${fraction.padEnd(fractionDigits, '0')}`;
  }
  const digits = (whole + fraction.slice(0, fractionDigits)).split('').map(Number);
  if (fraction.charCodeAt(fractionDigits) >= 53) {
    // '5' or above: carry through the kept digits from the last one.
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i >= 0) digits[i]!++;
    else digits.unshift(1);
  }
  const all = digits.join('');
  return fractionDigits === 0 ? all : `${all.slice(0, all.length - fractionDigits)}.${all.slice(all.length - fractionDigits)}`;
}
