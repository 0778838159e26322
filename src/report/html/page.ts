/** The HTML document around a page's sections: styles, the embedded data, chart.js and the chart builders. */

import { CHARTS_SCRIPT, DATA_ELEMENT_ID } from './charts-script.js';
import { esc } from './escape.js';
import { chartJsSource, embedJson, inlineScript } from './inline-assets.js';
import { PAGE_CSS } from './style.js';

/**
 * The policy makes "no network" a property of the page rather than a promise: the browser refuses any fetch,
 * so a report opened from a CI artifact behaves the same offline and never phones anywhere.
 */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export function htmlPage(input: { title: string; body: string; data: unknown }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${input.body}
</main>
<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(input.data)}</script>
${inlineScript(chartJsSource())}
${inlineScript(CHARTS_SCRIPT)}
</body>
</html>
`;
}
