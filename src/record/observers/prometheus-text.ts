/**
 * Sums of Prometheus text-format counters (and histogram _sum/_count) by metric name, leaving out
 * hopscope's own probes. Pure.
 */

/** Routes hopscope itself calls (health checks, scrapes, GC polls) or the cluster's internal traffic. */
const OWN_ROUTES = /(healthz|metrics|debug|internal)/;

export function sumCounters(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    // Label values are quoted and may hold braces themselves: route="/v1/items/{id}".
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels, value] = match;
    if (!/_(total|sum|count)$/.test(name!)) continue;
    const route = labels && /route="([^"]*)"/.exec(labels)?.[1];
    if (route && OWN_ROUTES.test(route)) continue;
    const n = Number(value);
    if (Number.isFinite(n)) sums.set(name!, (sums.get(name!) ?? 0) + n);
  }
  return sums;
}

export function counterDeltas(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const [name, value] of after) deltas.set(name, Math.max(0, value - (before.get(name) ?? 0)));
  return deltas;
}
