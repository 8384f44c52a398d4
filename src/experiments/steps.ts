// Progress reporting inside an experiment: each experiment knows its plan (how many steps) and
// announces each step as it starts.
import type { ExperimentOptions } from './types.js';

export interface Stepper {
  /** Announces the step that starts now. */
  (status: string): void;
  /** Sets how many steps the plan has (known once the experiment has worked out its runs). */
  plan(total: number): void;
  /** Marks the whole plan done. */
  done(): void;
}

export function stepper(options: ExperimentOptions, total = 1): Stepper {
  let done = 0;
  const step = ((status: string) => {
    options.onStep?.(status, Math.min(done, total), total);
    done++;
  }) as Stepper;
  step.plan = (steps: number) => {
    total = Math.max(1, steps);
  };
  step.done = () => options.onStep?.('done', total, total);
  return step;
}
