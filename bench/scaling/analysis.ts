// The numbers a scaling sweep reports, computed from measured times: medians, speedup, efficiency,
// and the serial fraction that best explains a speedup curve.
//
// Strong scaling (fixed total work) follows Amdahl's law: with serial fraction s, n workers take
//   T(n) / T(1) = s + (1 - s) / n,   so the speedup is S(n) = 1 / (s + (1 - s) / n).
// Weak scaling (fixed work per worker, n times the work on n workers) follows Gustafson's law:
//   the scaled speedup n·T(1)/T(n) = n - s·(n - 1).
// Both are linear in s once written as y = s·x, so the least-squares s has a closed form:
//   Amdahl:    x = 1 - 1/n,  y = T(n)/T(1) - 1/n   (residuals in normalised time)
//   Gustafson: x = n - 1,    y = n - S(n)          (residuals in scaled speedup)
// s is clamped at 0 (superlinear points would make it negative) but not at 1: a fraction above 1
// says the workers slow each other down (S < 1), which is exactly what a contended lock can do.

export type ScalingLaw = 'amdahl' | 'gustafson';

/** One measured point: `workers` workers and the speedup over one worker. */
export interface SpeedupPoint {
  workers: number;
  speedup: number;
}

export interface SerialFractionFit {
  law: ScalingLaw;
  /** The least-squares serial fraction, ≥ 0 (above 1: adding workers makes it slower). */
  serialFraction: number;
  /** Root-mean-square residual of the fitted speedup against the measured one, over the fitted points. */
  rmsError: number;
  /** Points with workers > 1 that the fit used. */
  points: number;
  /** Amdahl only: the speedup limit 1/s as workers → ∞ (null when s = 0: no limit). */
  maxSpeedup?: number | null;
}

function checkPositiveFinite(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  return value;
}

function checkWorkers(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/** The median of a non-empty list of finite numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (!Array.isArray(values)) throw new TypeError('values must be an array of numbers');
  if (values.length === 0) throw new RangeError('values must not be empty');
  values.forEach((v, i) => {
    if (typeof v !== 'number') throw new TypeError(`values[${i}] must be a number, got ${typeof v}`);
    if (!Number.isFinite(v)) throw new RangeError(`values[${i}] must be finite, got ${v}`);
  });
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Speedup of `workers` workers over one. Strong scaling: T(1)/T(n). Weak scaling (n times the
 * work): the scaled speedup n·T(1)/T(n).
 */
export function speedupOf(kind: 'strong' | 'weak', workers: number, timeOne: number, timeN: number): number {
  if (kind !== 'strong' && kind !== 'weak')
    throw new RangeError(`kind must be 'strong' or 'weak', got ${String(kind)}`);
  checkWorkers(workers, 'workers');
  checkPositiveFinite(timeOne, 'timeOne');
  checkPositiveFinite(timeN, 'timeN');
  return kind === 'strong' ? timeOne / timeN : (workers * timeOne) / timeN;
}

/** Speedup per worker: 1 is perfect scaling. */
export function efficiencyOf(workers: number, speedup: number): number {
  checkWorkers(workers, 'workers');
  checkPositiveFinite(speedup, 'speedup');
  return speedup / workers;
}

/** The speedup a law predicts for `workers` workers and serial fraction `s`. */
export function predictedSpeedup(law: ScalingLaw, serialFraction: number, workers: number): number {
  checkWorkers(workers, 'workers');
  if (typeof serialFraction !== 'number')
    throw new TypeError(`serialFraction must be a number, got ${typeof serialFraction}`);
  if (!Number.isFinite(serialFraction) || serialFraction < 0) {
    throw new RangeError(`serialFraction must be a finite number ≥ 0, got ${serialFraction}`);
  }
  if (law === 'amdahl') return 1 / (serialFraction + (1 - serialFraction) / workers);
  if (law === 'gustafson') return workers - serialFraction * (workers - 1);
  throw new RangeError(`law must be 'amdahl' or 'gustafson', got ${String(law)}`);
}

/**
 * The least-squares serial fraction for measured speedups (see the header). Points with one
 * worker carry no information (their speedup is 1 by definition) and are ignored; with no point
 * above one worker there is nothing to fit and the result is null.
 */
export function fitSerialFraction(law: ScalingLaw, points: readonly SpeedupPoint[]): SerialFractionFit | null {
  if (law !== 'amdahl' && law !== 'gustafson')
    throw new RangeError(`law must be 'amdahl' or 'gustafson', got ${String(law)}`);
  if (!Array.isArray(points)) throw new TypeError('points must be an array of { workers, speedup }');
  const checked = points.map((p, i) => {
    if (typeof p !== 'object' || p === null) throw new TypeError(`points[${i}] must be an object { workers, speedup }`);
    return {
      workers: checkWorkers(p.workers, `points[${i}].workers`),
      speedup: checkPositiveFinite(p.speedup, `points[${i}].speedup`),
    };
  });
  const used = checked.filter((p) => p.workers > 1);
  if (used.length === 0) return null;
  let sxy = 0;
  let sxx = 0;
  for (const { workers: n, speedup } of used) {
    const x = law === 'amdahl' ? 1 - 1 / n : n - 1;
    const y = law === 'amdahl' ? 1 / speedup - 1 / n : n - speedup;
    sxy += x * y;
    sxx += x * x;
  }
  const serialFraction = Math.max(0, sxy / sxx);
  const squares = used.reduce((sum, p) => sum + (predictedSpeedup(law, serialFraction, p.workers) - p.speedup) ** 2, 0);
  const fit: SerialFractionFit = {
    law,
    serialFraction,
    rmsError: Math.sqrt(squares / used.length),
    points: used.length,
  };
  if (law === 'amdahl') fit.maxSpeedup = serialFraction === 0 ? null : 1 / serialFraction;
  return fit;
}
