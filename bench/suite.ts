// The shape of a benchmark suite. Each suite is a module in bench/suites/ listed in ./suites/index.ts.
import type { ChartSpec } from '#internal/report/types';

export interface BenchOptions {
  /** Seconds each micro-benchmark case may run (the npm benchmark package, bench/benchmark-js.ts); smaller is quicker and noisier. */
  maxTimeS: number;
  /**
   * `--quick`: every suite scales its work down so that all suites together finish in about two
   * minutes on 2 cores (fewer sizes, shorter runs); the numbers are noisier, the shape is the same.
   */
  quick: boolean;
  /** Called with one line of progress per finished case; the runner prints these on a TTY. */
  onCase?: (result: BenchCaseResult) => void;
  /** Progress of a suite that knows its steps (done of total, and what runs now); shown on a TTY only. */
  onProgress?: (done: number, total: number, status: string) => void;
}

/** A table of already-formatted cells, printed to the terminal and written to the .md file. */
export interface BenchTable {
  title: string;
  columns: { key: string; header: string; align?: 'left' | 'right' }[];
  rows: Record<string, string>[];
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
  /** Further tables (beyond the cases), e.g. the scaling sweep's speedups. */
  tables?: BenchTable[];
  /** Charts for the run's .svg file (gil-lab's report ChartSpec). */
  charts?: ChartSpec[];
  /** The suite's raw measurements, for --json and the .json file. */
  data?: unknown;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchSuiteResult>;
}
