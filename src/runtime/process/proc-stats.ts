/** Pure parsing and maths over /proc/<pid>/stat and /proc/<pid>/status, so they can be tested on fixed text. */

/**
 * USER_HZ: the unit of utime/stime. It is 100 on every Linux ABI Node supports (the kernel's HZ can differ,
 * but /proc always reports USER_HZ), so `getconf CLK_TCK` is not worth a child process.
 */
export const CLOCK_TICKS_PER_S = 100;

export interface ProcCpuReading {
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  atMs: number;
}

/**
 * utime + stime from a /proc/<pid>/stat line. Field 2 (comm) is in parentheses and may contain spaces and ')',
 * so fields are counted from the last ')'.
 */
export function parseCpuTicks(statLine: string): number {
  const afterComm = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(afterComm[14 - 3]);
  const stime = Number(afterComm[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat line: ${statLine}`);
  return utime + stime;
}

/** VmRSS from /proc/<pid>/status, in bytes (the file says kB, meaning KiB). */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error('no VmRSS line in /proc status (a zombie has none)');
  return Number(match[1]) * 1024;
}

/** Percent of one core used between two readings: 100 = one core busy the whole time, 200 = two cores. */
export function procCpuPercent(previous: ProcCpuReading, next: ProcCpuReading, ticksPerS = CLOCK_TICKS_PER_S): number {
  const wallMs = next.atMs - previous.atMs;
  if (wallMs <= 0) return 0;
  const cpuMs = ((next.cpuTicks - previous.cpuTicks) * 1000) / ticksPerS;
  return Math.max(0, (cpuMs / wallMs) * 100);
}
