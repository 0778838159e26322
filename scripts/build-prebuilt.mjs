// npm's prepack: ships the reference services' and the reaper's static binaries in prebuilt/, so that the
// packed hopscope runs with Node alone. Runs the compiled runtime (dist/), so the binaries are built, cached
// and hashed by the very code that later checks them.
import { writePrebuilt } from '../dist/runtime/build/pack-prebuilt.js';

const started = Date.now();
try {
  const manifest = await writePrebuilt((line) => console.error(line));
  for (const entry of manifest.entries) console.error(`prebuilt: ${entry.file} (sources ${entry.sourceHash.slice(0, 12)})`);
  console.error(`prebuilt: ${manifest.entries.length} binaries in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (error) {
  // A missing toolchain is an InfraError with a hint: say it as the CLI would, without a stack trace.
  console.error(`prebuilt: ${error instanceof Error ? error.message : String(error)}`);
  if (error?.hint) console.error(`hint: ${error.hint}`);
  process.exitCode = 1;
}
