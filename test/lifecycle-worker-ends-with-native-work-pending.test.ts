// A worker thread that ends (terminated, or process.exit() inside it) while an async kernel or an
// acquireAsync() it started is pending: the completion that arrives after its environment is gone
// is dropped safely (it used to abort the whole process: node-addon-api rethrew from a callback that
// cannot throw), and a lock granted to the gone thread's pending wait is released again. A kernel
// working in place on the gone thread's SharedArrayBuffers stops before they are freed (the ASan
// run of this suite would report a read of freed memory).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

describe('a worker that ends with native work pending', () => {
  for (const work of ['sleepShort', 'spinRelease', 'spinHold', 'acquireAsync', 'matmulShared']) {
    for (const how of ['terminate', 'exit']) {
      it(`${how === 'exit' ? 'process.exit() inside a worker' : 'worker.terminate()'} with ${work} pending: the parent keeps running and exits 0`, async () => {
        const o = await runLifecycleChild(['worker-ends-with-work-pending', work, how]);
        assert.equal(o.timedOut, false, `the child must end: ${describeOutcome(o)}`);
        assert.equal(o.signal, null, describeOutcome(o));
        assert.equal(o.status, 0, describeOutcome(o));
        assert.deepEqual(o.result, { ok: true }, describeOutcome(o));
      });
    }
  }
});
