/**
 * Server-Timing (W3C) parsing and the per-hop arithmetic hopscope's services follow (reference-services/spec):
 * entries run from the outermost hop to the innermost and each `dur` includes the hops behind it. A hop that
 * called an upstream also says how long it waited on it (`up`); without `up`, its own time is its dur minus
 * the next entry's.
 */

export interface TimingEntry {
  name: string;
  durMs: number;
  /** Time the hop spent waiting on its upstream call, when it says so. */
  upMs?: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Entries that have a name and a valid dur; malformed entries are skipped, never thrown on. */
export function parseServerTiming(header: string): TimingEntry[] {
  const entries: TimingEntry[] = [];
  for (const raw of header.split(',')) {
    const parts = raw.split(';');
    const name = parts[0]!.trim();
    if (!TOKEN.test(name)) continue;
    const dur = param(parts, 'dur');
    if (dur === undefined) continue;
    const up = param(parts, 'up');
    entries.push(up === undefined ? { name, durMs: dur } : { name, durMs: dur, upMs: up });
  }
  return entries;
}

/** A non-negative number parameter (quoted or not), or undefined when absent or malformed. */
function param(parts: string[], wanted: string): number | undefined {
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== wanted) continue;
    const text = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    const value = Number(text);
    return text.length > 0 && Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  return undefined;
}

export interface HopBreakdown {
  /**
   * Time per hop name, in order from the outermost; a name seen twice is summed. When the caller gave `up`,
   * the part of its wait that the next hop's dur does not cover (the request queued at a frozen or
   * overloaded next hop, or retries after its timeouts) is the next hop's; with no next entry (the call
   * failed) it goes under UPSTREAM_OF(caller).
   */
  selfUs: Map<string, number>;
  /** Client latency minus the first hop's dur: network, queueing, the generator. */
  outsideUs: number;
}

/** Where waiting on a failed upstream call (no entry of its own) is counted. */
export function upstreamOf(caller: string): string {
  return `${caller}:upstream`;
}

export function breakdown(latencyUs: number, entries: TimingEntry[]): HopBreakdown {
  const selfUs = new Map<string, number>();
  const add = (name: string, us: number) => selfUs.set(name, (selfUs.get(name) ?? 0) + Math.max(0, us));
  // durs have 1 us resolution (3 decimals of ms): whole microseconds keep the subtraction exact.
  const us = entries.map((e) => Math.round(e.durMs * 1000));
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const inner = us[i + 1] ?? 0;
    // Each process reads its own clock: a hop can read a hair shorter than its upstream (hence max 0).
    if (entry.upMs === undefined) {
      add(entry.name, us[i]! - inner);
      continue;
    }
    const upUs = Math.round(entry.upMs * 1000);
    add(entry.name, us[i]! - upUs);
    add(i + 1 < entries.length ? entries[i + 1]!.name : upstreamOf(entry.name), upUs - inner);
  }
  return { selfUs, outsideUs: Math.max(0, latencyUs - (us[0] ?? 0)) };
}
