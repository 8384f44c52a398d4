// How the scaling suite sizes its work: the triad spans (bounded by memory and /dev/shm), the
// repetitions, and the time estimate that picks the one-worker batch time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sizeCountPrimes, sizeTriad, triadArrayBytes } from '#internal/bench/scaling/workloads';
import { pinFromEnv, sweepCostUnits } from '#internal/bench/suites/scaling';

const SPANS = { minStrongElements: 2 ** 24, maxStrongElements: 2 ** 26, weakElementsPerWorker: 2 ** 23, maxWorkers: 4 };

test('strong triad: one pass of about the target time within the bounds, repeated only when the span is capped', () => {
  // 1e9 elements/s × 0.05 s = 5e7 elements: inside the bounds, one pass.
  const mid = sizeTriad(1e9, 0.05, SPANS);
  assert.ok(mid.strongElements >= 2 ** 24 && mid.strongElements <= 2 ** 26);
  assert.ok(Math.abs(mid.strongElements - 5e7) < 8192);
  assert.equal(mid.strongReps, 1);
  // Fast machine: capped at the upper bound, so passes repeat.
  const fast = sizeTriad(1e10, 0.25, SPANS);
  assert.equal(fast.strongElements, 2 ** 26);
  assert.equal(fast.strongReps, Math.round(2.5e9 / 2 ** 26));
  // Weak: each worker's span is fixed; its passes make up the target time.
  assert.equal(fast.weakElementsPerWorker, 2 ** 23);
  assert.equal(fast.weakReps, Math.round(2.5e9 / 2 ** 23));
  assert.equal(fast.reducedFrom, undefined);
  assert.equal(fast.processesFit, true);
});

test('triad spans are halved until one copy of the arrays fits memory and /dev/shm', () => {
  const limit = 200 * 2 ** 20;
  const sizing = sizeTriad(1e9, 0.25, SPANS, { memoryBytes: Infinity, sharedMemoryBytes: limit });
  assert.ok(triadArrayBytes(sizing) <= limit, `${triadArrayBytes(sizing)} bytes`);
  assert.ok(sizing.reducedFrom !== undefined);
  assert.equal(sizing.processesFit, true);
  // A /dev/shm too small for even the smallest spans: processes cannot run the triad.
  const tiny = sizeTriad(1e9, 0.25, SPANS, { memoryBytes: Infinity, sharedMemoryBytes: 1 << 20 });
  assert.equal(tiny.processesFit, false);
});

test('countPrimes: numbers for the target time, at least 1000', () => {
  assert.deepEqual(sizeCountPrimes(1e6, 0.25), { strongNumbers: 250_000, weakNumbersPerWorker: 250_000 });
  assert.equal(sizeCountPrimes(10, 0.01).strongNumbers, 1000);
});

test('the cost estimate counts hold-mode threads as serial and the rest up to the cores', () => {
  // One mode that scales perfectly on 1 core, workers 1 and 2: strong 1 + 1, weak 1 + 2, for two workloads.
  assert.equal(sweepCostUnits([1, 2], 1, ['processes']), 2 * (1 + 1 + 1 + 2));
  // Hold mode never speeds up: strong 1 per count, weak n per count.
  assert.equal(sweepCostUnits([1, 2, 4], 4, ['threads-hold']), 2 * (3 + 7));
  assert.ok(
    sweepCostUnits([1, 2, 4, 8, 16, 32], 16, ['processes']) <
      sweepCostUnits([1, 2, 4, 8, 16, 32], 16, ['threads-hold']),
  );
});

test('strong batches scale with the largest worker count, so its tasks stay as long as one weak task', () => {
  // 4 workers at most: the strong range is 4 weak tasks' worth, split 4 ways at ×4.
  assert.deepEqual(sizeCountPrimes(1e6, 0.25, 4), { strongNumbers: 1_000_000, weakNumbersPerWorker: 250_000 });
  assert.throws(() => sizeCountPrimes(1e6, 0.25, 0), /strongScale must be an integer ≥ 1/);
  // Triad: the span grows up to its bound, the passes make up the rest.
  const scaled = sizeTriad(1e9, 0.05, { ...SPANS, strongScale: 4 });
  assert.equal(scaled.strongElements, 2 ** 26);
  assert.equal(scaled.strongReps, Math.round(2e8 / 2 ** 26));
  assert.throws(() => sizeTriad(1e9, 0.05, { ...SPANS, strongScale: 1.5 }), /spans\.strongScale/);
  // The cost estimate counts the larger strong batches. CPU-bound (up to 2 cores): strong 4 + 4/2,
  // weak 1 + 2/2; memory-bound (up to 1 core): strong 4 + 4, weak 1 + 2.
  assert.equal(sweepCostUnits([1, 2], 2, ['processes'], 4), 4 + 2 + (1 + 1) + (4 + 4) + (1 + 2));
});

test('GIL_LAB_SCALING_PIN: 1/true pin, unset/empty/0/false do not, anything else is an error', () => {
  assert.equal(pinFromEnv(undefined), false);
  assert.equal(pinFromEnv(''), false);
  assert.equal(pinFromEnv('0'), false);
  assert.equal(pinFromEnv('true'), true);
  assert.equal(pinFromEnv('1'), true);
  assert.throws(() => pinFromEnv('yes'), /GIL_LAB_SCALING_PIN must be/);
});
