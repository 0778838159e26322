import { describe, expect, it } from 'vitest';
import { amplification } from '../../src/analyze/amplification.js';
import { describeInvalidations, invalidationStats } from '../../src/analyze/invalidations.js';
import { kneeResult, searchEnded, stepPasses } from '../../src/analyze/knee.js';
import { attributeTail } from '../../src/analyze/attribution.js';
import { hopAnalysis } from '../../src/analyze/hops.js';
import { correlatePauses } from '../../src/analyze/gc-correlation.js';
import { counterDeltas, sumCounters } from '../../src/record/observers/prometheus-text.js';
import { breakdown, parseServerTiming } from '../../src/record/server-timing.js';
import { HopRecorder, OUTSIDE, type TailSample } from '../../src/record/hop-recorder.js';
import { tailSentence } from '../../src/report/tail-sentence.js';
import { kindDescriptor } from '../../src/scenario/reference-kinds.js';

describe('Server-Timing parsing', () => {
  it('reads entries in order with their dur in ms', () => {
    expect(parseServerTiming('fastjson-api;dur=1.482, rust-cache-server;dur=1.210, origin;dur=1.003')).toEqual([
      { name: 'fastjson-api', durMs: 1.482 },
      { name: 'rust-cache-server', durMs: 1.21 },
      { name: 'origin', durMs: 1.003 },
    ]);
  });

  it.each([
    ['missing dur', 'a;desc="x", b;dur=2', [{ name: 'b', durMs: 2 }]],
    ['quoted dur and other params', 'a;desc=x;DUR="3.5"', [{ name: 'a', durMs: 3.5 }]],
    ['negative and non-numeric dur', 'a;dur=-1, b;dur=abc, c;dur=', []],
    ['an empty header', '', []],
    ['bad names', ' ;dur=1, "q";dur=2, ok;dur=0', [{ name: 'ok', durMs: 0 }]],
    ['junk', ';;;,,,=;dur', []],
  ])('skips what is malformed: %s', (_what, header, expected) => {
    expect(parseServerTiming(header)).toEqual(expected);
  });

  it("turns inclusive durs into each hop's own time, and the rest into the residual", () => {
    const b = breakdown(2000, parseServerTiming('api;dur=1.5, cache;dur=1.2, origin;dur=1.0'));
    expect([...b.selfUs]).toEqual([['api', 300], ['cache', 200], ['origin', 1000]]);
    expect(b.outsideUs).toBe(500);
  });

  it('never reports negative time when an inner hop reads longer than its caller', () => {
    const b = breakdown(100, parseServerTiming('api;dur=1.0, cache;dur=1.2'));
    expect(b.selfUs.get('api')).toBe(0);
    expect(b.outsideUs).toBe(0);
  });
});

describe('tail attribution', () => {
  const sample = (latencyUs: number, api: number, cache: number, outside: number): TailSample => ({
    latencyUs,
    hopsUs: new Map([['api', api], ['cache', cache], [OUTSIDE, outside]]),
  });

  it('names the hop that dominated the requests above the threshold, with shares adding to 1', () => {
    const samples = [sample(1000, 100, 100, 800), sample(12_300, 1900, 9800, 600), sample(12_300, 1900, 9800, 600)];
    const a = attributeTail('p99', 12_300, samples);
    expect(a.requests).toBe(2);
    expect(a.hops[0]).toMatchObject({ name: 'cache', meanUs: 9800, dominatedCount: 2 });
    expect(a.hops.reduce((s, h) => s + h.share, 0)).toBeCloseTo(1, 9);
    expect(tailSentence(a)).toBe('p99 12.3ms; the 2 requests at or above it took 12.3ms on average: 9.80ms in cache (80%), 1.90ms in api, 600us outside');
  });

  it('says so when no request of the tail had timings', () => {
    expect(tailSentence(attributeTail('p99.9', 5000, []))).toBe('p99.9 5.00ms: no request with hop timings in this tail');
  });

  it('keeps breakdowns for the tail only, and attributes it end to end from raw headers', () => {
    const hops = new HopRecorder();
    for (let i = 0; i < 5000; i++) hops.response(1000, 'api;dur=0.9, cache;dur=0.5');
    hops.interval();
    for (let i = 0; i < 100; i++) hops.response(60_000, 'api;dur=59.9, cache;dur=59.5');
    hops.response(900, undefined);
    const analysis = hopAnalysis(hops.recording)!;
    expect(analysis.sampledShare).toBeCloseTo(5100 / 5101, 9);
    expect(analysis.hops.map((h) => h.name)).toEqual(['api', 'cache']);
    expect(analysis.tails[0]!.hops[0]!.name).toBe('cache');
    expect(tailSentence(analysis.tails[0]!)).toMatch(/^p99 60\.\dms; the \d+ requests at or above it took 60\.0ms on average: 59\.\dms in cache \(99%\)/);
  });
});

