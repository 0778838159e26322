/** What a self-contained page inlines: chart.js from node_modules and the run's data as JSON. */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * chart.js's package exports do not expose dist/chart.umd.js, so it is found next to the CommonJS entry.
 * The UMD build is the one that defines `window.Chart` from a plain inline <script>.
 */
export function chartJsSource(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
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
