// The objects the addon builds (lock statistics, a RefHeap storm's result) have exactly the fields
// their TypeScript types declare: each list below must name every key of its type (the compiler
// checks that) and the addon's object must have exactly those keys (this test checks that).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, RefHeap } from 'gil-lab';
import { native } from '#internal/native';
import type { RefStormResult } from '#internal/kernels/native-types';
import type { LockStats, ThreadLockStats } from '#internal/native-types';

const LOCK_STATS: Record<keyof LockStats, true> = {
  acquisitions: true,
  contendedAcquisitions: true,
  dropRequests: true,
  forcedSwitches: true,
  switches: true,
  yields: true,
  wakeups: true,
  releasesOnThreadExit: true,
  stalls: true,
  waiters: true,
  holder: true,
  heldNs: true,
  waitNs: true,
  elapsedNs: true,
  heldFraction: true,
  waitFraction: true,
  handoff: true,
  threads: true,
  exitedThreads: true,
  exited: true,
};
const HANDOFF: Record<keyof LockStats['handoff'], true> = {
  count: true,
  p50Ns: true,
  p90Ns: true,
  p99Ns: true,
  maxNs: true,
};
const THREAD_LOCK_STATS: Record<keyof ThreadLockStats, true> = {
  threadId: true,
  acquisitions: true,
  contendedAcquisitions: true,
  dropRequests: true,
  forcedSwitches: true,
  wakeups: true,
  heldNs: true,
  waitNs: true,
};
const REF_STORM_RESULT: Record<keyof RefStormResult, true> = {
  strategy: true,
  completed: true,
  threads: true,
  objects: true,
  operations: true,
  expectedTotal: true,
  finalTotal: true,
  lostUpdates: true,
  prematureFrees: true,
  staleReferences: true,
  elapsedNs: true,
  nsPerOperation: true,
};

const keys = (o: object) => Object.keys(o).sort();

test('lockStats has exactly the fields of LockStats (and its handoff and thread rows)', () => {
  const interp = new Interpreter();
  try {
    interp.acquire();
    interp.release();
    const stats = native.lockStats(interp.id);
    assert.deepEqual(keys(stats), keys(LOCK_STATS));
    assert.deepEqual(keys(stats.handoff), keys(HANDOFF));
    assert.ok(stats.threads.length >= 1, 'this thread took the lock');
    for (const row of [...stats.threads, stats.exited]) assert.deepEqual(keys(row), keys(THREAD_LOCK_STATS));
  } finally {
    interp.destroy();
  }
});

test("a RefHeap storm's result has exactly the fields of RefStormResult", () => {
  const heap = new RefHeap(4);
  const result = heap.storm({ strategy: 'atomic', threads: 1, pairsPerThread: 10 });
  assert.deepEqual(keys(result), keys(REF_STORM_RESULT));
});
