import assert from 'node:assert/strict';
import { test } from 'node:test';
import { efficiencyOf, fitSerialFraction, median, predictedSpeedup, speedupOf } from '#internal/bench/scaling/analysis';

const WORKERS = [1, 2, 4, 8, 16];

/** Synthetic speedups from Amdahl's law, optionally with a deterministic relative wobble. */
function amdahlPoints(serialFraction: number, wobble = 0) {
  return WORKERS.map((workers, i) => ({
    workers,
    speedup: (1 / (serialFraction + (1 - serialFraction) / workers)) * (1 + wobble * (i % 2 === 0 ? 1 : -1)),
  }));
}

test('the Amdahl fit recovers the serial fraction of exact synthetic data', () => {
  for (const s of [0, 0.05, 0.25, 0.5, 1]) {
    const fit = fitSerialFraction('amdahl', amdahlPoints(s));
    assert.ok(fit);
    assert.equal(fit.law, 'amdahl');
    assert.ok(Math.abs(fit.serialFraction - s) < 1e-12, `s=${s}: fitted ${fit.serialFraction}`);
    assert.ok(fit.rmsError < 1e-9);
    assert.equal(fit.points, WORKERS.length - 1, 'the one-worker point carries no information');
    assert.equal(fit.maxSpeedup, s === 0 ? null : 1 / fit.serialFraction);
  }
});

test('the Amdahl fit stays close on noisy data and is the least-squares optimum in normalised time', () => {
  const points = amdahlPoints(0.1, 0.03);
  const fit = fitSerialFraction('amdahl', points);
  assert.ok(fit);
  assert.ok(Math.abs(fit.serialFraction - 0.1) < 0.03, `fitted ${fit.serialFraction}`);
  // Normalised time T(n)/T(1) = s + (1 - s)/n: no nearby s has a smaller sum of squared residuals.
  const cost = (s: number) => points.reduce((sum, p) => sum + (1 / p.speedup - (s + (1 - s) / p.workers)) ** 2, 0);
  for (const delta of [-1e-3, 1e-3, -1e-2, 1e-2]) {
    assert.ok(cost(fit.serialFraction) <= cost(fit.serialFraction + delta));
  }
});

test('workers that slow each other down fit a serial fraction above 1; superlinear data clamps at 0', () => {
  const slower = fitSerialFraction('amdahl', [
    { workers: 1, speedup: 1 },
    { workers: 2, speedup: 0.8 },
    { workers: 4, speedup: 0.7 },
  ]);
  assert.ok(slower && slower.serialFraction > 1, `fitted ${slower?.serialFraction}`);
  assert.ok(predictedSpeedup('amdahl', slower.serialFraction, 4) < 1);
  const superlinear = fitSerialFraction('amdahl', [
    { workers: 2, speedup: 2.2 },
    { workers: 4, speedup: 4.6 },
  ]);
  assert.equal(superlinear?.serialFraction, 0);
  assert.equal(superlinear?.maxSpeedup, null);
});

test('the Gustafson fit recovers the serial fraction of weak-scaling data', () => {
  for (const s of [0, 0.2, 0.9]) {
    const points = WORKERS.map((workers) => ({ workers, speedup: workers - s * (workers - 1) }));
    const fit = fitSerialFraction('gustafson', points);
    assert.ok(fit);
    assert.ok(Math.abs(fit.serialFraction - s) < 1e-12);
    assert.equal(fit.maxSpeedup, undefined);
  }
});

test('with no point above one worker there is nothing to fit', () => {
  assert.equal(fitSerialFraction('amdahl', []), null);
  assert.equal(fitSerialFraction('amdahl', [{ workers: 1, speedup: 1 }]), null);
});

test('speedup, scaled speedup, efficiency and median', () => {
  assert.equal(speedupOf('strong', 4, 100, 25), 4);
  assert.equal(speedupOf('weak', 4, 100, 100), 4, 'weak: four times the work in the same time');
  assert.equal(speedupOf('weak', 4, 100, 400), 1);
  assert.equal(efficiencyOf(4, 3), 0.75);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(predictedSpeedup('amdahl', 0, 8), 8);
  assert.equal(predictedSpeedup('gustafson', 1, 8), 1);
});

test('bad input is a TypeError or RangeError naming the argument', () => {
  assert.throws(() => fitSerialFraction('amdahl', [{ workers: 0, speedup: 1 }]), {
    name: 'RangeError',
    message: /points\[0\]\.workers/,
  });
  assert.throws(() => fitSerialFraction('amdahl', [{ workers: 2, speedup: Number.NaN }]), {
    name: 'RangeError',
    message: /points\[0\]\.speedup/,
  });
  assert.throws(() => fitSerialFraction('amdahl', [{ workers: 2, speedup: '2' as unknown as number }]), {
    name: 'TypeError',
    message: /points\[0\]\.speedup/,
  });
  assert.throws(() => fitSerialFraction('amdahl', 'x' as never), { name: 'TypeError', message: /points/ });
  assert.throws(() => fitSerialFraction('linear' as never, []), { name: 'RangeError', message: /law/ });
  assert.throws(() => median([]), { name: 'RangeError', message: /values/ });
  assert.throws(() => median([1, Infinity]), { name: 'RangeError', message: /values\[1\]/ });
  assert.throws(() => speedupOf('strong', 2, 0, 1), { name: 'RangeError', message: /timeOne/ });
  assert.throws(() => speedupOf('sideways' as never, 2, 1, 1), { name: 'RangeError', message: /kind/ });
  assert.throws(() => predictedSpeedup('amdahl', -0.1, 2), { name: 'RangeError', message: /serialFraction/ });
  assert.throws(() => efficiencyOf(1.5, 1), { name: 'RangeError', message: /workers/ });
});
