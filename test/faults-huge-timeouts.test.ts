// Timeouts past what a timer can hold (2^31 - 1 ms, about 24.8 days) must mean "that long", not
// "1 ms": Node's setTimeout clamps a longer delay to 1 ms (TimeoutOverflowWarning), so a wait of
// 2^40 ms would end at once, and a huge abort grace period would kill the worker at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Future, ThreadPoolExecutor, wait } from 'gil-lab';
import { faultTask, sleep } from './fixtures/fault-helpers.js';

const HUGE = [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER];

test('wait() and result() with a timeout beyond 2^31 - 1 ms keep waiting', async () => {
  for (const timeoutMs of HUGE) {
    const pending = new Future<number>();
    const early = Symbol('still waiting');
    const waited = await Promise.race([wait([pending], { timeoutMs }), sleep(100).then(() => early)]);
    assert.equal(waited, early, `wait({ timeoutMs: ${timeoutMs} }) returned at once`);
    const result = await Promise.race([
      pending.result({ timeoutMs }).catch((e: Error) => e.name),
      sleep(100).then(() => early),
    ]);
    assert.equal(result, early, `result({ timeoutMs: ${timeoutMs} }) settled at once: ${String(result)}`);
    pending.cancel(); // ends the waits above
  }
});

test('abort() with a grace period beyond 2^31 - 1 ms lets the task finish', { timeout: 30_000 }, async () => {
  // The task outlives the default grace (1000 ms): only a grace that really is unlimited lets it
  // finish, whether given to abort() or as the pool's abortGraceMs.
  const pools = [
    new ThreadPoolExecutor({ maxWorkers: 1 }),
    new ThreadPoolExecutor({ maxWorkers: 1, abortGraceMs: 2 ** 40 }),
  ];
  try {
    await Promise.all(pools.map((pool) => pool.start()));
    const futures = pools.map((pool) => pool.submit(faultTask('compute'), 1500, 'done'));
    while (!futures.every((f) => f.running())) await sleep(1);
    const outcomes = await Promise.all([futures[0]!.abort({ graceMs: 2 ** 32 }), futures[1]!.abort()]);
    assert.deepEqual(outcomes, ['finished', 'finished']);
    assert.deepEqual(await Promise.all(futures), ['done', 'done']);
  } finally {
    await Promise.all(pools.map((pool) => pool.shutdown()));
  }
});
