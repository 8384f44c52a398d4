// The common ending of every experiment: time it, announce its steps, and wrap what it measured
// into an ExperimentResult (its name, the options it ran with, the verdict's last word on whether
// this run could test the claim at all). An experiment only measures and judges.
import { performance } from 'node:perf_hooks';
import { secondsSince } from './measure.js';
import { stepper, type Stepper } from './steps.js';
import type { Experiment, ExperimentOptions, ExperimentResult, Measurement, Row, Verdict } from './types.js';

export interface ExperimentDefinition<R extends Row = Row> extends Omit<Experiment<R>, 'run'> {
  /** Runs the measurements (announcing steps through `step`, after `step.plan(total)`) and judges them. */
  measure(options: ExperimentOptions, step: Stepper): Promise<Measurement<R>>;
}

/**
 * Not testable at any `--size tiny` (every experiment): its runs last milliseconds, so start-up,
 * timer resolution and one scheduler hiccup decide the figures, not the claim.
 */
export function tinySizeVerdict(verdict: Verdict, options: Pick<ExperimentOptions, 'size'>): Verdict {
  if (options.size !== 'tiny' || verdict.holds === null) return verdict;
  return {
    holds: null,
    text: `At --size tiny, runs this short measure start-up and timer noise, not the claim. (The figures: ${verdict.text})`,
  };
}

/** Turns a definition into an Experiment whose run() owns the common ending. */
export function defineExperiment<R extends Row>(definition: ExperimentDefinition<R>): Experiment<R> {
  const { measure, ...described } = definition;
  return {
    ...described,
    async run(options: ExperimentOptions): Promise<ExperimentResult<R>> {
      const started = performance.now();
      const step = stepper(options);
      const measured = await measure(options, step);
      step.done();
      const { onStep: _onStep, ...shownOptions } = options;
      return {
        experiment: definition.name,
        options: shownOptions,
        rows: measured.rows,
        verdict: tinySizeVerdict(measured.verdict, options),
        ...(measured.traces && measured.traces.length > 0 ? { traces: measured.traces } : {}),
        charts: measured.charts ?? [],
        elapsedSeconds: secondsSince(started),
      };
    },
  };
}
