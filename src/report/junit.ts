/**
 * The gate as JUnit XML, the format CI systems (GitHub Actions reporters, GitLab, Jenkins) show as tests:
 * one testcase per check, a <failure> for each failed one.
 */

import type { CheckResult } from '../gate/check.js';
import type { GateReport } from '../gate/gate.js';

/** XML 1.0 forbids most control characters even when escaped; a stray one would make the file unreadable. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(report: GateReport, suiteName: string): string {
  const failures = report.checks.filter((c) => !c.pass).length;
  const counts = `tests="${report.checks.length}" failures="${failures}" errors="0" skipped="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hopscope" ${counts}>`,
    `  <testsuite name="${escapeXml(suiteName)}" ${counts}>`,
    ...report.checks.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(c: CheckResult): string {
  const open = `    <testcase classname="hopscope.${c.kind}" name="${escapeXml(`${c.scope}: ${c.check}`)}" time="0">`;
  const body = c.pass
    ? `      <system-out>${escapeXml(c.message)}</system-out>`
    : `      <failure message="${escapeXml(c.message)}" type="${c.kind}">${escapeXml(c.message)}</failure>`;
  return `${open}\n${body}\n    </testcase>`;
}
