// Every benchmark suite, in the order `npm run bench` runs them. One line per suite.
import type { BenchSuite } from '../suite.js';
import { floorSuite } from './floor.js';

export const suites: readonly BenchSuite[] = [
  floorSuite,
];
