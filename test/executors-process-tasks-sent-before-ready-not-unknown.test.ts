// Tasks submitted while a child process starts are written to its socket before it is ready. Its
// first read can then hold the init message and the first run messages (which define the task),
// with later frames still in the socket. Finishing the init used to start the child's idle poll,
// which read those later frames directly and ran them before the rest of the first read was
// queued: their task was not yet defined, and they failed with "internal error: unknown task id".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

/** Big enough that a few frames pass the 64 KiB a socket read takes at once. */
const ARG_CHARS = 40_000;

describe('tasks sent to a child process before it is ready', () => {
  for (const idleSpinUs of [0, 100]) {
    it(`idleSpinUs ${idleSpinUs}: each runs once, in order, with its own arguments (none is an unknown task)`, async () => {
      const pool = new ProcessPoolExecutor({ maxWorkers: 1, idleSpinUs });
      try {
        const futures = [];
        // One run message (one frame) per turn of the event loop, all before the child can be ready.
        for (let i = 0; i < 8; i++) {
          futures.push(pool.submit(task('numbered'), String(i).repeat(ARG_CHARS)));
          await new Promise((resolve) => setImmediate(resolve));
        }
        const results = await Promise.allSettled(futures);
        results.forEach((result, i) => {
          assert.equal(result.status, 'fulfilled', `task ${i}: ${(result as PromiseRejectedResult).reason}`);
          // One child, a fresh one: it runs them in the order they were submitted.
          assert.deepEqual(
            (result as PromiseFulfilledResult<unknown>).value,
            { call: i + 1, value: String(i).repeat(ARG_CHARS) },
            `task ${i}`,
          );
        });
      } finally {
        await pool.shutdown();
      }
    });
  }
});
