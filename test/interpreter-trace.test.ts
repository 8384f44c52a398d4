import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { startLockWorker, waitFor } from './fixtures/lock-helpers.js';

test('the trace records acquire/release/wait/drop events in time order, bounded', async () => {
  const interp = new Interpreter({ switchIntervalUs: 500 });
  try {
    interp.startTrace({ capacity: 10_000 });
    const shared = new SharedArrayBuffer(16);
    const flags = new Int32Array(shared);
    const holder = startLockWorker({ scenario: 'hold-and-checkpoint', interpreterId: interp.id, shared });
    await waitFor(() => Atomics.load(flags, 0) === 1);
    const waiter = startLockWorker({ scenario: 'acquire-once', interpreterId: interp.id, shared });
    const { threadId: waiterId } = await waiter.result;
    Atomics.store(flags, 2, 1);
    const { threadId: holderId } = await holder.result;
    const events = interp.stopTrace();
    assert.equal(events.droppedEvents, 0);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['wait-start', 'acquired', 'released', 'drop-request'])
      assert.ok(kinds.has(k as never), `missing ${k}`);
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.tNs >= events[i - 1]!.tNs);
    assert.ok(events.every((e) => e.interpreterId === interp.id));
    assert.ok(events.some((e) => e.threadId === waiterId && e.kind === 'drop-request'));
    assert.ok(events.some((e) => e.threadId === holderId && e.kind === 'released'));
    assert.ok(events[0]!.tNs <= Interpreter.nowNs());

    interp.startTrace({ capacity: 4 });
    for (let i = 0; i < 5; i++) {
      await interp.acquireAsync();
      interp.release();
    }
    const few = interp.stopTrace();
    assert.equal(few.length, 4);
    assert.equal(few.droppedEvents, 6);
  } finally {
    interp.destroy();
  }
});

test('stats report held and wait fractions like gil_load, and reset', async () => {
  const interp = new Interpreter();
  try {
    await interp.acquireAsync();
    const end = performance.now() + 20;
    while (performance.now() < end) interp.checkpoint();
    interp.release();
    const s = interp.stats();
    assert.ok(s.heldNs >= 15e6, `heldNs ${s.heldNs}`);
    assert.ok(s.heldFraction > 0 && s.heldFraction <= 1, `heldFraction ${s.heldFraction}`);
    assert.equal(s.threads.length, 1);
    assert.equal(s.threads[0]!.threadId, Interpreter.currentThreadId());
    interp.resetStats();
    const r = interp.stats();
    assert.equal(r.acquisitions, 0);
    assert.equal(r.heldNs, 0);
  } finally {
    interp.destroy();
  }
});
