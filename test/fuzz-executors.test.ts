// The property-based fuzz of the executors (test/fuzz/executor-targets.ts) with a fixed seed and a
// fixed number of cases. `npm run fuzz -- --seconds N` runs the same targets for longer.
import { test } from 'node:test';
import { EXECUTOR_TARGETS } from './fuzz/executor-targets.js';
import { fixedFuzzRun } from './fuzz/fixed-run.js';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 0xe8ec);
const RUNS = Number(process.env.GIL_LAB_FUZZ_RUNS ?? 400);

test(
  `fuzz: the executors (submit with random tasks and arguments, map, wait, asCompleted), ${RUNS} cases, seed ${SEED}`,
  { timeout: 300_000 },
  () => fixedFuzzRun(EXECUTOR_TARGETS, SEED, RUNS),
);
