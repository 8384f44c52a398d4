// The model-against-CPython comparison on fixed inputs: tolerances, ratios, the second verdict, and
// the side by side built from a twin's output (agrees, disagrees, free-threaded, skipped).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreement, compareFigures, withinTolerance } from '#internal/cpython/compare';
import { compareOutput, renderComparisonText, toHtmlComparison } from '#internal/cpython/against';
import { expandAgainstCpython } from '#internal/cpython/cli';
import type { TwinOutput } from '#internal/cpython/python';
import { renderHtmlReport } from '#internal/report/index';
import type { ConvoyRow, ExperimentResult } from '#internal/experiments/index';

test('withinTolerance: differences, factors with a floor, equal words, context never judged', () => {
  assert.equal(withinTolerance(1.0, 1.1, { kind: 'difference', within: 0.15 }), true);
  assert.equal(withinTolerance(1.0, 1.2, { kind: 'difference', within: 0.15 }), false);
  assert.equal(withinTolerance(120, 6, { kind: 'factor', within: 2 }), false);
  assert.equal(withinTolerance(5.3, 5.1, { kind: 'factor', within: 2 }), true);
  assert.equal(withinTolerance(2.5, 5.1, { kind: 'factor', within: 2 }), false);
  assert.equal(withinTolerance(0.3, 1.2, { kind: 'factor', within: 2, floor: 2 }), true, 'below the floor');
  assert.equal(withinTolerance('stopped', 'stopped', { kind: 'equal' }), true);
  assert.equal(withinTolerance('stopped', 'ran to completion', { kind: 'equal' }), false);
  assert.equal(withinTolerance(1, 1, { kind: 'context' }), null);
  assert.equal(withinTolerance(null, 1, { kind: 'factor', within: 2 }), null);
  assert.equal(withinTolerance(NaN, 1, { kind: 'factor', within: 2 }), null);
});

test('compareFigures gives the ratio model/CPython, and none without two positive numbers', () => {
  const row = compareFigures({
    row: 'p50',
    unit: 'µs',
    model: 120,
    cpython: 6,
    tolerance: { kind: 'factor', within: 2 },
  });
  assert.equal(row.ratio, 20);
  assert.equal(row.agrees, false);
  assert.equal(row.tolerance, 'within 2×');
  const missing = compareFigures({ row: 'x', unit: '×', model: undefined, cpython: 1, tolerance: { kind: 'context' } });
  assert.equal(missing.ratio, null);
  assert.equal(missing.model, null);
});

