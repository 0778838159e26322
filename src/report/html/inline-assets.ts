/** What a self-contained page inlines: chart.js from node_modules and the run's data as JSON. */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The UMD build is the one that defines `window.Chart` from a plain inline <script>, and chart.js's package
 * exports do not expose it. It is looked for in the node_modules folders Node would look in for the
 * package, in Node's order: resolving the package's exports loads Node's ES module resolver, ~3 CPU-ms of
 * every run that writes a report, against ~0.3. Where that finds nothing (a loader of another layout), it
 * is found next to the CommonJS entry the exports resolve to.
 */
export function chartJsSource(): string {
  const installed = require.resolve.paths('chart.js')?.map((folder) => join(folder, 'chart.js', 'dist', 'chart.umd.js')).find((path) => existsSync(path));
  return readFileSync(installed ?? join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

/**
 * JSON for a <script type="application/json">. The HTML parser ends a script at `</script`, and `<!--` or
 * `<script` inside it change how it looks for that end, whatever the JSON means; writing every `<` as
 * `\u003c` (the same string to JSON.parse) leaves the parser nothing to see.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** Inline JavaScript in a <script>, guarded against the same parser rules as embedJson. */
export function inlineScript(source: string): string {
  if (/<\/script|<!--/i.test(source)) throw new Error('inline script contains a sequence that would end or confuse its <script> element');
  return `<script>${source}</script>`;
}
