// What an experiment's CPython twin is, to the code that runs it and compares.
import type { ExperimentOptions, ExperimentResult } from '../experiments/types.js';
import type { ComparisonRow } from './compare.js';
import type { TwinOutput } from './python.js';

export interface CompareContext {
  /** The Python runs without a GIL: its threads are compared with the model's lock-free modes. */
  freeThreaded: boolean;
}

export interface TwinSpec {
  /** The twin's sizes: the model's own for this run (passed to the script as JSON on stdin). */
  params(options: Omit<ExperimentOptions, 'onStep'>, result: ExperimentResult): Record<string, unknown>;
  /** Model figures next to the twin's, each with its tolerance. */
  compare(result: ExperimentResult, twin: TwinOutput, context: CompareContext): ComparisonRow[];
}