test('agreement: agrees when every judged row is within tolerance, names the rows that are not', () => {
  const ok = compareFigures({
    row: 'threads speedup',
    unit: '×',
    model: 0.98,
    cpython: 1.0,
    tolerance: { kind: 'difference', within: 0.15 },
  });
  const off = compareFigures({
    row: 'I/O p50 alone',
    unit: 'µs',
    model: 120,
    cpython: 6.2,
    tolerance: { kind: 'factor', within: 2 },
  });
  const context = compareFigures({
    row: 'memory',
    unit: 'MB',
    model: 5e7,
    cpython: 1e7,
    tolerance: { kind: 'context' },
  });
  const yes = agreement([ok, context], 'CPython 3.11.7');
  assert.equal(yes.agrees, true);
  assert.match(yes.text, /agrees with CPython 3\.11\.7.*all 1 judged rows/);
  const no = agreement([ok, off, context], 'CPython 3.11.7');
  assert.equal(no.agrees, false);
  assert.match(
    no.text,
    /disagrees .* on 1 of 2 judged rows: I\/O p50 alone \(model 120 µs, CPython 3\.11\.7 6\.20 µs, 19\.4×/,
  );
  assert.equal(agreement([context], 'CPython 3.11.7').agrees, null);
});

function convoyResult(aloneP50: number): ExperimentResult {
  const row = (policy: ConvoyRow['policy'], cpuThreads: number, p50Us: number, opsPerSecond: number): ConvoyRow => ({
    policy,
    cpuThreads,
    p50Us,
    p99Us: p50Us * 2,
    maxUs: p50Us * 3,
    opsPerSecond,
  });
  return {
    experiment: 'convoy',
    options: { workers: 2, size: 'tiny', kernel: 'countPrimes', trace: false, sweep: false },
    rows: [
      row('cpython', 0, aloneP50, 1e6 / aloneP50),
      row('cpython', 1, 5100, 190),
      row('cpython', 2, 10_000, 100),
      row('cpython', 4, 20_000, 50),
      row('none', 0, 7, 140_000),
      row('none', 1, 8, 120_000),
      row('none', 2, 9, 110_000),
      row('none', 4, 12, 80_000),
    ],
    verdict: { holds: true, text: '' },
    charts: [],
    elapsedSeconds: 1,
  };
}

function convoyTwin(freeThreaded: boolean): TwinOutput {
  return {
    experiment: 'convoy',
    python: {
      version: freeThreaded ? '3.13.1' : '3.11.7',
      implementation: 'CPython',
      freeThreaded,
      freeThreadedBuild: freeThreaded,
      gilEnabled: !freeThreaded,
      numpy: null,
    },
    rows: [
      { cpuThreads: 0, p50Us: 6.2, p99Us: 9, opsPerSecond: 150_000 },
      { cpuThreads: 1, p50Us: 5000, p99Us: 6000, opsPerSecond: 195 },
      { cpuThreads: 2, p50Us: 10_200, p99Us: 11_000, opsPerSecond: 97 },
      { cpuThreads: 4, p50Us: 19_000, p99Us: 30_000, opsPerSecond: 52 },
    ],
    notes: ['a note from the twin'],
  };
}

test('convoy against CPython: agrees within 2×, disagrees on the I/O p50 alone at 20×', () => {
  const agrees = compareOutput('python3', 'convoy', convoyResult(7), convoyTwin(false));
  assert.equal(agrees.agrees, true, agrees.text);
  assert.equal(agrees.version, '3.11.7');
  assert.equal(agrees.comparison.length, 8);
  assert.ok(agrees.comparison.every((row) => row.row.includes('(cpython)')));

  const disagrees = compareOutput('python3', 'convoy', convoyResult(124), convoyTwin(false));
  assert.equal(disagrees.agrees, false);
  assert.match(disagrees.text, /I\/O p50 alone/);
  const alone = disagrees.comparison.find((row) => row.row.startsWith('I/O p50 alone'))!;
  assert.equal(Math.round(alone.ratio! * 10) / 10, 20);
  assert.equal(alone.agrees, false);

  const text = renderComparisonText(disagrees);
  assert.match(text, /Against CPython 3\.11\.7 \(python3\)/);
  assert.match(text, /model\/CPython/);
  assert.match(text, /a note from the twin/);
  assert.match(text, /✘ The model disagrees/);
});

test('a free-threaded CPython is compared with the model without a lock (policy none)', () => {
  const free = compareOutput('python3.13t', 'convoy', convoyResult(7), convoyTwin(true));
  assert.equal(free.freeThreaded, true);
  assert.ok(
    free.comparison.every((row) => row.row.includes('(none)')),
    'rows against policy none',
  );
  assert.equal(free.comparison.find((row) => row.row.startsWith('I/O p50 beside 1'))!.model, 8);
});

test('a twin that has no analogue gives a skipped comparison with its reason', () => {
  const twin: TwinOutput = { ...convoyTwin(false), experiment: 'refcount', rows: [], skipped: 'not observable' };
  const out = compareOutput('python3', 'refcount', convoyResult(7), twin);
  assert.equal(out.skipped, true);
  assert.equal(out.agrees, null);
  assert.equal(out.version, '3.11.7');
  assert.match(out.text, /skipped: not observable/);
});

test('the HTML report shows the comparison table and the second verdict', () => {
  const cpython = compareOutput('python3', 'convoy', convoyResult(124), convoyTwin(false));
  const html = renderHtmlReport({
    title: 't',
    machine: {},
    sections: [
      {
        name: 'convoy',
        question: 'q?',
        inCpython: '3.2 new GIL',
        table: { columns: ['a'], rows: [{ a: 1 }] },
        verdict: { holds: true, text: 'ok' },
        comparison: toHtmlComparison(cpython),
      },
    ],
  });
  assert.match(html, /<h3>Against CPython 3\.11\.7<\/h3>/);
  assert.match(html, /In CPython: 3\.2 new GIL/);
  assert.match(html, /I\/O p50 alone \(cpython\)/);
  assert.match(html, /class="verdict differs"><strong>✘<\/strong>The model disagrees/);
});

test('--against-cpython takes PYTHON only when one follows; otherwise python3', () => {
  const names = ['convoy'];
  assert.deepEqual(expandAgainstCpython(['convoy', '--against-cpython'], names), [
    'convoy',
    '--against-cpython=python3',
  ]);
  assert.deepEqual(expandAgainstCpython(['--against-cpython', '--json'], names), [
    '--against-cpython=python3',
    '--json',
  ]);
  assert.deepEqual(expandAgainstCpython(['--against-cpython', 'convoy'], names), [
    '--against-cpython=python3',
    'convoy',
  ]);
  assert.deepEqual(expandAgainstCpython(['convoy', '--against-cpython', '/opt/py/bin/python3.13t'], names), [
    'convoy',
    '--against-cpython=/opt/py/bin/python3.13t',
  ]);
  assert.deepEqual(expandAgainstCpython(['--against-cpython=pypy3'], names), ['--against-cpython=pypy3']);
});
