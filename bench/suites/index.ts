// Every benchmark suite, in the order `npm run bench` runs them. One line per suite.
import type { BenchSuite } from '../suite.js';
import { executorsSuite } from './executors.js';
import { floorSuite } from './floor.js';
import { kernelsSuite } from './kernels.js';
import { lockSuite } from './lock.js';
import { scalingSuite } from './scaling.js';

// One entry per line, so each addition is a one-line change (hence prettier-ignore).
// prettier-ignore
export const suites: readonly BenchSuite[] = [
  floorSuite,
  lockSuite,
  kernelsSuite,
  executorsSuite,
  scalingSuite,
];