describe('GC correlation', () => {
  const log = (entries: [number, number][]) => ({ forEach: (visit: (s: number, l: number) => void) => entries.forEach(([s, l]) => visit(s, l)) });

  it('puts requests overlapping a pause apart from the others', () => {
    const pauses = [{ tMs: 100, durationUs: 50_000 }, { tMs: 1000, durationUs: 1000 }];
    const c = correlatePauses(pauses, log([
      [90, 20_000], // 90..110 overlaps the first pause
      [149, 5_000], // starts inside it
      [160, 500], // after it
      [999.5, 400], // ends at 999.9, just before the second
      [1000.5, 2000], // inside the second
      [10, 100], // long before
    ]))!;
    expect(c.requestsDuringPause).toBe(3);
    expect(c.duringPause.maxUs).toBeGreaterThanOrEqual(20_000);
    expect(c.otherwise.count).toBe(3);
    expect(c.otherwise.maxUs).toBeLessThan(600);
  });

  it('has nothing to correlate without pauses', () => {
    expect(correlatePauses([], log([[1, 1]]))).toBeUndefined();
  });
});

describe('per-hop counts from /metrics', () => {
  const text = (items: number, timeouts: number) => `# HELP fastjson_requests_total Requests
# TYPE fastjson_requests_total counter
fastjson_requests_total{route="/v1/items/{id}",status="200"} ${items}
fastjson_requests_total{route="/metrics",status="200"} 99
fastjson_requests_total{route="/v1/items/{id}",status="504"} 2
fastjson_upstream_timeouts_total ${timeouts}
fastjson_in_flight_requests 3
`;

  it('sums counters by name, ignoring hopscope\'s own probes and gauges', () => {
    const sums = sumCounters(text(10, 1));
    expect(sums.get('fastjson_requests_total')).toBe(12);
    expect(sums.get('fastjson_upstream_timeouts_total')).toBe(1);
    expect(sums.has('fastjson_in_flight_requests')).toBe(false);
  });

  it('computes amplification from deltas: deepest-hop requests per client request', () => {
    const api = counterDeltas(sumCounters(text(10, 1)), sumCounters(text(110, 6)));
    const origin = new Map([['fastjson_requests_total', 250]]);
    const a = amplification(
      [{ service: 'api', counters: kindDescriptor('fastjson-api').counters, deltas: api }, { service: 'origin', counters: kindDescriptor('fastjson-api').counters, deltas: origin }],
      100,
      'origin',
    );
    expect(a.perService[0]).toMatchObject({ service: 'api', requests: 100, upstreamRequests: 0, timeouts: 5, retries: 0 });
    expect(a.perService[0]!.counters.fastjson_upstream_timeouts_total).toBe(5);
    expect(a.deepestPerClientRequest).toBe(2.5);
  });
});

