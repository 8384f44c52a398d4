// Per-task timing of the sweep (bench/scaling/timing.ts): reports made relative to dispatch,
// checked as they cross from a worker, and summarised per batch and per point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  batchStats,
  batchTiming,
  pointTiming,
  relativeTiming,
  type RawTaskTiming,
} from '#internal/bench/scaling/timing';

const MS = 1e6;
const DISPATCH = 5_000 * MS;

function raw(overrides: Partial<RawTaskTiming>): RawTaskTiming {
  return {
    pid: 100,
    threadId: 1,
    startNs: DISPATCH,
    endNs: DISPATCH + 10 * MS,
    cpuNs: 10 * MS,
    cpuClock: 'thread',
    cpuAtStart: 0,
    cpuAtEnd: 0,
    pinnedCpu: null,
    ...overrides,
  };
}

test('a report becomes relative to dispatch, with its worker and CPU/wall ratio', () => {
  const t = relativeTiming(DISPATCH, raw({ startNs: DISPATCH + 2 * MS, endNs: DISPATCH + 12 * MS, cpuNs: 5 * MS }));
  assert.equal(t.worker, '100/1');
  assert.equal(t.startMs, 2);
  assert.equal(t.endMs, 12);
  assert.equal(t.cpuMs, 5);
  assert.equal(t.cpuWall, 0.5);
  // Too short to time: no ratio rather than a meaningless one.
  assert.equal(relativeTiming(DISPATCH, raw({ endNs: DISPATCH + 100, cpuNs: 100 })).cpuWall, null);
});

test('malformed reports are errors naming the field', () => {
  assert.throws(() => relativeTiming(DISPATCH, raw({ endNs: DISPATCH - 1 })), /endNs .* is before startNs/);
  assert.throws(() => relativeTiming(DISPATCH, raw({ cpuNs: -1 })), /cpuNs must be ≥ 0/);
  assert.throws(() => relativeTiming(DISPATCH, raw({ startNs: Number.NaN })), /startNs must be finite/);
  assert.throws(() => relativeTiming(DISPATCH, raw({ cpuClock: 'wall' as 'thread' })), /cpuClock/);
  assert.throws(() => relativeTiming(DISPATCH, null as unknown as RawTaskTiming), /timing must be an object/);
  assert.throws(() => batchTiming({ dispatchNs: DISPATCH, tasks: [raw({})] }, 2, 10), /batch of 2 tasks reported 1/);
});

test('batch statistics: spread of starts, slowest − median wall, CPU/wall, tasks per worker', () => {
  const tasks = [
    raw({ threadId: 1, startNs: DISPATCH + 0.1 * MS, endNs: DISPATCH + 10.1 * MS, cpuNs: 10 * MS }),
    raw({ threadId: 2, startNs: DISPATCH + 0.3 * MS, endNs: DISPATCH + 10.3 * MS, cpuNs: 9 * MS }),
    raw({ threadId: 3, startNs: DISPATCH + 0.5 * MS, endNs: DISPATCH + 20.5 * MS, cpuNs: 10 * MS }),
    raw({ threadId: 3, startNs: DISPATCH + 20.6 * MS, endNs: DISPATCH + 30.6 * MS, cpuNs: 10 * MS, cpuAtEnd: 1 }),
  ].map((r, i) => relativeTiming(DISPATCH, r, `tasks[${i}]`));
  const stats = batchStats(tasks, 40);
  assert.ok(Math.abs(stats.dispatchSpreadMs - 20.5) < 1e-9);
  // Walls 10, 10, 20, 10: median 10, max 20.
  assert.ok(Math.abs(stats.imbalanceMs - 10) < 1e-9);
  assert.equal(stats.cpuWallMin, 0.5);
  assert.equal(stats.cpuWallMedian, 0.95);
  assert.equal(stats.workersUsed, 3);
  assert.equal(stats.tasksPerWorkerMin, 1);
  assert.equal(stats.tasksPerWorkerMax, 2);
  assert.throws(() => batchStats([], 1), /non-empty/);
  assert.throws(() => batchStats(tasks, 0), /batchMs must be positive/);
});

test('a point: medians over its batches, CPU/wall over all its tasks, migrations and pinning', () => {
  const batch = (spreadMs: number, batchMs: number, pinnedCpu: number | null) =>
    batchTiming(
      {
        dispatchNs: DISPATCH,
        tasks: [
          raw({ threadId: 1, pinnedCpu }),
          raw({
            threadId: 2,
            startNs: DISPATCH + spreadMs * MS,
            endNs: DISPATCH + (spreadMs + 10) * MS,
            cpuAtEnd: 1,
            pinnedCpu,
          }),
        ],
      },
      2,
      batchMs,
    );
  const p = pointTiming([batch(1, 20, 0), batch(2, 20, 1), batch(4, 40, 0)]);
  assert.equal(p.batches, 3);
  assert.equal(p.dispatchSpreadMs, 2);
  assert.equal(p.dispatchSpreadFraction, 0.1);
  assert.equal(p.imbalanceMs, 0);
  assert.equal(p.cpuWallMin, 1);
  assert.equal(p.tasksPerWorkerMax, 1);
  assert.equal(p.workersUsedMin, 2);
  assert.equal(p.migratedTasks, 3);
  assert.equal(p.pinned, true);
  assert.equal(pointTiming([batch(1, 20, null)]).pinned, false);
  assert.throws(() => pointTiming([]), /non-empty/);
});
