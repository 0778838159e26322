/**
 * How a phase's load is divided: over the threads of `--workers N` (the main thread runs the first share)
 * and over the generators of a fleet (segment.ts). Connections are split as evenly as possible, and a
 * thread never gets none (the thread count is capped at the connection count).
 *
 * Threads share one open-loop schedule (load/shared-schedule.ts): each draws the whole rate and sends its
 * part, and enginesNeeded decides how many of them carry it. Generators on separate machines cannot share
 * a table, so a segment gets the rate divided: N independent Poisson streams at rate r/N add up to one
 * Poisson stream at rate r, and constant streams are offset (firstGapShare) to interleave evenly.
 */

import type { EnginePressure } from '../../load/engine.js';
import type { LoadModel } from '../../scenario/types.js';

export const MAX_WORKERS = 64;

export interface LoadShare {
  load: LoadModel;
  firstGapShare: number;
}

/** How many threads a phase really uses: at most one per connection. */
export function workersFor(load: LoadModel, requested: number): number {
  return Math.max(1, Math.min(requested, load.connections));
}

/** `--workers`: each thread's load: its connections, and an open loop's whole rate (the schedule is shared). */
export function threadLoads(load: LoadModel, workers: number): LoadModel[] {
  const n = workersFor(load, workers);
  return Array.from({ length: n }, (_, i) => ({ ...load, connections: Math.floor(load.connections / n) + (i < load.connections % n ? 1 : 0) }));
}

/** A fleet's generators: each one's connections, and its own schedule at rate / N. */
export function shareLoad(load: LoadModel, generators: number): LoadShare[] {
  return threadLoads(load, generators).map((share, i, all) => ({
    load: share.model === 'open' ? { ...share, fromRps: share.fromRps / all.length, toRps: share.toRps / all.length } : share,
    firstGapShare: i / all.length,
  }));
}

/**
 * An engine thread under more pressure than this (busy that share of the time, or its connections that
 * full at their peak) asks for one more. Below it, sends still leave on time: an engine busy half the time
 * waits for nothing but its due times, and one with half its connections free has one for each request.
 */
export const SPREAD_ABOVE = 0.6;
/**
 * Engines are gathered onto fewer while those would stay under these pressures each, by the sum of what
 * they carried apart: far from SPREAD_ABOVE, so that they do not swing back. Connections taken add up as
 * they are; busy time does not: the sum overstates the gathered engine (apart, each wakes for its own
 * sends; gathered, sends that fall due together leave in one wake-up). Two threads at 2,000 req/s summed
 * 0.31-0.38 busy, and the one that carried it afterwards read 0.20-0.24.
 */
export const GATHER_UNDER: Readonly<EnginePressure> = { busy: 0.45, connections: 0.35 };

/**
 * The rate one engine thread starts carrying alone, before any interval is measured: a thread at 2,000 req/s
 * was 13-21 % busy, so one carries about this much under GATHER_UNDER's busy share. Above it, as many
 * start as carry it at that rate each; the reviews correct the guess from each thread's measured pressure.
 */
export const START_RPS_PER_ENGINE = 4_000;

/**
 * How many of `max` engine threads start carrying an open loop. Not all of them: a thread that carries load
 * at all, even for its first 300 ms, compiles its hot path for it (~200 ms of CPU with V8's helper threads
 * at 2,000 req/s), even when the first review a second later leaves the load to one thread.
 */
export function enginesToStart(load: Extract<LoadModel, { model: 'open' }>, max: number): number {
  return Math.min(max, Math.max(1, Math.ceil(load.fromRps / START_RPS_PER_ENGINE)));
}

/**
 * How many of `max` engine threads should carry an open loop next, from each one's pressure over the last
 * interval (those not carrying included) while `active` carried it. More threads only when one is pressed,
 * fewer when the load would fit in them, by CPU and by connections (each thread has its own share of the
 * connections): one engine carrying a rate costs less than two carrying half of it each, because each
 * wakes for every one of its requests and a wake costs the same at any rate.
 */
export function enginesNeeded(active: number, pressures: readonly EnginePressure[], max: number): number {
  const fit = (key: keyof EnginePressure) => Math.ceil(pressures.reduce((sum, p) => sum + p[key], 0) / GATHER_UNDER[key]);
  const needed = Math.max(1, fit('busy'), fit('connections'));
  if (pressures.some((p) => p.busy > SPREAD_ABOVE || p.connections > SPREAD_ABOVE)) return Math.min(max, Math.max(active + 1, needed));
  return Math.min(active, needed);
}
