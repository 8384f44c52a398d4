// acquire() on a thread whose acquireAsync() is still pending used to deadlock that thread for good
// (the pending wait is granted to the thread, whose event loop is blocked in acquire() and so never
// adopts it). It must be an error that says why.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

it('acquire() while this thread has an acquireAsync() pending throws instead of deadlocking', async () => {
  const o = await runLifecycleChild(['acquire-while-acquire-async-pending'], { timeoutMs: 15_000 });
  assert.equal(o.timedOut, false, `the child must not deadlock: ${describeOutcome(o)}`);
  assert.equal(o.status, 0, describeOutcome(o));
  const message = (o.result as { message: string | null }).message;
  assert.ok(message !== null, 'acquire() must throw');
  assert.match(message, /acquireAsync\(\)/);
  assert.match(message, /pending/);
});
