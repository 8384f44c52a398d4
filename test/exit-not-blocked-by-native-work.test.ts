// process.exit() and uncaught exceptions end the process promptly, with the status a Node user
// expects, whatever native work is in flight: async kernels running or waiting for the lock (once
// they ran on libuv's pool, which Node joins at exit: exit waited forever), and a 'shared' pool
// worker blocked in acquire() while the main thread holds the lock (worker threads are joined at
// exit: the process never ended).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

// Generous: a prompt exit takes well under a second; a blocked one never ends.
const DEADLINE_MS = 15_000;

async function expectExit(args: string[], status: number): Promise<void> {
  const o = await runLifecycleChild(args, { timeoutMs: DEADLINE_MS });
  assert.equal(o.timedOut, false, `the child must end: ${describeOutcome(o)}`);
  assert.equal(o.status, status, describeOutcome(o));
}

describe('exit is never blocked by native work', () => {
  it('process.exit(7) while spinAsync(one hour) and a one-hour sleepAsync run ends with status 7', () =>
    expectExit(['exit-during-async', '7', 'spinRelease', 'sleepRelease'], 7));

  it('process.exit(3) while hold-mode spinAsync(one hour) runs ends with status 3', () =>
    expectExit(['exit-during-async', '3', 'spinHold'], 3));

  it('process.exit(4) while hold-mode async kernels wait for a lock this thread holds ends with status 4', () =>
    expectExit(['exit-during-async', '4', 'blocked', 'spinHold', 'spinHold'], 4));

  it('an uncaught exception while async kernels run ends with status 1', () =>
    expectExit(['exit-during-async', 'throw', 'spinRelease', 'sleepRelease', 'spinHold'], 1));

  it("process.exit(5) while a 'shared' pool worker waits for the lock the main thread holds ends with status 5", () =>
    expectExit(['exit-while-pool-worker-waits', '5'], 5));

  it("an uncaught exception while a 'shared' pool worker waits for the lock ends with status 1", () =>
    expectExit(['exit-while-pool-worker-waits', 'throw'], 1));
});
