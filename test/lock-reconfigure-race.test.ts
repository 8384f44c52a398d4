import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interpreter } from 'gil-lab';
import { startLockWorker } from './fixtures/lock-helpers.js';

// configure() racing the lock's lock-free fast path once let two threads hold the lock: a worker's
// compare-and-swap took the free lock after configure() had checked "no holder", configure() then
// stored fresh flags over that ownership, the other worker took the lock too, and release() failed
// with "not held" (hundreds of times per run). Two workers acquire/increment/release one
// interpreter while this thread reconfigures it in a loop: every release must succeed and the
// deliberately non-atomic counter must be exact.
test('configure() racing acquire/release on worker threads never lets two threads hold the lock', async () => {
  const interp = new Interpreter({ switchIntervalUs: 200 });
  try {
    const shared = new SharedArrayBuffer(4);
    const iterations = 200_000;
    const runs = Array.from({ length: 2 }, () =>
      startLockWorker({ scenario: 'increment', interpreterId: interp.id, iterations, shared }),
    );
    let finished = false;
    void Promise.allSettled(runs.map((r) => r.result)).then(() => (finished = true));
    let configures = 0;
    const refused: string[] = [];
    while (!finished) {
      try {
        interp.configure({ switchIntervalUs: 100 + (configures % 50) * 10 });
        configures++;
      } catch (e) {
        refused.push((e as Error).message);
      }
      if (((configures + refused.length) & 63) === 0) await new Promise((r) => setImmediate(r));
    }
    const settled = await Promise.allSettled(runs.map((r) => r.result));
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    assert.deepEqual(failures, [], 'no worker may fail (a second holder makes release() throw "not held")');
    assert.equal(new Int32Array(shared)[0], 2 * iterations);
    assert.equal(interp.stats().holder, 0);
    // Changing only the interval is allowed while the lock is held or waited on (as
    // sys.setswitchinterval is): never refused.
    assert.deepEqual(refused.slice(0, 3), []);
    assert.ok(configures > 0);
  } finally {
    interp.destroy();
  }
});
