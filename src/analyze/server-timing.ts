/**
 * Server-Timing (W3C) parsing and the per-hop arithmetic hopscope's services follow (reference-services/spec):
 * entries run from the outermost hop to the innermost, each `dur` includes the hops behind it, so a hop's
 * own time is its dur minus the next entry's.
 */

export interface TimingEntry {
  name: string;
  durMs: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Entries that have a name and a valid dur; malformed entries are skipped, never thrown on. */
export function parseServerTiming(header: string): TimingEntry[] {
  const entries: TimingEntry[] = [];
  for (const raw of header.split(',')) {
    const parts = raw.split(';');
    const name = parts[0]!.trim();
    if (!TOKEN.test(name)) continue;
    for (let i = 1; i < parts.length; i++) {
      const param = parts[i]!;
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'dur') continue;
      const text = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      const value = Number(text);
      if (text.length > 0 && Number.isFinite(value) && value >= 0) entries.push({ name, durMs: value });
      break;
    }
  }
  return entries;
}

export interface HopBreakdown {
  /** Own time per hop name, in order from the outermost; a name seen twice is summed. */
  selfUs: Map<string, number>;
  /** Client latency minus the first hop's dur: network, queueing, the generator. */
  outsideUs: number;
}

export function breakdown(latencyUs: number, entries: TimingEntry[]): HopBreakdown {
  const selfUs = new Map<string, number>();
  // durs have 1 us resolution (3 decimals of ms): whole microseconds keep the subtraction exact.
  const us = entries.map((e) => Math.round(e.durMs * 1000));
  for (let i = 0; i < entries.length; i++) {
    // Each process reads its own clock: a hop can read a hair shorter than its upstream.
    const own = Math.max(0, us[i]! - (us[i + 1] ?? 0));
    selfUs.set(entries[i]!.name, (selfUs.get(entries[i]!.name) ?? 0) + own);
  }
  return { selfUs, outsideUs: Math.max(0, latencyUs - (us[0] ?? 0)) };
}
