// Waiting for the lock must not park libuv's threads: with the lock held and six hold-mode async
// kernels (or six acquireAsync() calls from worker threads) waiting for it, Node's 4-thread pool
// must still serve fs.promises.readFile. (They used to wait on pool threads: readFile never ran.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

describe("lock waits do not starve Node's thread pool", () => {
  for (const kind of ['kernels', 'acquireAsync']) {
    it(`fs.promises.readFile completes while six ${kind === 'kernels' ? 'hold-mode async kernels' : 'acquireAsync() calls'} wait for the lock`, async () => {
      const o = await runLifecycleChild(['thread-pool-not-starved', kind], { timeoutMs: 15_000 });
      assert.equal(o.timedOut, false, `readFile must complete: ${describeOutcome(o)}`);
      assert.equal(o.status, 0, describeOutcome(o));
      assert.deepEqual((o.result as { ok: boolean }).ok, true);
    });
  }
});
