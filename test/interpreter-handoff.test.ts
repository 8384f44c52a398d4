import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, type Policy } from 'gil-lab';
import { startLockWorker, waitFor } from './fixtures/lock-helpers.js';

// One worker holds the lock and checkpoints in a loop, as interpreted code does; another asks for
// it. The waiter must get in through a drop request, and with forced switching the holder must not
// win the lock back before the waiter has had it.
for (const policy of ['cpython', 'fifo'] as Policy[]) {
  test(`hand-off at the switch interval: policy ${policy}`, async () => {
    const switchIntervalUs = 2000;
    const interp = new Interpreter({ policy, switchIntervalUs });
    try {
      const shared = new SharedArrayBuffer(16);
      const flags = new Int32Array(shared);
      const holder = startLockWorker({ scenario: 'hold-and-checkpoint', interpreterId: interp.id, shared });
      await waitFor(() => Atomics.load(flags, 0) === 1);
      const waiter = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id, shared, holdMs: 1 });
      const { waitedMs } = await waiter.result;
      Atomics.store(flags, 2, 1);
      const { yields } = await holder.result;

      const stats = interp.stats();
      assert.ok(stats.dropRequests >= 1, `drop requests: ${stats.dropRequests}`);
      assert.ok(stats.forcedSwitches >= 1, `forced switches: ${stats.forcedSwitches}`);
      assert.ok(stats.handoff.count >= 1, 'a hand-off latency was recorded');
      assert.ok(yields >= 1, 'the holder yielded at a checkpoint');
      assert.equal(Atomics.load(flags, 3), 0, 'the holder came back from a yield before the waiter held the lock');
      // Loose timing bounds (noisy machines): never more than 20 intervals (+ thread start-up);
      // under cpython at least half an interval, since the waiter had to time out first.
      const intervalMs = switchIntervalUs / 1000;
      if (policy === 'cpython') assert.ok(waitedMs >= 0.5 * intervalMs, `waited ${waitedMs} ms`);
      assert.ok(waitedMs <= 20 * intervalMs + 200, `waited ${waitedMs} ms`);
    } finally {
      interp.destroy();
    }
  });
}

test('acquireAsync() on the main thread gets the lock from a worker that checkpoints', async () => {
  const interp = new Interpreter({ switchIntervalUs: 1000 });
  try {
    const shared = new SharedArrayBuffer(16);
    const flags = new Int32Array(shared);
    const holder = startLockWorker({ scenario: 'hold-and-checkpoint', interpreterId: interp.id, shared });
    await waitFor(() => Atomics.load(flags, 0) === 1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await interp.acquireAsync();
    clearInterval(timer);
    assert.ok(interp.isHeldByCurrentThread());
    Atomics.store(flags, 1, 1);
    Atomics.store(flags, 2, 1);
    interp.release();
    await holder.result;
    assert.ok(interp.stats().dropRequests >= 1);
    assert.ok(ticks >= 0);
  } finally {
    interp.destroy();
  }
});

test('the legacy policy never sets a drop request', async () => {
  const interp = new Interpreter({ policy: 'legacy', checkInterval: 10 });
  try {
    const shared = new SharedArrayBuffer(16);
    const flags = new Int32Array(shared);
    const holder = startLockWorker({ scenario: 'hold-and-checkpoint', interpreterId: interp.id, shared });
    await waitFor(() => Atomics.load(flags, 0) === 1);
    const waiter = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id, shared });
    await waiter.result;
    Atomics.store(flags, 2, 1);
    const { yields } = await holder.result;
    assert.ok(yields >= 1);
    assert.equal(interp.stats().dropRequests, 0);
  } finally {
    interp.destroy();
  }
});
