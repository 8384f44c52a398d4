// Every experiment, in the order the tour visits them: first what the lock does to CPU-bound
// threads, then where threads still help, what the lock costs them, and what processes cost instead.
import { convoy } from './convoy.js';
import { cpuBound } from './cpu-bound.js';
import { ioBound } from './io-bound.js';
import { ipc } from './ipc.js';
import { kill } from './kill.js';
import { legacyGil } from './legacy-gil.js';
import { memoryBound } from './memory-bound.js';
import { refcount } from './refcount.js';
import { startup } from './startup.js';
import { switchInterval } from './switch-interval.js';
import type { Experiment } from './types.js';

// prettier-ignore
export const experiments: readonly Experiment[] = [
  cpuBound,
  legacyGil,
  ioBound,
  convoy,
  switchInterval,
  refcount,
  memoryBound,
  startup,
  ipc,
  kill,
] as unknown as readonly Experiment[];

export function experimentNames(): string[] {
  return experiments.map((experiment) => experiment.name);
}

/** The experiment called `name`; a RangeError listing the valid names otherwise. */
export function findExperiment(name: string): Experiment {
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${typeof name}`);
  const experiment = experiments.find((candidate) => candidate.name === name);
  if (!experiment) {
    throw new RangeError(`unknown experiment '${name}'; valid experiments: ${experimentNames().join(', ')}`);
  }
  return experiment;
}
