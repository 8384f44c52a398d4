// refcount on one CPU said the claim "does not hold" because its racy counters lost no updates; but
// on one CPU the threads never run at the same time, so a race is rarely caught and its absence
// proves nothing. Not testable there, unless a race was caught anyway or a safe strategy lost updates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refcountVerdict, type RefcountRow } from '#internal/experiments/refcount';

function rows(racyLost: number, lockedLost = 0): RefcountRow[] {
  const row = (strategy: RefcountRow['strategy'], threads: number, lostUpdates: number, nsPerOp: number) => ({
    strategy,
    workload: 'uniform' as const,
    threads,
    operations: 1000,
    lostUpdates,
    prematureFrees: 0,
    nsPerOp,
  });
  return [
    row('locked', 1, 0, 1.2),
    row('locked', 2, lockedLost, 1.2),
    row('racy', 1, 0, 1.2),
    row('racy', 2, racyLost, 10),
    row('atomic', 1, 0, 5),
    row('atomic', 2, 0, 20),
  ];
}

test('refcount on 1 CPU with no race caught: not testable, saying it is the one CPU', () => {
  const verdict = refcountVerdict(rows(0), { cpus: 1 });
  assert.equal(verdict.holds, null, verdict.text);
  assert.match(verdict.text, /1 CPU\b/);
});

test('refcount on 1 CPU still judges a race caught, and a safe strategy that lost updates', () => {
  assert.equal(refcountVerdict(rows(40), { cpus: 1 }).holds, true);
  assert.equal(refcountVerdict(rows(0, 3), { cpus: 1 }).holds, false);
});

test('refcount on 2 CPUs with no race caught still does not hold', () => {
  assert.equal(refcountVerdict(rows(0), { cpus: 2 }).holds, false);
});
