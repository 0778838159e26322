/** How a phase's engine threads (`--workers`) are told in the terminal and the HTML report. */

import type { LoadThreads } from '../load/engine.js';

/** "2 threads, the open loop on 1 to 2 of them": an open loop runs on as many threads as its rate needs. */
export function threadsText(threads: LoadThreads): string {
  const c = threads.carrying;
  if (!c) return `${threads.count} threads`;
  const carrying = c.fewest !== c.most ? `${c.fewest} to ${c.most} of them` : c.most === threads.count ? `all ${c.most}` : `${c.most} of them`;
  return `${threads.count} threads, the open loop on ${carrying}`;
}
