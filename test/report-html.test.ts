import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { escapeHtml, renderHtmlReport, type HtmlReport, type HtmlSection } from '#internal/report/html';
import { formatSeconds, formatSpeedup } from '#internal/report/format';
import type { LockEvent } from '#internal/report/types';

const events: LockEvent[] = [
  { tNs: 0, threadId: 1, kind: 'acquired', interpreterId: 0 },
  { tNs: 1000, threadId: 2, kind: 'wait-start', interpreterId: 0 },
  { tNs: 6000, threadId: 1, kind: 'released', interpreterId: 0 },
  { tNs: 6000, threadId: 2, kind: 'acquired', interpreterId: 0 },
  { tNs: 9000, threadId: 2, kind: 'released', interpreterId: 0 },
];

const cpuBound: HtmlSection = {
  name: 'cpu-bound',
  question: 'Do CPU-bound threads under one lock get any speedup?',
  table: {
    columns: [
      'mode',
      { key: 'seconds', header: 'time', format: (v) => formatSeconds(v as number) },
      { key: 'speedup', format: (v) => formatSpeedup(v as number) },
    ],
    rows: [
      { mode: 'serial', seconds: 1.2, speedup: 1 },
      { mode: 'threads-hold', seconds: 1.24, speedup: 0.968 },
      { mode: 'threads-release', seconds: 0.61, speedup: 1.967 },
    ],
  },
  verdict: { holds: true, text: 'threads-hold ran at 0.968× while threads-release reached 1.97×.' },
  charts: [
    {
      title: 'speedup vs workers',
      xLabel: 'workers',
      yLabel: 'speedup (×)',
      ideal: 'y=x',
      series: [
        {
          label: 'threads-hold',
          points: [
            { x: 1, y: 1 },
            { x: 2, y: 0.968 },
          ],
        },
      ],
    },
  ],
  timelines: [
    {
      title: 'threads-hold, 2 workers',
      events,
      labels: [
        { threadId: 1, name: 'worker 1' },
        { threadId: 2, name: 'worker 2' },
      ],
    },
  ],
};

const convoy: HtmlSection = {
  name: 'convoy',
  question: 'Does an I/O thread wait behind a CPU thread?',
  narrative: 'Latency of one I/O thread next to CPU-bound threads.',
  table: {
    columns: ['cpuThreads', 'policy', 'p99Us'],
    rows: [
      { cpuThreads: 0, policy: 'cpython', p99Us: 40 },
      { cpuThreads: 1, policy: 'cpython', p99Us: 5100 },
    ],
  },
  verdict: { holds: false, text: 'p99 stayed at 40 µs <surprisingly>.' },
};

const report: HtmlReport = {
  title: 'gil-lab tour',
  machine: { cpus: 2, model: 'Example CPU @ 2.0GHz', node: 'v20.0.0' },
  sections: [cpuBound, convoy],
  generatedAt: '2025-01-01T00:00:00.000Z',
};

test('the page contains every section with its question, table and verdict', () => {
  const html = renderHtmlReport(report);
  for (const section of [cpuBound, convoy]) {
    assert.ok(html.includes(`<code>${section.name}</code>`), `section ${section.name}`);
    assert.ok(html.includes(escapeHtml(section.question)));
    assert.ok(html.includes(escapeHtml(section.verdict.text)));
  }
  assert.ok(html.includes('<td class="right">1.24 s</td>'));
  assert.ok(html.includes('<td class="right">1.97×</td>'));
  assert.ok(html.includes('<span class="mark holds">✔</span> This machine agrees.'));
  assert.ok(html.includes('<span class="mark differs">✘</span> This machine does not agree.'));
  assert.ok(html.includes('Latency of one I/O thread'));
  // Navigation links point at the sections.
  assert.ok(html.includes('href="#section-1-cpu-bound"') && html.includes('id="section-1-cpu-bound"'));
  assert.ok(html.includes('href="#section-2-convoy"') && html.includes('id="section-2-convoy"'));
});

test('charts and timelines are inline SVG that parse as XML', () => {
  const html = renderHtmlReport(report);
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 2);
  for (const svg of svgs) assert.equal(XMLValidator.validate(svg), true);
  assert.ok(svgs[0]!.includes('speedup vs workers'));
  assert.ok(svgs[1]!.includes('worker 2'));
});

test('the page is self-contained: no external URLs, scripts or stylesheets', () => {
  const html = renderHtmlReport(report);
  // The SVG namespace name is an identifier, never fetched; nothing else may name a URL.
  const withoutNamespace = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '');
  assert.doesNotMatch(withoutNamespace, /https?:\/\//i);
  assert.doesNotMatch(withoutNamespace, /\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(|\ssrc=/i);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<style>[\s\S]+<\/style>/);
});

test('the machine is shown and every piece of text is escaped', () => {
  const html = renderHtmlReport({
    ...report,
    title: 'tour <script>alert(1)</script>',
    machine: { ...report.machine, 'os & arch': 'linux "x64"' },
  });
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('tour &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<dt>os &amp; arch</dt><dd>linux &quot;x64&quot;</dd>'));
  assert.ok(html.includes('<dd>Example CPU @ 2.0GHz</dd>'));
  assert.ok(html.includes('p99 stayed at 40 µs &lt;surprisingly&gt;.'));
  assert.ok(html.includes('2025-01-01T00:00:00.000Z'));
});

test('bad input throws naming the argument', () => {
  assert.throws(() => renderHtmlReport({ ...report, sections: undefined } as unknown as HtmlReport), {
    name: 'TypeError',
    message: /report\.sections/,
  });
  assert.throws(
    () =>
      renderHtmlReport({
        ...report,
        sections: [{ ...convoy, verdict: { holds: 'yes', text: '' } }],
      } as unknown as HtmlReport),
    {
      name: 'TypeError',
      message: /report\.sections\[0\]\.verdict/,
    },
  );
  assert.throws(() => renderHtmlReport({ ...report, machine: null } as unknown as HtmlReport), {
    name: 'TypeError',
    message: /report\.machine/,
  });
});