describe('Server-Timing with up= (time waited on the upstream)', () => {
  it("gives the next hop the part of the caller's wait that its own dur does not cover", () => {
    // The cache was frozen 40 ms before it read the request: its dur cannot show it, the api's up does.
    const entries = parseServerTiming('fastjson-api;dur=41.5;up=41.2, rust-cache-server;dur=1.1;up=0.9, origin;dur=0.8');
    expect(entries[0]).toEqual({ name: 'fastjson-api', durMs: 41.5, upMs: 41.2 });
    const b = breakdown(42_000, entries);
    expect([...b.selfUs]).toEqual([['fastjson-api', 300], ['rust-cache-server', 40_100 + 200], ['origin', 100 + 800]]);
    expect(b.outsideUs).toBe(500);
  });

  it('puts the wait of a failed call (no inner entry) under "<caller>:upstream"', () => {
    const b = breakdown(25_500, parseServerTiming('fastjson-api;dur=25.2;up=25.0'));
    expect([...b.selfUs]).toEqual([['fastjson-api', 200], ['fastjson-api:upstream', 25_000]]);
  });
});

describe('cache invalidations over a phase', () => {
  const node = (counters: Record<string, number>) => ({ service: 'cache', requests: 0, upstreamRequests: 0, timeouts: 0, retries: 0, counters });

  it('adds the nodes up and takes the mean lag over the applied ones', () => {
    const stats = invalidationStats({
      perService: [
        node({ rcs_invalidations_sent_total: 30, rcs_invalidations_coalesced_total: 2, rcs_invalidations_applied_total: 10, rcs_invalidation_lag_seconds_sum: 1, rcs_invalidation_lag_seconds_count: 10 }),
        node({ rcs_invalidations_sent_total: 10, rcs_invalidations_dropped_total: 1, rcs_invalidations_applied_total: 30, rcs_invalidation_lag_seconds_sum: 3, rcs_invalidation_lag_seconds_count: 30 }),
      ],
      deepestPerClientRequest: undefined,
    });
    expect(stats).toEqual({ sent: 40, applied: 40, coalesced: 2, dropped: 1, failed: 0, meanLagUs: 100_000 });
    expect(describeInvalidations(stats!, (us) => `${us}us`)).toBe('40 sent, 40 applied, 2 coalesced, 1 dropped, 0 failed; mean lag 100000us from write to peer');
  });

  it('is absent for a phase without invalidations, or without counters at all', () => {
    expect(invalidationStats({ perService: [node({ rcs_requests_total: 5 })], deepestPerClientRequest: 1 })).toBeUndefined();
    expect(invalidationStats(undefined)).toBeUndefined();
  });
});

describe('find-knee', () => {
  const knee = { percentile: 99, belowUs: 5000, maxErrorRate: 0.01 };
  const step = (rateRps: number, latencyUs: number, errorRate = 0) => ({ rateRps, achievedRps: rateRps, latencyUs, errorRate, pass: stepPasses(knee, latencyUs, errorRate) });

  it('a step passes below the latency and at or under the error rate', () => {
    expect(stepPasses(knee, 4999, 0.01)).toBe(true);
    expect(stepPasses(knee, 5000, 0)).toBe(false);
    expect(stepPasses(knee, 100, 0.011)).toBe(false);
  });

  it('goes on past one failing step, and ends at the second in a row', () => {
    const steps = [step(2000, 900), step(4000, 6000)];
    expect(searchEnded(steps)).toBe(false);
    steps.push(step(6000, 1200));
    expect(searchEnded(steps)).toBe(false);
    steps.push(step(8000, 7000), step(10_000, 9000));
    expect(searchEnded(steps)).toBe(true);
    // The failure at 4000 was noise: 6000 met the SLO.
    expect(kneeResult(knee, steps)).toMatchObject({ slo: 'p99 < 5ms, errors <= 1%', highestPassingRps: 6000 });
  });

  it('has no passing rate when every step failed', () => {
    expect(kneeResult(knee, [step(2000, 8000), step(4000, 9000)]).highestPassingRps).toBeUndefined();
  });
});
