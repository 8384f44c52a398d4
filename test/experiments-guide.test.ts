// The decision guide ("What should I use?") is computed from the run's rows: fed fixed results it
// must quote their figures, change when they change, and say "not measured in this run" for an
// experiment that did not run, instead of the literature's usual answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionGuide, guideCaveat, type GuideRow } from '#internal/experiments/guide';
import type { Row } from '#internal/experiments/types';

function cpuRows(speedups: Record<string, number>, workers = 2): Row[] {
  const rows: Row[] = [{ mode: 'serial', workers: 1, speedup: 1 }];
  for (const [mode, speedup] of Object.entries(speedups)) rows.push({ mode, workers, speedup });
  rows.push({ mode: 'free-threaded', workers: 1, speedup: 0.97 });
  return rows;
}

const fullResults: Record<string, Row[]> = {
  'cpu-bound': cpuRows({
    'threads-hold': 0.98,
    'threads-release': 1.95,
    processes: 1.96,
    subinterpreters: 1.9,
    'free-threaded': 1.93,
  }),
  'io-bound': [
    { mode: 'serial', threads: 1, speedup: 1 },
    { mode: 'threads', threads: 8, speedup: 7.1 },
    { mode: 'threads-holding', threads: 8, speedup: 1.02 },
  ],
  convoy: [{ policy: 'cpython', cpuThreads: 1, p99Us: 5100, opsPerSecond: 190 }],
  startup: [
    { kind: 'os-thread', samples: 5, startupMs: 4, rssBytes: 2e6 },
    { kind: 'process', samples: 5, startupMs: 40, rssBytes: 40e6 },
  ],
  ipc: [
    { method: 'process advanced', payloadBytes: 1024, seconds: 0.0002, gbPerSecond: 0.005 },
    { method: 'process advanced', payloadBytes: 64 * 2 ** 20, seconds: 0.2, gbPerSecond: 0.33 },
    { method: 'process SharedMemory', payloadBytes: 64 * 2 ** 20, seconds: 0.01, gbPerSecond: 6.7 },
    { method: 'thread SharedArrayBuffer', payloadBytes: 64 * 2 ** 20, seconds: 0.008, gbPerSecond: 8.4 },
  ],
  'memory-bound': [
    { kernel: 'sum', workers: 1, speedup: 1 },
    { kernel: 'sum', workers: 2, speedup: 1.5 },
  ],
};

function row(guide: GuideRow[], workload: RegExp): GuideRow {
  const found = guide.find((r) => workload.test(r.workload));
  assert.ok(found, `no guide row for ${workload}`);
  return found;
}

test('the guide quotes this run: processes and threads-hold speedups, start-up cost, batching threshold', () => {
  const guide = decisionGuide({ results: fullResults, cpus: 2, size: 'small' });
  assert.equal(guide.length, 5);
  const cpu = row(guide, /pure-Python/);
  assert.match(cpu.recommendation, /^processes/);
  assert.match(cpu.evidence, /processes: 1\.96× on 2 workers; threads under the lock: 0\.98×/);
  assert.match(cpu.evidence, /alone, 0\.97×/);
  const native = row(guide, /native code/);
  assert.match(native.recommendation, /^threads/);
  assert.match(native.evidence, /1\.95× on 2 workers/);
  const io = row(guide, /I\/O-bound/);
  assert.match(io.recommendation, /threads or asyncio/);
  assert.match(io.evidence, /8 threads .*7\.1×.*holding it: 1\.02×/);
  assert.deepEqual(io.from, ['io-bound', 'convoy']);
  const small = row(guide, /small tasks/);
  assert.match(small.evidence, /start-up of a process here: 40(\.0)? ms, of a thread: 4(\.00)? ms/);
  // 10% overhead: a 40 ms process start-up means tasks under 400 ms should be batched.
  assert.match(small.recommendation, /tasks shorter than 400 ms should be batched/);
  assert.match(small.recommendation, /tasks shorter than 2(\.00)? ms should go in chunks/);
  const data = row(guide, /large data/);
  assert.match(data.recommendation, /shared_memory/);
  assert.match(data.recommendation, /20× faster than pickling/);
  assert.match(data.evidence, /64 MiB/);
});

test('the guide changes with the figures: no speedup from processes means no "use processes"', () => {
  const results: Record<string, Row[]> = {
    ...fullResults,
    'cpu-bound': cpuRows({ 'threads-hold': 1, 'threads-release': 1.05, processes: 1.02 }),
  };
  results.startup = [
    { kind: 'os-thread', samples: 5, startupMs: 1, rssBytes: 2e6 },
    { kind: 'process', samples: 5, startupMs: 90, rssBytes: 40e6 },
  ];
  const guide = decisionGuide({ results, cpus: 1, size: 'small' });
  assert.match(
    row(guide, /pure-Python/).recommendation,
    /nothing parallel paid off here \(processes reached only 1\.02×\)/,
  );
  assert.match(row(guide, /native code/).recommendation, /reached only 1\.05×/);
  assert.match(row(guide, /small tasks/).recommendation, /shorter than 900 ms/);
  assert.match(guideCaveat({ cpus: 1, size: 'small' }), /one CPU/);
});

test('an experiment that did not run gives "not measured in this run", never a default answer', () => {
  const guide = decisionGuide({ results: new Map([['io-bound', fullResults['io-bound']!]]), cpus: 2, size: 'tiny' });
  for (const r of guide.filter((g) => !/I\/O/.test(g.workload))) {
    assert.equal(r.recommendation, 'not measured in this run', r.workload);
    assert.match(r.evidence, /gil-lab run/);
  }
  assert.doesNotMatch(row(guide, /I\/O-bound/).evidence, /convoy|p99/);
  assert.match(guideCaveat({ cpus: 2, size: 'tiny' }), /--size tiny/);
});
