// The shape of a benchmark suite. Each suite is a module in bench/suites/ listed in ./suites/index.ts.

export interface BenchOptions {
  /** Seconds benchmark.js may spend on each case (its `maxTime`); smaller is quicker and noisier. */
  maxTimeS: number;
  /** Called with one line of progress per finished case; the runner prints these on a TTY. */
  onCase?: (result: BenchCaseResult) => void;
}

export interface BenchCaseResult {
  name: string;
  /** Operations per second (mean). */
  opsPerSec: number;
  /** Relative margin of error of the mean, in percent (±). */
  rmePercent: number;
  /** Mean time per operation, in nanoseconds. */
  meanNs: number;
  /** Number of timed samples taken. */
  samples: number;
}

export interface BenchSuiteResult {
  suite: string;
  description: string;
  cases: BenchCaseResult[];
  /** Lines that interpret the cases (computed from them, never fixed text with numbers). */
  notes: string[];
}

export interface BenchSuite {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchSuiteResult>;
}
