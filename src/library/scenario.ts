/** loadScenario: a scenario from a YAML file, a JS module, or an object, validated as the CLI validates a file. */

import { resolve } from 'node:path';
import { loadScenarioPath, scenarioFromObject, type ConnectionOverrides } from '../scenario/load.js';
import type { ScenarioInput } from '../scenario/input.js';
import type { Scenario } from '../scenario/types.js';

export interface LoadScenarioOptions extends ConnectionOverrides {
  /** Where relative paths resolve: a file's own folder by default, else the working directory. */
  baseDir?: string;
  /** Names an object scenario in messages (default "scenario object"). */
  source?: string;
}

/**
 * `source` is a path (YAML, or a .js/.mjs module whose default export is the scenario, e.g. made with
 * defineScenario) or the scenario itself. Throws a UsageError (exitCode 2) naming the file, the field and
 * what is allowed.
 */
export async function loadScenario(source: string | ScenarioInput, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const { baseDir, source: label, ...overrides } = options;
  if (typeof source === 'string') return loadScenarioPath(resolve(baseDir ?? process.cwd(), source), overrides);
  return scenarioFromObject(source, label ?? 'scenario object', resolve(baseDir ?? process.cwd()), overrides);
}
