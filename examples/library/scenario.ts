// A scenario written in code: its phases are generated, not written out. hopscope loads the compiled
// module (scenario.js) like a YAML file and validates it the same way; defineScenario only types it.
import { defineScenario } from 'hopscope';

const target = process.env.TARGET ?? 'http://127.0.0.1:8080';
const step = process.env.STEP ?? '2s';

export default defineScenario({
  name: 'library-steps',
  target,
  requests: [{ name: 'root', path: '/' }],
  phases: [100, 200, 400].map((rate) => ({ name: `rate-${rate}`, duration: step, load: { model: 'open' as const, rate, connections: 8 } })),
  thresholds: ['p99 < 50ms'],
});
