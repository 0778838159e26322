/** The few HTML building blocks every section uses, so that sections read as content, not markup. */

import { esc } from './escape.js';

export interface Column {
  head: string;
  /** Numbers are right-aligned in tabular figures so that columns of latencies line up. */
  numeric?: boolean;
}

/** Cells are escaped here; pass `{ html }` for a cell that is already markup. */
export type Cell = string | number | { html: string };

function cell(value: Cell): string {
  return typeof value === 'object' ? value.html : esc(value);
}

export function table(columns: Column[], rows: Cell[][], className = ''): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${esc(c.head)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((v, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}>${cell(v)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Definition list of label/value pairs, for metadata. */
export function facts(pairs: [string, Cell][]): string {
  return `<dl class="facts">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${cell(v)}</dd>`).join('')}</dl>`;
}

export function section(id: string, title: string, body: string, className = ''): string {
  return `<section id="${id}"${className ? ` class="${className}"` : ''}><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

/** One line instead of an empty chart: the reader learns the data is absent, not that it was zero. */
export function notRecorded(id: string, title: string, why = 'not recorded in this run'): string {
  return section(id, title, `<p class="absent">${esc(why)}</p>`, 'missing');
}

/**
 * A canvas the in-page script (charts-script.ts) fills: `kind` picks the builder, `params` become data-*
 * attributes it reads. The wrapper fixes the height because chart.js sizes a responsive chart to its parent.
 */
export function chart(kind: string, heightPx: number, params: Record<string, string> = {}): string {
  const attrs = Object.entries(params)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<div class="chart" style="height:${heightPx}px"><canvas data-chart="${esc(kind)}"${attrs}></canvas></div>`;
}

export function note(text: string): string {
  return `<p class="note">${esc(text)}</p>`;
}
