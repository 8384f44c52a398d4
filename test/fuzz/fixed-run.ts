// The fixed-seed, fixed-size fuzz run that the fuzz-*.test.ts suites share: runs the targets,
// prints what was exercised and checked, and fails on any failure or on a run cut short.
import assert from 'node:assert/strict';
import { runFuzz } from './runner.js';
import type { FuzzTarget } from './native-targets.js';

export async function fixedFuzzRun(targets: readonly FuzzTarget[], seed: number, runs: number): Promise<void> {
  const result = await runFuzz(targets, { seed, runs, log: (line) => console.log(line) });
  const outcomes = [...result.errorNames].map(([name, n]) => `${name} ${n}`).join(', ');
  console.log(
    `fuzz: ${result.runs} cases, ${result.calls} calls in ${(result.elapsedMs / 1000).toFixed(1)} s; outcomes: ${outcomes}`,
  );
  console.log(`fuzz: checked against an oracle: ${[...result.checks].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  assert.deepEqual(result.failures, [], result.failures.join('\n\n'));
  assert.ok(result.runs >= runs * 0.99, `only ${result.runs} cases ran`);
}
