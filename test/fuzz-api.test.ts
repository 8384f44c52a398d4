// The property-based fuzz of the public API (test/fuzz/api-targets.ts) with a fixed seed and a
// fixed number of cases. `npm run fuzz -- --seconds N` runs the same targets for longer.
import { test } from 'node:test';
import { API_TARGETS } from './fuzz/api-targets.js';
import { fixedFuzzRun } from './fuzz/fixed-run.js';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 0x5eed42);
const RUNS = Number(process.env.GIL_LAB_FUZZ_RUNS ?? 2500);

test(
  `fuzz: the public API (Interpreter, kernels and twins, RefHeap, SharedMemory, report), ${RUNS} cases, seed ${SEED}`,
  { timeout: 300_000 },
  () => fixedFuzzRun(API_TARGETS, SEED, RUNS),
);
