// What a benchmark run prints and writes: one JSON object keyed by suite, the run's files, labels.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  checkLabel,
  defaultLabel,
  machineInfo,
  renderChartsSvg,
  renderMarkdownTable,
} from '#internal/bench/results-writer';
import { runBench } from '#internal/bench/runner';

test('--json prints exactly one object { machine, suites: { <name>: result } } and the run files are written', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gil-lab-bench-'));
  try {
    let printed = '';
    await runBench(['floor'], {
      json: true,
      quick: true,
      maxTimeS: 0.05,
      outDir: dir,
      label: 'test-run',
      stdout: (t) => (printed += t),
    });
    const record = JSON.parse(printed) as Record<string, unknown> & {
      machine: { logicalCpus: number; cpuModel: string; topology: { sockets: unknown; cpuQuota: unknown } };
      suites: Record<string, { suite: string; cases: unknown[] }>;
    };
    assert.ok(record.machine.logicalCpus >= 1);
    assert.equal(typeof record.machine.cpuModel, 'string');
    // The machine section carries the topology (a number or 'unknown', never missing).
    assert.ok(record.machine.topology.sockets === 'unknown' || Number(record.machine.topology.sockets) >= 1);
    assert.ok(record.machine.topology.cpuQuota !== undefined);
    assert.deepEqual(Object.keys(record.suites), ['floor']);
    assert.equal(record.suites.floor!.suite, 'floor');
    assert.equal(record.suites.floor!.cases.length, 2);
    assert.equal(record.quick, true);

    const files = (await readdir(dir)).sort();
    const date = String(record.date);
    assert.deepEqual(files, [`test-run-${date}.json`, `test-run-${date}.md`], 'no charts, so no .svg');
    const saved = JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as unknown;
    assert.deepEqual(saved, record);
    const markdown = await readFile(path.join(dir, files[1]!), 'utf8');
    assert.match(markdown, /^# gil-lab benchmarks: test-run/);
    assert.match(markdown, /\| Node-API noop\(\) \|/);
    assert.match(markdown, /^Topology: (\d+ sockets?|sockets unknown), .*(CPU quota).*\.$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('labels: the default names the CPU count and model; bad labels are RangeErrors', async () => {
  const machine = {
    ...machineInfo(),
    availableParallelism: 16,
    cpuModel: 'Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz',
  };
  assert.equal(defaultLabel(machine), '16cpu-intel-xeon-platinum-8480');
  assert.equal(defaultLabel({ ...machine, cpuModel: '' }), '16cpu-unknown');
  assert.throws(() => checkLabel('../escape'), { name: 'RangeError', message: /label/ });
  assert.throws(() => checkLabel(''), { name: 'RangeError', message: /label/ });
  assert.throws(() => checkLabel(3), { name: 'TypeError', message: /label/ });
  await assert.rejects(runBench(['floor'], { label: 'a/b', stdout: () => {} }), {
    name: 'RangeError',
    message: /label/,
  });
});

test('Markdown tables escape pipes; charts are combined into one SVG document', () => {
  const md = renderMarkdownTable({
    title: 't',
    columns: [
      { key: 'a', header: 'a|b' },
      { key: 'n', header: 'n', align: 'right' },
    ],
    rows: [{ a: 'x|y', n: '1' }, { a: 'z' }],
  });
  assert.equal(md, '| a\\|b | n |\n| --- | ---: |\n| x\\|y | 1 |\n| z | – |');

  const chart = (title: string) => ({
    title,
    xLabel: 'workers',
    yLabel: 'speedup',
    ideal: 'y=x' as const,
    series: [
      {
        label: 'm',
        points: [
          { x: 1, y: 1 },
          { x: 2, y: 1.9 },
        ],
      },
    ],
  });
  const svg = renderChartsSvg([chart('one'), chart('two'), chart('three')], 'all <charts>');
  assert.equal(svg.match(/<svg /g)?.length, 4, 'one outer document, three nested charts');
  assert.match(svg, /<title>all &lt;charts&gt;<\/title>/);
  assert.match(svg, /<svg x="640" y="32" /);
  assert.throws(() => renderChartsSvg([], 'none'), { name: 'RangeError', message: /charts/ });
});
