// A lock's stats are a snapshot: the hold in progress and the elapsed time must be measured up to
// the same instant, so that heldNs <= elapsedNs and heldFraction <= 1 with one holder at a time (as
// gil_load's "held" fraction is). Right after resetStats() the window is a few microseconds, so any
// gap between the two clock readings (a preemption between them, say) shows at once. Busy threads
// make such preemptions likely on a small machine. (Found by the Interpreter fuzz, which saw a held
// fraction of 932 after resetStats().)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Interpreter } from 'gil-lab';

test('heldNs never exceeds elapsedNs, even right after resetStats()', { timeout: 120_000 }, async () => {
  const spinners = Array.from(
    { length: 2 },
    () =>
      new Worker('const end = Date.now() + 4000; while (Date.now() < end) {}', {
        eval: true,
      }),
  );
  const interp = new Interpreter();
  const bad: string[] = [];
  try {
    const end = performance.now() + 3000;
    let snapshots = 0;
    while (performance.now() < end && bad.length < 5) {
      for (let i = 0; i < 200; i++) {
        interp.acquire();
        interp.resetStats();
        const s = interp.stats();
        interp.release();
        snapshots++;
        if (s.heldNs > s.elapsedNs || s.heldFraction > 1) {
          bad.push(`heldNs ${s.heldNs} > elapsedNs ${s.elapsedNs} (heldFraction ${s.heldFraction})`);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(bad, [], `in ${snapshots} snapshots`);
  } finally {
    interp.destroy();
    await Promise.all(spinners.map((w) => w.terminate()));
  }
});
