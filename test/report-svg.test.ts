import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXml, formatTickNumber, renderLineChartSvg, renderTimelineSvg } from '#internal/report/svg';
import type { ChartSpec, LockEvent, LockEventKind } from '#internal/report/types';

const speedup: ChartSpec = {
  title: 'cpu-bound: speedup vs workers',
  xLabel: 'workers',
  yLabel: 'speedup over serial (×)',
  ideal: 'y=x',
  series: [
    {
      label: 'threads-hold',
      points: [
        { x: 1, y: 1 },
        { x: 2, y: 0.97 },
      ],
    },
    {
      label: 'threads-release',
      points: [
        { x: 1, y: 1 },
        { x: 2, y: 1.96 },
      ],
    },
    {
      label: 'processes <fork & IPC>',
      points: [
        { x: 2, y: 1.9 },
        { x: 1, y: 0.98 },
      ],
    },
  ],
};

/** Every text node in the document, in order, whitespace-trimmed. */
function texts(svg: string): string[] {
  const result: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '#text') result.push(String(value).trim());
      else if (key !== ':@') walk(value);
    }
  };
  walk(new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: true }).parse(svg));
  return result;
}

function assertWellFormed(svg: string): void {
  const result = XMLValidator.validate(svg);
  assert.equal(result, true, JSON.stringify(result));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
}

test('a speedup chart parses as XML and carries title, axis labels, ticks and legend', () => {
  const svg = renderLineChartSvg(speedup);
  assertWellFormed(svg);
  const all = texts(svg);
  for (const expected of [
    'cpu-bound: speedup vs workers',
    'workers',
    'speedup over serial (×)',
    'threads-hold',
    'threads-release',
    'processes <fork & IPC>',
    'ideal (y = x)',
  ]) {
    assert.ok(all.includes(expected), `missing text "${expected}" in ${JSON.stringify(all)}`);
  }
  // Whole-number x data gets whole-number ticks only.
  // (The y axis writes 0.0, 0.5, 1.0, … so these can only be the x ticks.)
  for (const tick of ['0', '1', '2']) assert.ok(all.includes(tick), `missing x tick ${tick}`);
  // One polyline per series with more than one point, plus the ideal line.
  assert.equal((svg.match(/<polyline /g) ?? []).length, 4);
  // Each series' points and its legend entry: circles for the first, squares for the second.
  assert.equal((svg.match(/<circle /g) ?? []).length, 2 + 1);
  assert.equal((svg.match(/<rect x="[^"]*" y="[^"]*" width="7"/g) ?? []).length, 2 + 1);
  assert.match(svg, /stroke-dasharray="6 4"/);
});

test('lines that coincide (a 2-core speedup chart) stay distinguishable: each series its own dash and marker', () => {
  const same = (label: string) => ({
    label,
    points: [
      { x: 1, y: 1 },
      { x: 2, y: 1.9 },
    ],
  });
  const svg = renderLineChartSvg({ ...speedup, series: ['a', 'b', 'c', 'd'].map(same) });
  const polylines = svg.match(/<polyline [^>]*\/>/g)!.filter((line) => !line.includes('#888888'));
  assert.equal(polylines.length, 4);
  const dashes = polylines.map((line) => /stroke-dasharray="([^"]*)"/.exec(line)?.[1] ?? 'solid');
  assert.equal(new Set(dashes).size, 4, `dash patterns: ${dashes.join(' | ')}`);
  const groups = svg
    .split('<g stroke="')
    .filter((group) => /^#[0-9a-f]{6}" fill="#[0-9a-f]{6}">\n<polyline/.test(group));
  const shapes = groups.map((group) => /<(circle|rect|path) /.exec(group.split('<polyline')[1] ?? '')?.[1]);
  assert.deepEqual(shapes, ['circle', 'rect', 'path', 'path']);
  assert.notEqual(
    /<path d="([^"]*)"/.exec(groups[2]!)![1]!.split('L').length,
    /<path d="([^"]*)"/.exec(groups[3]!)![1]!.split('L').length,
  );
});

test('text is escaped, and characters XML cannot carry are dropped', () => {
  const svg = renderLineChartSvg({ ...speedup, title: 'a < b & "c" \u0001 \'d\'', ideal: null });
  assertWellFormed(svg);
  assert.ok(svg.includes('a &lt; b &amp; &quot;c&quot;  &apos;d&apos;'));
  assert.equal(escapeXml('<&>"\''), '&lt;&amp;&gt;&quot;&apos;');
  assert.ok(!svg.includes('ideal (y = x)'));
});

