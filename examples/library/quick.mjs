// hopscope from plain JavaScript (ESM): a scenario object, one closed-loop phase, p99 printed as JSON.
import { loadScenario, run } from 'hopscope';

const scenario = await loadScenario({
  name: 'quick',
  target: process.env.TARGET ?? 'http://127.0.0.1:8080',
  requests: [{ name: 'root', path: '/' }],
  phases: [{ name: 'main', duration: process.env.STEP ?? '2s', load: { model: 'closed', connections: 4 } }],
});
const { summary, outDir } = await run(scenario, { outDir: process.env.OUT ?? 'reports/quick' });
console.log(JSON.stringify({ p99Us: summary.overall.latency.p99Us, count: summary.overall.count, outDir }));
