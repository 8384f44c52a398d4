// Runs a list of cases with the npm `benchmark` package (a runtime dependency, so the suites run from
// an installed package too) and returns plain numbers.
import Benchmark from 'benchmark';
import type { BenchCaseResult, BenchOptions } from './suite.js';

export interface BenchCase {
  name: string;
  fn: () => void;
}

export function runCases(
  cases: BenchCase[],
  options: Pick<BenchOptions, 'maxTimeS' | 'onCase'>,
): Promise<BenchCaseResult[]> {
  return new Promise((resolve, reject) => {
    const suite = new Benchmark.Suite();
    for (const c of cases) {
      suite.add(c.name, c.fn, { maxTime: options.maxTimeS, minSamples: 5 });
    }
    const results: BenchCaseResult[] = [];
    suite.on('cycle', (event: Benchmark.Event) => {
      const bench = event.target as unknown as Benchmark;
      if (bench.error !== undefined) return;
      const result: BenchCaseResult = {
        name: String(bench.name),
        opsPerSec: bench.hz ?? 0,
        rmePercent: bench.stats?.rme ?? 0,
        meanNs: (bench.stats?.mean ?? 0) * 1e9,
        samples: bench.stats?.sample.length ?? 0,
      };
      results.push(result);
      options.onCase?.(result);
    });
    suite.on('error', (event: Benchmark.Event) => {
      const bench = event.target as unknown as Benchmark & { error?: unknown };
      reject(bench.error instanceof Error ? bench.error : new Error(`benchmark '${String(bench.name)}' failed`));
    });
    suite.on('complete', () => resolve(results));
    suite.run({ async: true });
  });
}
