// memory-bound's verdict did not know how many CPUs the run had. On one CPU nothing scales, yet a
// noisy compute-bound control (1.26× with 2 workers on 1 CPU was seen at --size tiny) let it say
// "holds: memory bandwidth, not the lock, is the limit", and a quiet one was explained as "the CPUs
// were not free". With fewer than 2 CPUs (or workers) it must say the claim is not testable here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryBoundVerdict, type MemoryBoundRow } from '#internal/experiments/memory-bound';

function rows(workers: number, memorySpeedup: number, computeSpeedup: number): MemoryBoundRow[] {
  const row = (kernel: MemoryBoundRow['kernel'], n: number, speedup: number): MemoryBoundRow => ({
    kernel,
    workers: n,
    seconds: 1 / speedup,
    gbPerSecond: kernel === 'countPrimes' ? null : 10 * speedup,
    speedup,
  });
  return [
    row('sum', 1, 1),
    row('sum', workers, memorySpeedup),
    row('triad', 1, 1),
    row('triad', workers, memorySpeedup),
    row('countPrimes', 1, 1),
    row('countPrimes', workers, computeSpeedup),
  ];
}

for (const [memory, compute] of [
  [0.9, 1.3],
  [1.0, 1.0],
]) {
  test(`memory-bound on 1 CPU (control ${compute}×, memory ${memory}×): not testable, and says it is the one CPU`, () => {
    const verdict = memoryBoundVerdict(rows(2, memory, compute), { cpus: 1 });
    assert.equal(verdict.holds, null, verdict.text);
    assert.match(verdict.text, /1 CPU\b/);
  });
}

test('memory-bound on 2 CPUs still judges the claim', () => {
  const verdict = memoryBoundVerdict(rows(2, 1.1, 1.9), { cpus: 2 });
  assert.equal(verdict.holds, true, verdict.text);
});
