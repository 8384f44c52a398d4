// Charts that fit their data: categorical comparisons as bars (a line between kill's methods would
// suggest values in between), titles that fit their chart (the memory-bound title used to be cut
// off at "(lock rele"), and captions only when they add to the title.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { categoryLines, renderBarChartSvg, renderChartSvg, renderHtmlReport, titleLines } from '#internal/report/index';
import type { ChartSpec } from '#internal/report/types';

const kill: ChartSpec = {
  kind: 'bar',
  categories: ['AbortSignal', 'Future.abort', 'terminate', 'SIGKILL'],
  title: 'Time from the stop request to the work stopping, against the work left',
  xLabel: 'method',
  yLabel: 'milliseconds',
  series: [
    { label: 'time to stop', points: [0, 1, 2, 3].map((x) => ({ x, y: 1 + x })) },
    { label: 'work left', points: [0, 1, 2, 3].map((x) => ({ x, y: 10 - x })) },
  ],
};

test('a bar chart draws one bar per point, its categories under the groups and a legend', () => {
  const svg = renderChartSvg(kill);
  assert.equal(XMLValidator.validate(svg), true);
  assert.equal((svg.match(/<rect [^>]*><title>/g) ?? []).length, 8);
  for (const category of kill.categories!) assert.ok(svg.includes(`>${category}</text>`), category);
  assert.ok(svg.includes('>time to stop</text>') && svg.includes('>work left</text>'));
  assert.doesNotMatch(svg, /<polyline/);
});

test('a bar chart refuses points outside its categories, naming the point', () => {
  const bad = { ...kill, series: [{ label: 's', points: [{ x: 4, y: 1 }] }] };
  assert.throws(() => renderBarChartSvg(bad), {
    name: 'RangeError',
    message: /points\[0\]\.x must be a category index from 0 to 3/,
  });
  assert.throws(() => renderBarChartSvg({ ...kill, categories: undefined }), {
    name: 'TypeError',
    message: /categories/,
  });
});

test('a title too long for its chart wraps onto a second line instead of being cut off', () => {
  const title = 'Speedup vs workers: memory-bound kernels against a compute-bound one (lock released)';
  const lines = titleLines(title, 720 - 32);
  assert.equal(lines.length, 2);
  assert.equal(lines.join(' '), title);
  const svg = renderChartSvg({
    title,
    xLabel: 'workers',
    yLabel: 'speedup',
    series: [{ label: 'sum', points: [{ x: 1, y: 1 }] }],
  });
  assert.match(
    svg,
    /<tspan [^>]*>Speedup vs workers:[^<]*<\/tspan><tspan [^>]*dy="20">[^<]*\(lock released\)<\/tspan>/,
  );
  // Far too long for two lines: the second ends with an ellipsis rather than running off the chart.
  const long = titleLines('word '.repeat(200), 300);
  assert.equal(long.length, 2);
  assert.match(long[1]!, /…$/);
});

test('a chart gets a caption in the HTML report only when it has one of its own', () => {
  const page = (chart: ChartSpec) =>
    renderHtmlReport({
      title: 't',
      machine: {},
      sections: [
        {
          name: 'kill',
          question: 'q',
          table: { columns: ['x'], rows: [] },
          verdict: { holds: true, text: 'v' },
          charts: [chart],
        },
      ],
    });
  assert.doesNotMatch(page(kill), /<figcaption>/);
  assert.match(
    page({ ...kill, caption: 'Shorter bars stop sooner.' }),
    /<figcaption>Shorter bars stop sooner\.<\/figcaption>/,
  );
});

test('category names break at spaces, dots and camelCase rather than being cut short', () => {
  assert.deepEqual(categoryLines('worker.terminate()', 16), ['worker.', 'terminate()']);
  assert.deepEqual(categoryLines('thread SharedArrayBuffer', 16), ['thread Shared', 'ArrayBuffer']);
  assert.deepEqual(categoryLines('process json (Node)', 16), ['process json', '(Node)']);
  assert.deepEqual(categoryLines('a b c d e f', 1, 3), ['a', 'b', 'c…']);
});
