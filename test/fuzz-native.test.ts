// The property-based fuzz of the raw addon (test/fuzz/native-targets.ts) with a fixed seed and a
// fixed number of cases. `npm run fuzz -- --seconds N` runs the same targets for longer.
import { test } from 'node:test';
import { NATIVE_TARGETS } from './fuzz/native-targets.js';
import { fixedFuzzRun } from './fuzz/fixed-run.js';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 0x6f11ab);
const RUNS = Number(process.env.GIL_LAB_FUZZ_RUNS ?? 2500);

test(`fuzz: every addon export, ${RUNS} cases, seed ${SEED}`, { timeout: 300_000 }, () =>
  fixedFuzzRun(NATIVE_TARGETS, SEED, RUNS),
);
