// io-bound gains Python's asyncio analogue: the same operations as non-blocking waits on one
// thread's event loop, next to N threads that release the lock and N that hold it; the claim's text
// says when each wins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runExperiment } from '#internal/experiments/index';
import { ioBoundVerdict, type IoBoundRow } from '#internal/experiments/io-bound';

test('io-bound has an event-loop row: one thread, the same operations, N in flight', async () => {
  const result = await runExperiment('io-bound', { size: 'tiny', workers: 2 });
  const rows = result.rows as IoBoundRow[];
  const loop = rows.find((r) => r.mode === 'event-loop');
  const threads = rows.find((r) => r.mode === 'threads');
  assert.ok(loop, `rows: ${rows.map((r) => r.mode).join(', ')}`);
  assert.ok(threads);
  assert.equal(loop.threads, 1);
  assert.equal(loop.operations, threads.operations);
  assert.ok(loop.opsPerSecond > 0 && Number.isFinite(loop.speedup));
});

test('the io-bound verdict names the event loop as the asyncio analogue and says when each wins', () => {
  const row = (mode: IoBoundRow['mode'], threads: number, speedup: number): IoBoundRow => ({
    mode,
    threads,
    operations: 100,
    seconds: 0.1,
    opsPerSecond: 1000 * speedup,
    speedup,
  });
  const v = ioBoundVerdict([
    row('serial', 1, 1),
    row('threads', 4, 3.8),
    row('threads-holding', 4, 1),
    row('event-loop', 1, 3.9),
  ]);
  assert.equal(v.holds, true);
  assert.match(v.text, /event loop .*asyncio analogue.* 3\.9×/);
  assert.match(v.text, /threads win when the only API blocks/);
});
