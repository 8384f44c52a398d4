// What an experiment is and what it returns. An experiment turns one claim of the GIL literature
// into measurements (rows) and a verdict computed from those rows, on the machine it runs on.
import type { Policy } from '../interpreter.js';
import type { ChartSpec, LockEvent, TableColumn, ThreadLabel } from '../report/index.js';

/** How much work each experiment does. `tiny` is for smoke tests: the figures are too noisy to judge by. */
export type Size = 'tiny' | 'small' | 'medium' | 'large';
export const SIZES: readonly Size[] = ['tiny', 'small', 'medium', 'large'];

/** The CPU kernels that `cpu-bound` (and `--kernel`) can use. */
export type CpuKernelName = 'countPrimes' | 'mandelbrot' | 'sha256Chain' | 'matmul';
export const CPU_KERNELS: readonly CpuKernelName[] = ['countPrimes', 'mandelbrot', 'sha256Chain', 'matmul'];

export interface ExperimentOptions {
  /** Threads or processes for the parallel modes (>= 1). */
  workers: number;
  /** The lock policy; undefined: the experiment's own choice (cpython, or a sweep of policies). */
  policy?: Policy;
  /** The switch interval in milliseconds; undefined: 5 ms (CPython's default), or a sweep. */
  switchIntervalMs?: number;
  size: Size;
  /** The CPU kernel, for experiments that run one; default countPrimes. */
  kernel: CpuKernelName;
  /** Record the lock's event trace (for timelines and Perfetto files). */
  trace: boolean;
  /** cpu-bound: also run each parallel mode at 1..workers workers (for the speedup chart). */
  sweep: boolean;
  /** Called as the experiment moves through its steps: what starts now, steps done, steps in all. */
  onStep?: (status: string, done: number, total: number) => void;
}

/**
 * Does this machine agree with the claim, and the figures that say so. `holds` is null when the claim
 * cannot be tested in this run (no lock to compare, figures too small to mean anything, ...): the
 * text then says why, and summaries count it apart from agreement and disagreement.
 */
export interface Verdict {
  holds: boolean | null;
  text: string;
}

/** The experiment options a command line can set; each experiment lists the ones it uses. */
export type ExperimentOptionName = 'workers' | 'policy' | 'switchIntervalMs' | 'size' | 'kernel';
export const EXPERIMENT_OPTION_NAMES: readonly ExperimentOptionName[] = [
  'workers',
  'policy',
  'switchIntervalMs',
  'size',
  'kernel',
];

/** One recorded lock trace: the events of one interpreter's lock during one measured run. */
export interface LockTrace {
  /** What was running, e.g. "cpu-bound threads-hold, 2 workers". */
  title: string;
  events: LockEvent[];
  labels: ThreadLabel[];
  /** Events that did not fit in the trace buffer. */
  droppedEvents: number;
  /** A short window (ns, the events' clock) that reads well as a terminal timeline. */
  window?: { startNs: number; endNs: number };
}

export type Row = Record<string, string | number | boolean | null>;

export interface ExperimentResult<R extends Row = Row> {
  experiment: string;
  /** The options it ran with, defaults filled in. */
  options: Omit<ExperimentOptions, 'onStep'>;
  rows: R[];
  verdict: Verdict;
  /** Lock traces, when options.trace was set (and the experiment has a lock to trace). */
  traces?: LockTrace[];
  /** Charts drawn from the rows. */
  charts: ChartSpec[];
  /** Wall-clock seconds the experiment took. */
  elapsedSeconds: number;
}

/** What an experiment's measuring part returns; the common ending (./define.ts) adds the rest. */
export interface Measurement<R extends Row = Row> {
  rows: R[];
  verdict: Verdict;
  charts?: ChartSpec[];
  traces?: LockTrace[];
}

export interface Experiment<R extends Row = Row> {
  name: string;
  /** The question it answers, as a reader would ask it. */
  question: string;
  /** The claim of the literature that the verdict judges. */
  claim: string;
  /** One line: the Python versions and PEPs the claim is about (3.2 new GIL, PEP 684, PEP 703, ...). */
  inCpython: string;
  /** A sentence or two for the tour: what to look for in the table. */
  narrative: string;
  /** How the rows are shown in tables (terminal and HTML). */
  columns: TableColumn[];
  /** Whether it records lock traces (options.trace): only experiments with threads under a lock do. */
  traceable: boolean;
  /** The options it uses (the CLI refuses the others); undefined: all of them. */
  takes?: readonly ExperimentOptionName[];
  /** Footnotes for its table: what a column means, why some rows vary between runs. */
  footnotes?: readonly string[];
  run(options: ExperimentOptions): Promise<ExperimentResult<R>>;
}
