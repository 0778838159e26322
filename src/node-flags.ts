/**
 * Whether this Node was started with a flag matching `pattern`, on its command line or in NODE_OPTIONS: where
 * the user chose a V8 or Node setting themselves, hopscope leaves it to them.
 */
export function startedWith(pattern: RegExp): boolean {
  return pattern.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
}

/**
 * V8 flags the CLI starts Node with: its `bin` starts as a shell script that runs Node with them
 * (scripts/bundle-cli.mjs), and the fleet's generator image does the same (fleet/generator-image.ts). V8 sizes
 * its young generation when the process starts, so no flag set from inside can change it.
 *
 * `--min-semi-space-size=16`: the young generation starts at its usual ceiling instead of 1 MB and a load's
 * garbage no longer fills it every few hundred milliseconds. At 20,000 req/s against nginx (15-s runs, this
 * 2-core VM) V8 scavenged 33-38 times a run for 0.4-0.5 ms each, every one of them a pause of the thread
 * that sends, and 4 times with it (0.9-2.1 ms each at p50); at 2,000 req/s 9-12 times against none. Alternating rounds:
 * send lag p99 at 20,000 req/s 255 and 294 us against 394 and 332; at 2,000 req/s the CPU per request alike
 * (medians 64.7 and 63.7 CPU-ms per 1,000, 4 rounds), latency p99 275-399 us against 364-515. The pages are
 * touched only as they are used: a 1-s run's peak RSS moved by ~1 MB.
 */
export const CLI_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16'];
