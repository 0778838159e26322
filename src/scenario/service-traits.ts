/** Traits a service has whatever it is made from: its language, where its GC and its counters can be read. */

export const LANGUAGES = ['go', 'rust', 'java', 'node', 'python', 'other'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where a service's GC pauses can be read: Go's expvar memstats, the reference service's /debug/gc, or nowhere. */
export type GcSource = { source: 'go-expvar'; path: string } | { source: 'hopscope'; path: string } | { source: 'none' };

/** Where a service's Prometheus counters are, and which names count what (summed per role). */
export interface CounterNames {
  /** The text-format endpoint, e.g. /metrics. */
  path: string;
  requests: readonly string[];
  upstream: readonly string[];
  timeouts: readonly string[];
  retries: readonly string[];
}
