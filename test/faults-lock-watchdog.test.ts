// Lock robustness under faults: a holder that blocks and is terminated, a holder that exits, a
// waiter terminated while it waits, many waiters, and interpreters destroyed under a running
// watchdog. The watchdog must report each long wait once with the holder's id; a dead holder's lock
// must be freed (and counted); nothing may hang or crash.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { Interpreter, type Policy, type StallReport } from 'gil-lab';
import { sleep, within } from './fixtures/fault-helpers.js';

const WORKER_URL = new URL('./fixtures/lock-fault-worker.js', import.meta.url);

interface Started {
  worker: Worker;
  events: Array<{ event: string; threadId: number }>;
  next(event: string): Promise<{ event: string; threadId: number }>;
  exited: Promise<number>;
}

function start(scenario: string, interpreterId: number, shared?: SharedArrayBuffer): Started {
  const worker = new Worker(WORKER_URL, { workerData: { scenario, interpreterId, shared } });
  const events: Started['events'] = [];
  const waiters: Array<() => void> = [];
  worker.on('message', (m) => {
    events.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const next = async (event: string) => {
    for (;;) {
      const found = events.find((e) => e.event === event);
      if (found) return found;
      await within(new Promise<void>((resolve) => waiters.push(resolve)), 10_000, `the worker's '${event}' message`);
    }
  };
  return { worker, events, next, exited };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  await within(
    (async () => {
      while (!condition()) await sleep(2);
    })(),
    ms,
    what,
  );
}

describe('the interpreter lock under faults, with the watchdog on', () => {
  for (const policy of ['cpython', 'legacy', 'fifo'] as Policy[]) {
    it(
      `a holder that blocks forever is reported, then terminated; its lock goes to the waiter (${policy})`,
      { timeout: 30_000 },
      async () => {
        const interp = new Interpreter({ policy, switchIntervalUs: 1000 });
        const stalls: StallReport[] = [];
        try {
          interp.startWatchdog({ boundMs: 20, pollMs: 5, onStall: (r) => stalls.push(r) });
          const holder = start('hold-and-block', interp.id, new SharedArrayBuffer(4));
          const { threadId: holderId } = await holder.next('holding');
          const waiter = start('acquire-and-report', interp.id);
          const { threadId: waiterId } = await waiter.next('waiting');
          await until(() => stalls.length > 0, 'a stall report');
          assert.equal(stalls[0]!.waiterThreadId, waiterId);
          assert.equal(stalls[0]!.holderThreadId, holderId);
          assert.ok(stalls[0]!.waitedNs >= 20e6, `waited ${stalls[0]!.waitedNs} ns`);
          assert.equal(
            waiter.events.some((e) => e.event === 'acquired'),
            false,
            'the waiter got in past a holder',
          );
          const before = interp.stats().releasesOnThreadExit;
          await within(holder.worker.terminate(), 10_000, 'terminating the blocked holder');
          await waiter.next('released');
          assert.equal(await within(waiter.exited, 10_000, 'the waiter'), 0);
          const s = interp.stats();
          assert.equal(s.releasesOnThreadExit, before + 1);
          assert.equal(s.holder, 0);
          assert.equal(s.waiters, 0);
          await sleep(30);
          assert.equal(stalls.length, 1, `one wait, one report: ${JSON.stringify(stalls)}`);
          assert.equal(interp.stats().stalls, 1);
        } finally {
          interp.stopWatchdog();
          interp.destroy();
        }
      },
    );
  }

  it('a holder that exits without releasing frees the lock (counted)', { timeout: 30_000 }, async () => {
    const interp = new Interpreter();
    try {
      const waiter0 = interp.stats().releasesOnThreadExit;
      const holder = start('hold-and-exit', interp.id);
      await holder.next('holding');
      await within(holder.exited, 10_000, 'the exiting holder');
      await within(interp.acquireAsync(), 10_000, 'the lock after its holder exited');
      interp.release();
      assert.equal(interp.stats().releasesOnThreadExit, waiter0 + 1);
    } finally {
      interp.destroy();
    }
  });

  it(
    'a waiter terminated while it waits in acquire() ends once it can, and leaves the lock free',
    { timeout: 30_000 },
    async () => {
      const interp = new Interpreter();
      const stalls: StallReport[] = [];
      try {
        interp.startWatchdog({ boundMs: 10, pollMs: 5, onStall: (r) => stalls.push(r) });
        await interp.acquireAsync();
        const waiter = start('acquire-and-report', interp.id);
        const { threadId: waiterId } = await waiter.next('waiting');
        await until(() => interp.stats().waiters === 1, 'the worker to wait');
        // terminate() cannot interrupt a thread blocked in native code: it ends when acquire() returns.
        const terminated = waiter.worker.terminate();
        await until(() => stalls.length > 0, 'the stall report');
        assert.equal(stalls[0]!.waiterThreadId, waiterId);
        assert.equal(stalls[0]!.holderThreadId, Interpreter.currentThreadId());
        interp.release();
        await within(terminated, 10_000, 'terminate() of a waiting worker');
        await until(() => interp.stats().holder === 0 && interp.stats().waiters === 0, 'the lock to be free');
        await within(interp.acquireAsync(), 10_000, 'the lock after the waiter was terminated');
        interp.release();
      } finally {
        interp.stopWatchdog();
        interp.destroy();
      }
    },
  );

  it('four waiters behind a holder: four reports, each once, each naming the holder', { timeout: 30_000 }, async () => {
    const interp = new Interpreter({ policy: 'fifo' });
    const stalls: StallReport[] = [];
    try {
      interp.startWatchdog({ boundMs: 15, pollMs: 5, onStall: (r) => stalls.push(r) });
      await interp.acquireAsync();
      const waiters = Array.from({ length: 4 }, () => start('acquire-and-report', interp.id));
      const ids = (await Promise.all(waiters.map((w) => w.next('waiting')))).map((m) => m.threadId);
      await until(() => stalls.length >= 4, 'four stall reports');
      await sleep(40);
      assert.deepEqual(stalls.map((s) => s.waiterThreadId).sort(), [...ids].sort());
      for (const s of stalls) assert.equal(s.holderThreadId, Interpreter.currentThreadId());
      interp.release();
      await within(Promise.all(waiters.map((w) => w.exited)), 10_000, 'the waiters');
      assert.equal(interp.stats().stalls, 4);
      assert.equal(interp.stats().acquisitions >= 5, true);
    } finally {
      interp.stopWatchdog();
      interp.destroy();
    }
  });

  it(
    'interpreters created and destroyed while the watchdog scans them: no crash, the watchdog goes on',
    { timeout: 30_000 },
    async () => {
      const busy = new Interpreter();
      try {
        busy.startWatchdog({ boundMs: 1, pollMs: 1 });
        for (let i = 0; i < 300; i++) {
          const interp = new Interpreter({ policy: i % 2 ? 'cpython' : 'fifo' });
          interp.startWatchdog({ boundMs: 1 + (i % 3), pollMs: 1 });
          interp.acquire();
          interp.release();
          if (i % 50 === 0) await sleep(2); // let the watchdog thread scan while interpreters come and go
          interp.destroy();
        }
        // The watchdog still works on a surviving interpreter.
        await busy.acquireAsync();
        const waiter = start('acquire-and-report', busy.id);
        await until(() => busy.stats().stalls >= 1, 'a report on the surviving interpreter');
        busy.release();
        await within(waiter.exited, 10_000, 'the waiter');
      } finally {
        busy.stopWatchdog();
        busy.destroy();
      }
    },
  );
});
