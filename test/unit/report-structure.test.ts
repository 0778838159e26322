/**
 * The HTML report's structure on a seeded run, against committed golden files: the sections in order with
 * their headings, each table's head, each chart's canvas and the header's figures. Not the page's bytes: they
 * embed chart.js and figures that move with any change of the fixture's samples, while a section that goes
 * missing or moves is what a reader notices.
 *
 * After an intended change of the page, rewrite the golden files and review their diff before committing:
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/report-structure.test.ts
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html/report-page.js';
import type { RunSummary } from '../../src/run-folder/summary.js';
import { makeSummary } from '../fixtures/runs/make-summary.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const golden = (name: string) => fileURLToPath(new URL(`../fixtures/golden/${name}`, import.meta.url));

const ELEMENT =
  /<(section|header)\b([^>]*)>|<\/(section|header)>|<div\b([^>]*\bid="[^"]*"[^>]*)>|<(h[1-6])\b[^>]*>([\s\S]*?)<\/\5>|<thead>([\s\S]*?)<\/thead>|<canvas\b([^>]*)>|<div class="k">([\s\S]*?)<\/div>|<a href="(#[^"]*)">([\s\S]*?)<\/a>|<footer\b/g;

const textOf = (html: string) => html.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
const attr = (attrs: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];

function selector(tag: string, attrs: string): string {
  const id = attr(attrs, 'id');
  const classes = attr(attrs, 'class')?.split(/\s+/) ?? [];
  return `${tag}${id ? `#${id}` : ''}${classes.map((c) => `.${c}`).join('')}`;
}

/** One line per structural element of the page's <main>, indented by the sections and the header holding it. */
function outline(page: string): string[] {
  const main = /<main>([\s\S]*)<\/main>/.exec(page);
  expect(main, 'the page has a <main>').not.toBeNull();
  const lines: string[] = [];
  let depth = 0;
  const push = (line: string) => lines.push(`${'  '.repeat(depth)}${line}`);
  for (const m of main![1]!.matchAll(ELEMENT)) {
    const [whole, open, openAttrs, close, divAttrs, heading, headingHtml, headHtml, canvasAttrs, figure, href, linkText] = m;
    if (open) {
      push(selector(open, openAttrs!));
      depth++;
    } else if (close) depth--;
    else if (divAttrs !== undefined) push(selector('div', divAttrs));
    else if (heading) push(`${heading} ${textOf(headingHtml!)}`);
    else if (headHtml !== undefined) push(`table: ${[...headHtml.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/g)].map((th) => textOf(th[1]!)).join(' | ')}`);
    else if (canvasAttrs !== undefined) push(`chart ${[...canvasAttrs.matchAll(/data-([a-z-]+)="([^"]*)"/g)].map(([, k, v]) => (k === 'chart' ? v : `${k}=${v}`)).join(' ')}`);
    else if (figure !== undefined) push(`figure ${textOf(figure)}`);
    else if (href) push(`link ${href} ${textOf(linkText!)}`);
    else if (whole.startsWith('<footer')) push('footer');
  }
  return lines;
}

function withoutOptionalSections(s: RunSummary): RunSummary {
  const { hops: _h, gc: _g, resources: _r, faults: _f, amplification: _a, generator: _gen, ...rest } = s;
  return { ...rest, timeline: [], warnings: [] };
}

function expectGolden(name: string, lines: string[]): void {
  const path = golden(name);
  const text = `${lines.join('\n')}\n`;
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(existsSync(path), `${path} is missing: write it with UPDATE_GOLDEN=1`).toBe(true);
  expect(lines, `${name} differs; if the change is intended, rewrite it with UPDATE_GOLDEN=1 and review the diff`).toEqual(readFileSync(path, 'utf8').trimEnd().split('\n'));
}

const summary = makeSummary({ seed: 42 });
const page = renderReport(summary);

describe('the HTML report, structure against the golden files', () => {
  it('a full run: every section, heading, table head and chart in its place', () => {
    expectGolden('report-structure.txt', outline(page));
  });

  it('a run without the optional sections: each says it was not recorded', () => {
    expectGolden('report-structure-minimal.txt', outline(renderReport(withoutOptionalSections(summary))));
  });

  it('tells a page with a section missing or two sections swapped from the golden one', () => {
    const sections = [...page.matchAll(/<section id="[^"]+"[\s\S]*?<\/section>/g)].map((m) => m[0]);
    expect(sections.length).toBeGreaterThan(2);
    const [first, second] = sections as [string, string];
    const without = page.replace(second, '');
    // Replaced by functions: a section's HTML may hold "$&" and the like, which a replacement string would expand.
    const swapped = page.replace(first, () => '\u0000').replace(second, () => first).replace('\u0000', () => second);
    const reference = outline(page);
    expect(outline(without)).not.toEqual(reference);
    expect(outline(swapped)).not.toEqual(reference);
    expect(outline(swapped).sort()).toEqual([...reference].sort());
  });
});
