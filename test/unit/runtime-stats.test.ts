import { describe, expect, it } from 'vitest';
import { cpuReading, dockerCpuPercent, dockerMemoryBytes } from '../../src/runtime/docker/stats.js';
import { parseCpuTicks, parseRssBytes, procCpuPercent } from '../../src/runtime/process/proc-stats.js';

describe('docker stats: CPU percent of one core', () => {
  const reading = (containerNs: number, systemNs: number, onlineCpus = 2) => ({ containerNs, systemNs, onlineCpus });

  it.each([
    // 2 cores, 1 s of wall time = 2e9 ns of system time.
    { name: 'one core busy', containerDeltaNs: 1e9, expected: 100 },
    { name: 'both cores busy', containerDeltaNs: 2e9, expected: 200 },
    { name: 'a quarter of a core', containerDeltaNs: 0.25e9, expected: 25 },
    { name: 'idle', containerDeltaNs: 0, expected: 0 },
  ])('$name → $expected %', ({ containerDeltaNs, expected }) => {
    expect(dockerCpuPercent(reading(5e9, 100e9), reading(5e9 + containerDeltaNs, 102e9))).toBeCloseTo(expected, 6);
  });

  it('is 0 when the system counter did not move (two reads in the same tick) or went back', () => {
    expect(dockerCpuPercent(reading(1e9, 100e9), reading(2e9, 100e9))).toBe(0);
    expect(dockerCpuPercent(reading(1e9, 100e9), reading(2e9, 99e9))).toBe(0);
  });

  it('reads a cgroup v2 cpu_stats, and takes the core count from percpu_usage on old cgroup v1 engines', () => {
    expect(cpuReading({ cpu_usage: { total_usage: 7 }, system_cpu_usage: 9, online_cpus: 4 })).toEqual({
      containerNs: 7,
      systemNs: 9,
      onlineCpus: 4,
    });
    expect(cpuReading({ cpu_usage: { total_usage: 7, percpu_usage: [3, 4] }, system_cpu_usage: 9 })?.onlineCpus).toBe(2);
  });

  it('has no reading for the empty precpu_stats of a one-shot call', () => {
    expect(cpuReading({ cpu_usage: { total_usage: 0 }, throttling_data: {} } as never)).toBeUndefined();
    expect(cpuReading({})).toBeUndefined();
    expect(cpuReading(undefined)).toBeUndefined();
  });
});

describe('docker stats: memory', () => {
  it.each([
    { name: 'cgroup v1 subtracts total_inactive_file', memory: { usage: 100, stats: { total_inactive_file: 30, cache: 50 } }, expected: 70 },
    { name: 'cgroup v2 subtracts inactive_file', memory: { usage: 100, stats: { inactive_file: 40 } }, expected: 60 },
    { name: 'old engines subtract cache', memory: { usage: 100, stats: { cache: 25 } }, expected: 75 },
    { name: 'never below zero', memory: { usage: 10, stats: { inactive_file: 40 } }, expected: 10 },
    { name: 'no stats at all', memory: {}, expected: 0 },
  ])('$name', ({ memory, expected }) => {
    expect(dockerMemoryBytes(memory)).toBe(expected);
  });
});

describe('/proc samples', () => {
  // A real line's shape; comm holds a space and a ')' to check fields are counted from the last ')'.
  const statLine =
    '4242 (weird) name) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 50 0 0 20 0 9 0 123456 987654 321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

  it('sums utime and stime (fields 14 and 15)', () => {
    expect(parseCpuTicks(statLine)).toBe(200);
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t    2048 kB\nThreads:\t9\n')).toBe(2048 * 1024);
    expect(() => parseRssBytes('Name:\tzombie\nState:\tZ (zombie)\n')).toThrow(/VmRSS/);
  });

  it.each([
    { name: 'one core for 1 s', ticks: 100, wallMs: 1000, expected: 100 },
    { name: 'two cores for 0.5 s', ticks: 100, wallMs: 500, expected: 200 },
    { name: 'idle', ticks: 0, wallMs: 1000, expected: 0 },
    { name: 'no time passed', ticks: 5, wallMs: 0, expected: 0 },
  ])('CPU percent: $name → $expected', ({ ticks, wallMs, expected }) => {
    expect(procCpuPercent({ cpuTicks: 10, atMs: 1000 }, { cpuTicks: 10 + ticks, atMs: 1000 + wallMs })).toBeCloseTo(expected, 6);
  });
});
