// startOsThread(): a plain OS thread of the addon's that takes the lock, runs a kernel holding it
// and answers — the analogue of threading.Thread — on another thread, leaving the caller as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter, startOsThread } from 'gil-lab';

test('an OS thread runs its kernel under the lock on a new thread and answers', async () => {
  const interp = new Interpreter();
  try {
    const before = interp.stats().acquisitions;
    const result = startOsThread({ interpreter: interp, spinNs: 10_000 });
    assert.notEqual(result.threadId, Interpreter.currentThreadId());
    assert.ok(result.iterations > 0, 'the kernel ran');
    assert.ok(result.firstResultNs > 0);
    assert.equal(interp.stats().acquisitions - before, 1, 'it took the lock once');
    // A caller that holds the lock lets go of it while it waits, and has it back after.
    await interp.acquireAsync();
    const second = startOsThread({ interpreter: interp });
    assert.notEqual(second.threadId, Interpreter.currentThreadId());
    assert.equal(interp.isHeldByCurrentThread(), true);
    interp.release();
  } finally {
    interp.destroy();
  }
});

test('startOsThread() refuses bad input naming the argument', () => {
  assert.throws(() => startOsThread({ spinNs: -1 }), { name: 'RangeError', message: /spinNs/ });
  assert.throws(() => startOsThread({ spinNs: 1.5 }), { name: 'RangeError', message: /spinNs/ });
  assert.throws(() => startOsThread({ interpreter: 3 as never }), { name: 'TypeError', message: /interpreter/ });
  assert.throws(() => startOsThread('x' as never), { name: 'TypeError', message: /options/ });
});
