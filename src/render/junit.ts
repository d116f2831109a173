// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one <testsuite>,
// one <testcase> per check; <failure> for errors, <skipped> for checks that could not run.
import { xmlEscape as esc } from './sanitize.js';
import { toolVersion } from '../version.js';

export interface JUnitCase {
  name: string;
  classname: string;
  timeSeconds: number;
  failure?: { message: string; body: string };
  skipped?: string;
  systemOut?: string;
}

export function junitXml(
  suite: string,
  cases: readonly JUnitCase[],
  timestamp = new Date(),
  properties: Record<string,
  string> = {},
): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const time = cases.reduce((t, c) => t + c.timeSeconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(suite)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" ` +
      `time="${time.toFixed(3)}" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
  ];
  // The tool's version on every file (issue 16), and what the caller adds (an interruption).
  const props = { 'mcast-doctor.version': toolVersion(), ...properties };
  lines.push('    <properties>', ...Object.entries(props).map(([k, v]) => `      <property name="${esc(k)}" value="${esc(v)}"/>`),
    '    </properties>');
  for (const c of cases) {
    lines.push(`    <testcase name="${esc(c.name)}" classname="${esc(c.classname)}" time="${c.timeSeconds.toFixed(3)}">`);
    if (c.failure) lines.push(`      <failure message="${esc(c.failure.message)}" type="finding">${esc(c.failure.body)}</failure>`);
    if (c.skipped !== undefined) lines.push(`      <skipped message="${esc(c.skipped)}"/>`);
    if (c.systemOut) lines.push(`      <system-out>${esc(c.systemOut)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
