import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/;

/** "1.5s" -> 1500. `what` names the flag or field for the error message. */
export function parseDurationMs(text: string, what: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new UsageError(`${what}: expected a duration like 500ms, 10s, 2m or 1h, got "${text}"`);
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export const DURATION_PATTERN = DURATION.source;
