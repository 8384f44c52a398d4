// Times small synchronous functions and returns plain numbers. Written here rather than taken from
// the npm `benchmark` package so that the suites need only gil-lab's runtime dependencies (they ship
// in dist/bench and run from an installed package).
//
// Each case runs in batches sized so that one batch lasts at least a few milliseconds (the timer's
// resolution and the loop's own cost then vanish), repeated until the case's time is spent (and at
// least MIN_SAMPLES times); the event loop gets a turn between batches.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BenchCaseResult, BenchOptions } from './suite.js';

export interface BenchCase {
  name: string;
  fn: () => void;
}

const MIN_SAMPLES = 5;
/** A batch lasts about this share of the case's time, so that a case takes about 1/share samples. */
const BATCH_SHARE = 1 / 50;
const MIN_BATCH_MS = 1;

function timeBatch(fn: () => void, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return performance.now() - t0;
}

/** Calls per batch: doubled from 1 until a batch lasts batchMs (which also warms the function up). */
function calibrate(fn: () => void, batchMs: number): number {
  let n = 1;
  for (;;) {
    const ms = timeBatch(fn, n);
    if (ms >= batchMs) return n;
    // Jump close to the target once a batch is long enough to measure; double while it is not.
    n = ms > batchMs / 20 ? Math.ceil((n * batchMs * 1.1) / ms) : n * 2;
  }
}

export async function runCase(c: BenchCase, maxTimeS: number): Promise<BenchCaseResult> {
  const budgetMs = maxTimeS * 1000;
  const batchMs = Math.max(MIN_BATCH_MS, budgetMs * BATCH_SHARE);
  const n = calibrate(c.fn, batchMs);
  const perCallNs: number[] = [];
  const start = performance.now();
  while (perCallNs.length < MIN_SAMPLES || performance.now() - start < budgetMs) {
    perCallNs.push((timeBatch(c.fn, n) * 1e6) / n);
    await nextTurn();
  }
  const k = perCallNs.length;
  const mean = perCallNs.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(perCallNs.reduce((a, x) => a + (x - mean) ** 2, 0) / (k - 1));
  return {
    name: c.name,
    opsPerSec: mean > 0 ? 1e9 / mean : 0,
    rmePercent: mean > 0 ? ((1.96 * sd) / Math.sqrt(k) / mean) * 100 : 0,
    meanNs: mean,
    samples: k,
  };
}

export async function runCases(
  cases: BenchCase[],
  options: Pick<BenchOptions, 'maxTimeS' | 'onCase'>,
): Promise<BenchCaseResult[]> {
  const results: BenchCaseResult[] = [];
  for (const c of cases) {
    const result = await runCase(c, options.maxTimeS);
    results.push(result);
    options.onCase?.(result);
  }
  return results;
}
