// The property-based fuzz of the executors (test/fuzz/executor-targets.ts) with a fixed seed and a
// fixed number of cases. `npm run fuzz -- --seconds N` runs the same targets for longer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXECUTOR_TARGETS } from './fuzz/executor-targets.js';
import { runFuzz } from './fuzz/runner.js';

const SEED = Number(process.env.GIL_LAB_FUZZ_SEED ?? 0xe8ec);
const RUNS = Number(process.env.GIL_LAB_FUZZ_RUNS ?? 400);

test(
  `fuzz: the executors (submit with random tasks and arguments, map, wait, asCompleted), ${RUNS} cases, seed ${SEED}`,
  { timeout: 300_000 },
  async () => {
    const result = await runFuzz(EXECUTOR_TARGETS, { seed: SEED, runs: RUNS, log: (line) => console.log(line) });
    console.log(
      `fuzz: ${result.runs} cases, ${result.calls} calls in ${(result.elapsedMs / 1000).toFixed(1)} s; outcomes: ${[
        ...result.errorNames,
      ]
        .map(([name, n]) => `${name} ${n}`)
        .join(', ')}`,
    );
    console.log(`fuzz: checked against an oracle: ${[...result.checks].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    assert.deepEqual(result.failures, [], result.failures.join('\n\n'));
    assert.ok(result.runs >= RUNS * 0.99, `only ${result.runs} cases ran`);
  },
);
