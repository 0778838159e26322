/** A scenario file for the fleet tests: two requests (a mix, one with a body file), one open-loop phase, request thresholds. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FleetScenarioOptions {
  target: string;
  rateRps: number;
  duration: string;
  connections: number;
  /** `thresholds:` entries as YAML flow items. */
  thresholds: string[];
}

/** Writes the scenario and its body file into a fresh folder; returns the scenario's path. */
export function writeFleetScenario(options: FleetScenarioOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-fleet-scenario-'));
  writeFileSync(join(dir, 'order.json'), '{"sku":"a-1","qty":2}');
  const path = join(dir, 'fleet-mix.yaml');
  writeFileSync(
    path,
    [
      'name: fleet-mix',
      'seed: 11',
      `target: ${options.target}`,
      'requests:',
      '  - { name: item, path: "/items/{id}", vars: { id: { uniform: [1, 1000] } }, weight: 3 }',
      '  - { name: order, method: POST, path: /orders, headers: { content-type: application/json }, bodyFile: order.json }',
      'phases:',
      `  - { name: steady, duration: ${options.duration}, load: { model: open, rate: ${options.rateRps}, connections: ${options.connections} } }`,
      'thresholds:',
      ...options.thresholds.map((t) => `  - ${t}`),
      '',
    ].join('\n'),
  );
  return path;
}
