/**
 * The GC poller against a local stand-in for /debug/gc that answers slower than the poll period, as a Go
 * service busy collecting does: every pause must be kept exactly once.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { GcPoller } from '../../src/record/observers/gc-poller.js';

const ANSWER_DELAY_MS = 600;
let cycles = 1000; // never 0, which is the cursor of a first poll
let firstCursor = -1;
// One new GC cycle every 50 ms; a report holds every cycle after `since`, as the Go service's does.
const ticker = setInterval(() => cycles++, 50);
const server = createServer((req, res) => {
  const since = Number(new URL(req.url!, 'http://x').searchParams.get('since'));
  const upTo = cycles;
  if (firstCursor < 0) firstCursor = upTo;
  const pauses = Array.from({ length: upTo - since }, (_, i) => ({ end_unix_ns: (Date.now() - 1000 + since + i) * 1e6, duration_ns: (since + i + 1) * 1000 }));
  setTimeout(() => res.end(JSON.stringify({ cursor: upTo, pauses, lost: 0 })), since === 0 ? 0 : ANSWER_DELAY_MS);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

afterAll(async () => {
  clearInterval(ticker);
  await new Promise((r) => server.close(r));
});

it('keeps each pause once when the service answers slower than the poll period', async () => {
  const poller = new GcPoller('cache', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, Date.now());
  await poller.start();
  await new Promise((r) => setTimeout(r, 2000));
  await poller.stop();
  const durations = poller.pauses.map((p) => p.durationUs);
  expect(durations.length).toBeGreaterThan(20);
  expect(new Set(durations).size).toBe(durations.length);
  // Nothing skipped either: the cycles are consecutive from the one after the first poll's cursor.
  expect(durations[0]).toBe(firstCursor + 1);
  expect(durations.at(-1)! - durations[0]! + 1).toBe(durations.length);
});
