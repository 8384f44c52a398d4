// The sweep engine against synthetic modes and a virtual clock: what it runs, in which order, what
// it computes from the times, and that it always closes its pools.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultWorkerCounts,
  runSweep,
  type SweepMode,
  type SweepPool,
  type SweepWorkload,
  type TaskCall,
  type Transport,
} from '#internal/bench/scaling/sweep';

const CORES = 4;

/** A virtual clock that pools advance by the time their batch "takes". */
function virtualClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => void (now += ms) };
}

/**
 * A mode whose batches take (serial + parallel / min(workers, cores)) × the batch's work units —
 * Amdahl's law exactly — with a small alternating jitter so that the median matters.
 */
function syntheticMode(
  name: string,
  serialFraction: number,
  time: ReturnType<typeof virtualClock>,
  log: string[],
): SweepMode {
  return {
    name,
    description: `Amdahl with s = ${serialFraction}`,
    transport: 'thread',
    async startPool(workers: number): Promise<SweepPool> {
      log.push(`start ${name} ${workers}`);
      let batches = 0;
      return {
        async run(tasks: readonly TaskCall[]) {
          log.push(`run ${name} ${workers}`);
          const units = tasks.reduce((sum, t) => sum + (t.args[0] as number), 0);
          const parallel = Math.min(workers, CORES);
          const jitter = [1, 1.2, 0.9, 1.05][batches++ % 4]!;
          time.advance(units * (serialFraction + (1 - serialFraction) / parallel) * jitter);
          return { results: tasks.map((t) => t.args[0]) };
        },
        async close() {
          log.push(`close ${name} ${workers}`);
        },
      };
    },
  };
}

function syntheticWorkload(log: string[], failAt?: { workers: number }): SweepWorkload {
  return {
    name: 'units',
    kind: 'cpu-bound',
    description: 'synthetic units of work',
    unit: 'units',
    batch(type, workers, transport: Transport) {
      assert.equal(transport, 'thread');
      const perTask = type === 'strong' ? 1000 / workers : 1000;
      return {
        tasks: Array.from({ length: workers }, () => ({ task: 'units', args: [perTask] })),
        workUnits: perTask * workers,
      };
    },
    warmup(workers) {
      log.push(`warmup ${workers}`);
      return { tasks: Array.from({ length: workers }, () => ({ task: 'units', args: [0] })), workUnits: 0 };
    },
    check(_type, workers, results) {
      assert.equal(results.length, workers);
      if (failAt !== undefined && workers === failAt.workers) throw new Error('wrong result');
    },
    dispose() {
      log.push('dispose');
    },
  };
}

test('defaultWorkerCounts: powers of two up to the cores, the cores, and twice the cores', () => {
  assert.deepEqual(defaultWorkerCounts(1), [1, 2]);
  assert.deepEqual(defaultWorkerCounts(2), [1, 2, 4]);
  assert.deepEqual(defaultWorkerCounts(6), [1, 2, 4, 6, 12]);
  assert.deepEqual(defaultWorkerCounts(16), [1, 2, 4, 8, 16, 32]);
  assert.throws(() => defaultWorkerCounts(0), { name: 'RangeError', message: /cores/ });
});

