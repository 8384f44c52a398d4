// sys.setswitchinterval works at any time: setSwitchInterval() while the lock is held or waited on
// applies to the waiter's next wait, without waiting for the old interval to run out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { startLockWorker } from './fixtures/lock-helpers.js';

test('getSwitchInterval() reads what setSwitchInterval() set, and bad values name the argument', () => {
  const interp = new Interpreter({ switchIntervalUs: 5000 });
  try {
    assert.equal(interp.getSwitchInterval(), 5000);
    interp.setSwitchInterval(250);
    assert.equal(interp.getSwitchInterval(), 250);
    assert.throws(() => interp.setSwitchInterval(0), { name: 'RangeError', message: /switchIntervalUs/ });
    assert.throws(() => interp.setSwitchInterval('1' as unknown as number), {
      name: 'TypeError',
      message: /switchIntervalUs/,
    });
    assert.equal(interp.getSwitchInterval(), 250);
  } finally {
    interp.destroy();
  }
});

test('setSwitchInterval() while the lock is held and waited on: the waiter asks for it at the new interval', async () => {
  // A 10 s interval: with it, the waiter would ask for the lock only after 10 s.
  const interp = new Interpreter({ switchIntervalUs: 10_000_000 });
  await interp.acquireAsync();
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const { result } = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id, shared: flags.buffer });
  try {
    // Wait until the worker is waiting (a contended wait has started).
    const deadline = Date.now() + 10_000;
    while (interp.stats().threads.length < 2) {
      assert.ok(Date.now() < deadline, 'the worker never waited for the lock');
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20));
    interp.setSwitchInterval(1000); // held and waited on: allowed, as sys.setswitchinterval
    assert.equal(interp.getSwitchInterval(), 1000);
    // A policy change still needs a free lock.
    assert.throws(() => interp.configure({ policy: 'fifo' }), /held or waited on/);
    let yielded = false;
    while (!yielded) {
      assert.ok(Date.now() < deadline, 'no drop request came within 10 s: the new interval did not apply');
      yielded = interp.checkpoint();
      if (!yielded) await new Promise((r) => setImmediate(r));
    }
    assert.equal(Atomics.load(flags, 1), 1, 'the waiter held the lock while we yielded');
  } finally {
    if (interp.isHeldByCurrentThread()) interp.release();
    await result;
    interp.destroy();
  }
});
