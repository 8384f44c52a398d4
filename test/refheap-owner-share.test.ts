// RefHeap storms with ownerShare: that share of a thread's updates go to objects it owns (PEP 703's
// premise for biased counting). Checked by behaviour: with ownerShare 1 no two threads share an
// object, so even racy counting loses nothing; safe strategies stay exact; bad values are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefHeap } from 'gil-lab';

test('ownerShare 1: each thread touches only its own objects, so even racy counting loses nothing', async () => {
  const heap = new RefHeap(64);
  const r = await heap.stormAsync({ strategy: 'racy', threads: 4, pairsPerThread: 200_000, ownerShare: 1 });
  assert.equal(r.lostUpdates, 0);
  assert.equal(r.prematureFrees, 0);
  assert.equal(r.finalTotal, r.expectedTotal);
  for (let i = 0; i < heap.size; i++) assert.equal(heap.count(i), 1);
});

test('owner-heavy storms (90% by owner) stay exact under atomic and biased counting', async () => {
  const heap = new RefHeap(64);
  for (const strategy of ['atomic', 'biased'] as const) {
    const r = await heap.stormAsync({ strategy, threads: 4, pairsPerThread: 100_000, ownerShare: 0.9 });
    assert.equal(r.lostUpdates, 0, strategy);
    assert.equal(r.prematureFrees, 0, strategy);
    assert.equal(r.operations, 4 * 2 * 100_000, strategy);
  }
});

test('more threads than objects: threads that own nothing pick any object', async () => {
  const heap = new RefHeap(2);
  const r = await heap.stormAsync({ strategy: 'atomic', threads: 4, pairsPerThread: 10_000, ownerShare: 0.9 });
  assert.equal(r.lostUpdates, 0);
  assert.equal(r.operations, 4 * 2 * 10_000);
});

test('a bad ownerShare is refused with an error naming it', () => {
  const heap = new RefHeap(8);
  for (const bad of [-0.1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => heap.storm({ strategy: 'atomic', threads: 1, pairsPerThread: 1, ownerShare: bad }), {
      name: 'RangeError',
      message: /ownerShare/,
    });
  }
  assert.throws(() => heap.storm({ strategy: 'atomic', ownerShare: '0.5' as never }), {
    name: 'TypeError',
    message: /ownerShare/,
  });
});