test('a log-x GB/s chart labels payloads in bytes', () => {
  const payloads = [1024, 16 * 1024, 256 * 1024, 4 * 1024 * 1024, 64 * 1024 * 1024];
  const svg = renderLineChartSvg({
    title: 'ipc: throughput vs payload',
    xLabel: 'payload',
    yLabel: 'throughput (GB/s)',
    logX: true,
    xFormat: 'bytes',
    series: [{ label: 'postMessage copy', points: payloads.map((x, i) => ({ x, y: 0.2 * (i + 1) })) }],
  });
  assertWellFormed(svg);
  const all = texts(svg);
  for (const expected of ['payload', 'throughput (GB/s)', 'postMessage copy', '1 KiB', '64 MiB']) {
    assert.ok(all.includes(expected), `missing "${expected}" in ${JSON.stringify(all)}`);
  }
});

test('a latency chart on log y and a chart without data still render', () => {
  const latency = renderLineChartSvg({
    title: 'convoy: I/O latency vs CPU threads',
    xLabel: 'CPU-bound threads',
    yLabel: 'p99 latency (µs)',
    logY: true,
    series: [
      {
        label: 'cpython',
        points: [
          { x: 0, y: 40 },
          { x: 1, y: 5200 },
          { x: 2, y: 10400 },
          { x: 4, y: 20500 },
        ],
      },
      {
        label: 'none',
        points: [
          { x: 0, y: 38 },
          { x: 4, y: 45 },
        ],
      },
    ],
  });
  assertWellFormed(latency);
  const all = texts(latency);
  for (const expected of ['p99 latency (µs)', '10', '100', '1000', '10k'])
    assert.ok(all.includes(expected), `missing "${expected}" in ${JSON.stringify(all)}`);
  const empty = renderLineChartSvg({ title: 'nothing yet', xLabel: 'x', yLabel: 'y', series: [] });
  assertWellFormed(empty);
  assert.ok(texts(empty).includes('no data'));
});

test('the lock timeline as SVG: a row per thread, axis with unit, legend', () => {
  const ms = 1_000_000;
  const e = (t: number, threadId: number, kind: LockEventKind): LockEvent => ({
    tNs: t * ms,
    threadId,
    kind,
    interpreterId: 0,
  });
  const events = [
    e(0, 1, 'acquired'),
    e(1, 2, 'wait-start'),
    e(3, 2, 'drop-request'),
    e(5, 1, 'released'),
    e(5, 2, 'acquired'),
    e(10, 2, 'released'),
  ];
  const svg = renderTimelineSvg(events, {
    labels: [
      { threadId: 1, name: 'main <1>' },
      { threadId: 2, name: 'worker' },
    ],
    title: 'threads-hold',
  });
  assertWellFormed(svg);
  const all = texts(svg);
  for (const expected of [
    'threads-hold',
    'main <1>',
    'worker',
    "time since the window's start (ms)",
    'holding the lock',
    'waiting for the lock',
    'running without the lock',
    'drop request',
    '0',
    '10',
  ]) {
    assert.ok(all.includes(expected), `missing "${expected}" in ${JSON.stringify(all)}`);
  }
  assert.ok(svg.includes('fill="#2e9e44"'), 'holding rectangles');
  assert.ok(svg.includes('fill="#d64541"'), 'waiting rectangles');
  assert.equal((svg.match(/<path /g) ?? []).length, 1 + 1, 'one drop-request marker plus the legend marker');
  assertWellFormed(renderTimelineSvg([]));
});

test('tick numbers are short', () => {
  assert.deepEqual([0.1, 1, 250, 1000, 10000, 250000, 2_500_000, 1e9].map(formatTickNumber), [
    '0.1',
    '1',
    '250',
    '1000',
    '10k',
    '250k',
    '2.5M',
    '1G',
  ]);
});

test('bad input throws naming the argument', () => {
  assert.throws(
    () => renderLineChartSvg({ ...speedup, logX: true, series: [{ label: 's', points: [{ x: 0, y: 1 }] }] }),
    {
      name: 'RangeError',
      message: /spec\.series\[0\]\.points\[0\]\.x must be positive/,
    },
  );
  assert.throws(() => renderLineChartSvg({ ...speedup, series: [{ label: 's', points: [{ x: 1, y: Number.NaN }] }] }), {
    name: 'RangeError',
    message: /spec\.series\[0\]\.points\[0\]\.y/,
  });
  assert.throws(() => renderLineChartSvg({ ...speedup, title: undefined } as unknown as ChartSpec), {
    name: 'TypeError',
    message: /spec\.title/,
  });
  assert.throws(() => renderLineChartSvg(speedup, { width: 10 }), { name: 'RangeError', message: /options\.width/ });
  assert.throws(() => renderTimelineSvg([], { title: 5 as unknown as string }), {
    name: 'TypeError',
    message: /options\.title/,
  });
});
