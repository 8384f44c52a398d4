// Progress reporting inside an experiment: each experiment knows its plan (how many steps) and
// announces each step as it starts.
import type { ExperimentOptions } from './types.js';

export interface Stepper {
  /** Announces the step that starts now. */
  (status: string): void;
  /** Marks the whole plan done. */
  done(): void;
}

export function stepper(options: ExperimentOptions, total: number): Stepper {
  let done = 0;
  const step = ((status: string) => {
    options.onStep?.(status, Math.min(done, total), total);
    done++;
  }) as Stepper;
  step.done = () => options.onStep?.('done', total, total);
  return step;
}
