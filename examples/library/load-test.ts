// hopscope from TypeScript: load the scenario module, run it, gate the result. The application owns the
// process: it decides what Ctrl-C does (here: stop the load early; the run still writes its folder).
import { fileURLToPath } from 'node:url';
import { gate, HopscopeError, loadScenario, run, type ProgressEvent } from 'hopscope';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

function onProgress(event: ProgressEvent): void {
  if (event.type === 'phase-done') console.error(`phase ${event.phase}: ${event.outcome.sent} sent in ${(event.outcome.elapsedMs / 1000).toFixed(1)} s`);
}

try {
  const scenario = await loadScenario(fileURLToPath(new URL('./scenario.js', import.meta.url)));
  const result = await run(scenario, { outDir: process.env.OUT ?? 'reports/library-steps', signal: controller.signal, onProgress });
  const { p50Us, p99Us } = result.summary.overall.latency;
  console.log(`p50 ${p50Us} us, p99 ${p99Us} us, ${result.summary.overall.count} responses; run folder ${result.outDir}`);
  const verdict = gate(result, { thresholds: ['root: p50 < 20ms'] });
  for (const check of verdict.checks) console.log(`${check.pass ? 'pass' : 'FAIL'} ${check.scope} ${check.check}: ${check.message}`);
  process.exitCode = verdict.passed ? 0 : 1;
} catch (error) {
  // Every error a user can cause or meet carries a message to show and the exit code the CLI would use.
  if (!(error instanceof HopscopeError)) throw error;
  console.error(`hopscope: ${error.message}`);
  process.exitCode = error.exitCode;
}
