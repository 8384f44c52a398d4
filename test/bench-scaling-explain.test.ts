// The rules that explain a scaling point from its recorded timings (bench/scaling/explain.ts), on
// synthetic timings: each rule holds exactly when its evidence is there, and a point with no
// evidence gets no explanation — nothing is assumed from the machine alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPoint, summarizeFindings, type MachineFacts, type PointFacts } from '#internal/bench/scaling/explain';
import type { PointTiming } from '#internal/bench/scaling/timing';

/** A clean point: on its CPU throughout, evenly loaded, dispatched at once. */
function timing(overrides: Partial<PointTiming> = {}): PointTiming {
  return {
    batches: 5,
    dispatchSpreadMs: 0.05,
    dispatchSpreadFraction: 0.001,
    imbalanceMs: 1,
    imbalanceFraction: 0.01,
    cpuWallMin: 0.97,
    cpuWallMedian: 0.99,
    tasksPerWorkerMin: 1,
    tasksPerWorkerMax: 1,
    workersUsedMin: 2,
    migratedTasks: 0,
    pinned: false,
    ...overrides,
  };
}

const TWO_CORES: MachineFacts = { cpus: 2, physicalCores: 2, threadsPerCore: 1, quotaCpus: null };
const SIXTEEN_ON_EIGHT: MachineFacts = { cpus: 16, physicalCores: 8, threadsPerCore: 2, quotaCpus: null };
const SIXTEEN_CORES: MachineFacts = { cpus: 16, physicalCores: 16, threadsPerCore: 1, quotaCpus: null };

function point(overrides: Partial<PointFacts> & { timing?: PointTiming }): PointFacts {
  return { workers: 2, efficiency: 0.98, workloadKind: 'cpu-bound', lockShared: false, timing: timing(), ...overrides };
}

const kinds = (machine: MachineFacts, p: PointFacts) => explainPoint(machine, p).map((f) => f.kind);

test('a clean point near ideal gets no explanation, also on a machine with SMT below the core count', () => {
  assert.deepEqual(kinds(TWO_CORES, point({})), []);
  assert.deepEqual(kinds(SIXTEEN_ON_EIGHT, point({ workers: 8, timing: timing({ workersUsedMin: 8 }) })), []);
});

test('tasks off their CPU under a shared lock are lock waits, and no other rule is applied then', () => {
  const p = point({
    lockShared: true,
    efficiency: 0.5,
    timing: timing({ cpuWallMin: 0.3, cpuWallMedian: 0.5, dispatchSpreadFraction: 0.5, imbalanceFraction: 0.4 }),
  });
  assert.deepEqual(kinds(TWO_CORES, p), ['lock-wait']);
  // On CPU under a shared lock (one worker, say): nothing to explain.
  assert.deepEqual(kinds(TWO_CORES, point({ lockShared: true, workers: 1 })), []);
});

test('tasks off their CPU with more workers than CPUs: oversubscribed, and late starts are not called dispatch', () => {
  const p = point({
    workers: 4,
    efficiency: 0.5,
    timing: timing({ cpuWallMin: 0.45, cpuWallMedian: 0.5, dispatchSpreadFraction: 0.3, workersUsedMin: 4 }),
  });
  assert.deepEqual(kinds(TWO_CORES, p), ['oversubscribed']);
});

test('tasks off their CPU with more workers than the cgroup quota: quota', () => {
  const quota: MachineFacts = { ...SIXTEEN_CORES, quotaCpus: 8 };
  const p = point({
    workers: 16,
    efficiency: 0.5,
    timing: timing({ cpuWallMin: 0.4, cpuWallMedian: 0.5, workersUsedMin: 16 }),
  });
  assert.deepEqual(kinds(quota, p), ['quota']);
  const [finding] = explainPoint(quota, p);
  assert.match(finding!.detail, /quota of 8\.00 CPUs/);
  // The same timings with no quota: other work on the machine.
  assert.deepEqual(kinds(SIXTEEN_CORES, p), ['busy-machine']);
});

test('only some tasks off their CPU still counts, and says so', () => {
  const p = point({ efficiency: 0.8, timing: timing({ cpuWallMin: 0.6, cpuWallMedian: 0.95 }) });
  const findings = explainPoint(TWO_CORES, p);
  assert.deepEqual(
    findings.map((f) => f.kind),
    ['busy-machine'],
  );
  assert.match(findings[0]!.detail, /some tasks off their CPU \(CPU\/wall min 0\.60, median 0\.95\)/);
});

