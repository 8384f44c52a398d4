// stats(): task counts, queue-wait and run-time percentiles, per-worker utilization.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor, type DurationSummary } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

function checkSummary(s: DurationSummary, count: number): void {
  assert.equal(s.count, count);
  assert.ok(s.p50Ms >= 0);
  assert.ok(s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs, JSON.stringify(s));
  assert.ok(s.meanMs >= 0 && s.meanMs <= s.maxMs);
}

for (const [name, make] of [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 2 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 2 })],
] as const) {
  describe(`stats (${name})`, () => {
    it('counts tasks and summarises their waits, run times and the workers', async () => {
      const pool = make();
      try {
        const sleeps = Array.from({ length: 4 }, () => pool.submit(task('sleep'), 20));
        const adds = Array.from({ length: 16 }, (_, i) => pool.submit(task('add'), i, 1));
        const failing = pool.submit(task('throwString'));
        const cancelled = pool.submit(task('add'), 0, 0);
        cancelled.cancel();
        await Promise.all([...sleeps, ...adds]);
        await failing.exception();
        const stats = pool.stats();
        assert.equal(stats.kind, name === 'ThreadPoolExecutor' ? 'thread' : 'process');
        assert.equal(stats.maxWorkers, 2);
        assert.equal(stats.tasksSubmitted, 22);
        assert.equal(stats.tasksCompleted, 21);
        assert.equal(stats.tasksSucceeded, 20);
        assert.equal(stats.tasksFailed, 1);
        assert.equal(stats.tasksCancelled, 1);
        assert.equal(stats.tasksQueued, 0);
        assert.equal(stats.tasksInFlight, 0);
        checkSummary(stats.queueWaitMs, 21);
        checkSummary(stats.runTimeMs, 21);
        assert.ok(stats.runTimeMs.maxMs >= 15, 'the sleeps show in the run times');
        assert.equal(stats.workers.length, 2);
        assert.equal(
          stats.workers.reduce((n, w) => n + w.tasksCompleted, 0),
          21,
        );
        for (const w of stats.workers) {
          assert.ok(w.utilization >= 0 && w.utilization <= 1);
          assert.ok(w.busyMs <= w.aliveMs);
          assert.equal(w.state, 'idle');
          assert.ok(name === 'ThreadPoolExecutor' ? w.threadId! > 0 : w.pid! > 0);
        }
      } finally {
        await pool.shutdown();
      }
    });
  });
}

describe('stats() says first how tasks share the lock (the GIL default surprises a Node developer)', () => {
  it('a default ThreadPoolExecutor says its tasks run one at a time under the GIL, and how to get a plain pool', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const stats = pool.stats();
      assert.equal(Object.keys(stats)[0], 'lock', 'printed first');
      assert.match(stats.lock, /^shared: .*the GIL.*one at a time.*lock: 'free'/);
    } finally {
      await pool.shutdown();
    }
  });

  it('other lock models and the process pool say that tasks run in parallel', async () => {
    const pools = [
      new ThreadPoolExecutor({ maxWorkers: 1, lock: 'isolated' }),
      new ThreadPoolExecutor({ maxWorkers: 1, lock: 'free' }),
      new ProcessPoolExecutor({ maxWorkers: 1 }),
    ];
    try {
      const texts = pools.map((p) => p.stats().lock);
      assert.match(texts[0]!, /^isolated: .*own lock.*in parallel/);
      assert.match(texts[1]!, /^free: no lock.*in parallel/);
      assert.match(texts[2]!, /^one per process: .*in parallel/);
    } finally {
      await Promise.all(pools.map((p) => p.shutdown()));
    }
  });
});
