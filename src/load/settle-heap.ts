/**
 * A full garbage collection of the engine's thread before a phase's clock starts.
 *
 * Start-up (modules, the scenario, the pool's sockets) leaves the heap growing, and V8 answers with a
 * mark-compact in the first second of load: a pause of 2.5-6 ms on the sending thread, and concurrent marking
 * on the other core, which on two vCPUs is the core the target runs on. Sends that fall due meanwhile leave
 * late, and their latencies, measured from the due time, carry it. Collected before the clock (3-6 ms of CPU
 * a phase), that work delays nothing that is measured. 20,000 req/s, 5-s runs against nginx, alternating with
 * the build before: send lag p99 278-412 us against 463-500 (3 rounds, a calm host); 1.13-1.66 ms against
 * 1.16-2.52, medians 1.23 and 1.37, CPU per request unchanged (6 rounds, a busy host).
 *
 * Node exposes `gc()` only to a process started with --expose-gc; the flag set at run time applies to
 * contexts created afterwards, so one new context hands the function over. The flag stays set: it is the
 * process's, and a thread that unset it could take it from a `--workers` thread between that thread's two
 * steps. (The CLI's start unsets it before making its code cache at the end: cli/start.cts.) A process that
 * already has `gc` (started with the flag) uses its own.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

export function settleHeap(): void {
  if (!collect) {
    const own = (globalThis as { gc?: () => void }).gc;
    if (own) collect = own;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}