test('imbalance over 10% of the batch: stragglers; a worker with two tasks while another idles: uneven', () => {
  assert.deepEqual(kinds(TWO_CORES, point({ efficiency: 0.8, timing: timing({ imbalanceFraction: 0.1001 }) })), [
    'stragglers',
  ]);
  assert.deepEqual(kinds(TWO_CORES, point({ efficiency: 0.8, timing: timing({ imbalanceFraction: 0.1 }) })), [
    'shared-unit',
  ]);
  const uneven = point({
    workers: 16,
    efficiency: 0.7,
    timing: timing({ tasksPerWorkerMax: 2, workersUsedMin: 15 }),
  });
  assert.deepEqual(kinds(SIXTEEN_CORES, uneven), ['uneven']);
});

test('dispatch spread over 1% of the batch with no more workers than CPUs: dispatch', () => {
  assert.deepEqual(kinds(TWO_CORES, point({ timing: timing({ dispatchSpreadFraction: 0.02 }) })), ['dispatch']);
  assert.deepEqual(kinds(TWO_CORES, point({ timing: timing({ dispatchSpreadFraction: 0.01 }) })), []);
});

test('SMT only where workers exceed physical cores and cores carry several hardware threads', () => {
  const sixteen = point({ workers: 16, efficiency: 0.55, timing: timing({ workersUsedMin: 16 }) });
  assert.deepEqual(kinds(SIXTEEN_ON_EIGHT, sixteen), ['smt']);
  // 16 hardware threads on 16 cores (the committed 16-thread machine's sysfs): SMT cannot explain it.
  assert.deepEqual(kinds(SIXTEEN_CORES, sixteen), ['shared-unit']);
  // Unknown topology: the rule cannot hold.
  assert.deepEqual(kinds({ cpus: 16, physicalCores: null, threadsPerCore: null, quotaCpus: null }, sixteen), [
    'shared-unit',
  ]);
});

test('on the CPU, even and still slow: a shared unit, named by the workload kind', () => {
  const memory = explainPoint(TWO_CORES, point({ efficiency: 0.6, workloadKind: 'memory-bound' }));
  assert.deepEqual(
    memory.map((f) => f.kind),
    ['shared-unit'],
  );
  assert.match(memory[0]!.detail, /memory bandwidth/);
  // Not when another rule already explains the point.
  assert.deepEqual(kinds(TWO_CORES, point({ efficiency: 0.6, timing: timing({ imbalanceFraction: 0.3 }) })), [
    'stragglers',
  ]);
  // No CPU/wall figures (tasks too short to time): the rule has no evidence.
  assert.deepEqual(
    kinds(TWO_CORES, point({ efficiency: 0.6, timing: timing({ cpuWallMin: null, cpuWallMedian: null }) })),
    [],
  );
});

test('the summary groups shortfalls by explanation and lists those no rule explains', () => {
  const line = summarizeFindings('why: countPrimes strong', [
    { mode: 'processes', workers: 1, efficiency: 1, findings: [] },
    { mode: 'processes', workers: 2, efficiency: 0.95, findings: [] },
    {
      mode: 'processes',
      workers: 4,
      efficiency: 0.5,
      findings: [{ kind: 'oversubscribed', detail: '' }],
    },
    { mode: 'free-threaded', workers: 4, efficiency: 0.45, findings: [] },
  ]);
  assert.equal(
    line,
    'why: countPrimes strong, short of ideal — oversubscribed (more workers than CPUs): processes ×4 (50%); ' +
      'no rule holds: free-threaded ×4 (45%)',
  );
  assert.equal(
    summarizeFindings('why: x', [{ mode: 'm', workers: 2, efficiency: 0.95, findings: [] }]),
    'why: x: every point within 10% of ideal',
  );
});

test('bad facts are errors naming the field', () => {
  assert.throws(() => explainPoint({ ...TWO_CORES, cpus: 0 }, point({})), /machine\.cpus/);
  assert.throws(() => explainPoint(TWO_CORES, point({ workers: 1.5 })), /point\.workers/);
  assert.throws(() => explainPoint(TWO_CORES, point({ efficiency: Number.NaN })), /point\.efficiency/);
  assert.throws(
    () => explainPoint(TWO_CORES, { ...point({}), timing: null as unknown as PointTiming }),
    /point\.timing/,
  );
});
