/** Where services run, as a user chooses it; kept apart from the runtimes so that naming one loads no Docker client. */

import { UsageError } from '../errors.js';

export const RUNTIME_CHOICES = ['auto', 'docker', 'process'] as const;
export type RuntimeChoice = (typeof RUNTIME_CHOICES)[number];

export function parseRuntimeChoice(value: string): RuntimeChoice {
  const choice = RUNTIME_CHOICES.find((allowed) => allowed === value);
  if (choice === undefined) {
    throw new UsageError(`--runtime: expected one of ${RUNTIME_CHOICES.join(', ')}, got "${value}"`);
  }
  return choice;
}