test('the sweep times every point, takes medians, and recovers each mode serial fraction', async () => {
  const time = virtualClock();
  const log: string[] = [];
  const progress: number[] = [];
  const result = await runSweep({
    workloads: [syntheticWorkload(log)],
    modes: [
      syntheticMode('serial', 1, time, log),
      syntheticMode('parallel', 0, time, log),
      syntheticMode('tenth', 0.1, time, log),
    ],
    workerCounts: defaultWorkerCounts(CORES),
    repeats: 3,
    cores: CORES,
    clock: time.clock,
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(result.workerCounts, [1, 2, 4, 8]);
  assert.equal(result.series.length, 3 * 2);
  // For each worker count: every mode's pool is started and warmed up, then the timed batches take
  // turns among the modes (strong then weak, 3 repeats each), then the pools are closed.
  const modes = ['serial', 'parallel', 'tenth'];
  const one = log.slice(0, log.indexOf('start serial 2'));
  assert.deepEqual(one, [
    ...modes.flatMap((m) => [`start ${m} 1`, 'warmup 1', `run ${m} 1`]),
    ...Array.from({ length: 2 * 3 }, () => modes.map((m) => `run ${m} 1`)).flat(),
    ...modes.map((m) => `close ${m} 1`),
  ]);
  assert.equal(log.filter((l) => l.startsWith('start')).length, 12);
  assert.equal(log.filter((l) => l.startsWith('close')).length, 12);
  assert.equal(log.at(-1), 'dispose');
  assert.equal(Math.max(...progress), 3 * 4 * 2);

  for (const series of result.series) {
    for (const point of series.points) {
      assert.equal(point.timesMs.length, 3);
      // Jitter factors 1, 1.2, 0.9 (or 1.05, 1, 1.2): the median is the middle one.
      const sorted = [...point.timesMs].sort((a, b) => a - b);
      assert.equal(point.medianMs, sorted[1]);
      assert.ok(Math.abs(point.efficiency - point.speedup / point.workers) < 1e-12);
    }
    assert.equal(series.points[0]!.speedup, 1);
  }
  const strong = (mode: string) => result.series.find((s) => s.mode === mode && s.type === 'strong')!;
  const weak = (mode: string) => result.series.find((s) => s.mode === mode && s.type === 'weak')!;
  assert.equal(strong('serial').fit?.law, 'amdahl');
  assert.equal(weak('serial').fit?.law, 'gustafson');
  // Medians differ from the model by the jitter (up to 5%), so fits are close, not exact.
  assert.ok(Math.abs(strong('serial').fit!.serialFraction - 1) < 0.1);
  assert.ok(strong('parallel').fit!.serialFraction < 0.05);
  assert.ok(Math.abs(strong('tenth').fit!.serialFraction - 0.1) < 0.05);
  assert.ok(Math.abs(weak('serial').fit!.serialFraction - 1) < 0.1);
  assert.ok(weak('parallel').fit!.serialFraction < 0.05);
  // Beyond the cores there is nothing more to gain; those points are not fitted.
  assert.equal(strong('parallel').fit!.points, 2);
  const eight = strong('parallel').points.find((p) => p.workers === 8)!;
  assert.ok(eight.speedup < 4.5 && eight.speedup > 3.5, `8 workers on 4 cores: ${eight.speedup}`);
});

test('a wrong result fails the sweep and still closes the pool and disposes the workload', async () => {
  const time = virtualClock();
  const log: string[] = [];
  await assert.rejects(
    runSweep({
      workloads: [syntheticWorkload(log, { workers: 2 })],
      modes: [syntheticMode('serial', 1, time, log)],
      workerCounts: [1, 2],
      repeats: 3,
      cores: 2,
      clock: time.clock,
    }),
    /wrong result/,
  );
  assert.deepEqual(log.slice(-2), ['close serial 2', 'dispose']);
});

test('bad sweep options are errors naming the option', async () => {
  const time = virtualClock();
  const base = {
    workloads: [syntheticWorkload([])],
    modes: [syntheticMode('serial', 1, time, [])],
    workerCounts: [1, 2],
    repeats: 3,
    cores: 2,
  };
  await assert.rejects(runSweep({ ...base, repeats: 2 }), { name: 'RangeError', message: /repeats/ });
  await assert.rejects(runSweep({ ...base, workerCounts: [2, 4] }), { name: 'RangeError', message: /workerCounts/ });
  await assert.rejects(runSweep({ ...base, workerCounts: [1, 4, 2] }), { name: 'RangeError', message: /ascending/ });
  await assert.rejects(runSweep({ ...base, modes: [] }), { name: 'RangeError', message: /modes/ });
  await assert.rejects(runSweep({ ...base, cores: 0 }), { name: 'RangeError', message: /cores/ });
});

test('modes whose transport a workload does not support here are skipped and listed', async () => {
  const time = virtualClock();
  const log: string[] = [];
  const workload = { ...syntheticWorkload(log), supportsTransport: (t: Transport) => t !== 'thread' };
  const result = await runSweep({
    workloads: [workload],
    modes: [syntheticMode('serial', 1, time, log)],
    workerCounts: [1, 2],
    repeats: 3,
    cores: 2,
    clock: time.clock,
  });
  assert.deepEqual(result.series, []);
  assert.deepEqual(result.skipped, [{ workload: 'units', mode: 'serial' }]);
  assert.equal(log.filter((l) => l.startsWith('start')).length, 0);
});

/** A mode whose pool reports task timings: task i starts i ms after dispatch and runs `units` ms on its own worker. */
function timedMode(time: ReturnType<typeof virtualClock>, seen: { pin: boolean[] }): SweepMode {
  return {
    name: 'timed',
    description: 'reports timings',
    transport: 'thread',
    async startPool(_workers, options) {
      seen.pin.push(options.pin);
      return {
        async run(tasks: readonly TaskCall[]) {
          const dispatchNs = 1e12;
          const timings = tasks.map((t, i) => {
            const ms = t.args[0] as number;
            return {
              pid: 1,
              threadId: i + 1,
              startNs: dispatchNs + i * 1e6,
              endNs: dispatchNs + (i + ms) * 1e6,
              cpuNs: ms * 0.5e6,
              cpuClock: 'thread' as const,
              cpuAtStart: i,
              cpuAtEnd: i,
              pinnedCpu: options.pin ? i : null,
            };
          });
          time.advance(Math.max(...tasks.map((t, i) => i + (t.args[0] as number))));
          return { results: tasks.map((t) => t.args[0]), timing: { dispatchNs, tasks: timings } };
        },
        async close() {},
      };
    },
  };
}

test('pools that time their tasks give every point its timing summary and batches; pin reaches the pools', async () => {
  const time = virtualClock();
  const seen = { pin: [] as boolean[] };
  const result = await runSweep({
    workloads: [syntheticWorkload([])],
    modes: [timedMode(time, seen)],
    workerCounts: [1, 2],
    types: ['weak'],
    repeats: 3,
    cores: 2,
    pin: true,
    clock: time.clock,
  });
  assert.equal(result.pin, true);
  assert.deepEqual(seen.pin, [true, true]);
  const two = result.series[0]!.points[1]!;
  assert.equal(two.batches!.length, 3);
  // Weak: 1000 units per task; the second task starts 1 ms late, the batch takes 1001 ms.
  assert.ok(Math.abs(two.timing!.dispatchSpreadMs - 1) < 1e-6);
  assert.ok(Math.abs(two.timing!.dispatchSpreadFraction - 1 / 1001) < 1e-9);
  assert.equal(two.timing!.cpuWallMedian, 0.5);
  assert.equal(two.timing!.workersUsedMin, 2);
  assert.equal(two.timing!.pinned, true);
  assert.deepEqual(result.modes, [{ name: 'timed', description: 'reports timings', lockShared: false }]);

  // Pools that do not time their tasks leave the points without timing, and pin defaults to off.
  const plain = await runSweep({
    workloads: [syntheticWorkload([])],
    modes: [syntheticMode('plain', 0, time, [])],
    workerCounts: [1, 2],
    repeats: 3,
    cores: 2,
    clock: time.clock,
  });
  assert.equal(plain.pin, false);
  assert.equal(plain.series[0]!.points[1]!.timing, undefined);
  await assert.rejects(
    runSweep({
      ...{
        workloads: [syntheticWorkload([])],
        modes: [timedMode(time, seen)],
        workerCounts: [1],
        repeats: 3,
        cores: 1,
      },
      pin: 'yes' as unknown as boolean,
    }),
    { name: 'TypeError', message: /options\.pin/ },
  );
});
