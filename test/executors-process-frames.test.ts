// The process pool's wire format (src/executors/frames.ts): a message goes as JSON only when JSON
// gives back exactly what V8's structured clone ('advanced' serialization) would, and as V8
// otherwise; frames split or merged anyhow by the socket come back whole and in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, FrameReader, jsonIsExact } from '#internal/executors/frames';

function roundTrip(message: unknown, chunkSizes: number[] = []): unknown[] {
  const frame = encodeFrame(message, false);
  const reader = new FrameReader();
  const out: unknown[] = [];
  let at = 0;
  for (const size of chunkSizes) {
    reader.push(frame.subarray(at, at + size), (m) => out.push(m));
    at += size;
  }
  reader.push(frame.subarray(at), (m) => out.push(m));
  return out;
}

describe('process pool frames', () => {
  it('JSON only where it is exact', () => {
    for (const v of [1, 'a', true, null, [1, 2, [3]], { a: 1, b: [{ c: 'd' }] }, Object.create(null)]) {
      assert.equal(jsonIsExact(v), true, JSON.stringify(v));
    }
    const shared = { x: 1 };
    const named = Object.assign([1, 2], { extra: 3 });
    for (const [what, v] of [
      ['undefined', [undefined]],
      ['NaN', NaN],
      ['Infinity', [Infinity]],
      ['-0', { z: -0 }],
      ['a BigInt', 1n],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the point
      ['a hole', [1, , 3]],
      ['a Map', new Map()],
      ['a Date', new Date(0)],
      ['a typed array', new Float64Array(2)],
      ['an object met twice', [shared, shared]],
      ['a named property on an array', named],
      ['a class instance', new (class Point {})()],
      ['a function', () => 1],
    ] as const) {
      assert.equal(jsonIsExact(v), false, what);
    }
  });

  it('every message comes back as V8 structured clone would give it', () => {
    const shared = { x: 1 };
    const messages: unknown[] = [
      { type: 'run', items: [1, 0, 1, 0, [2, 3]] },
      { type: 'done', results: [1, 0, -0, 0, 0] },
      { type: 'run', items: [1, 0, 1, 0, [new Float64Array([1.5, -0]), new Map([[1, 'a']]), new Date(5), 10n]] },
      { type: 'run', items: [2, 0, 1, 0, [[shared, shared], undefined, NaN]] },
    ];
    for (const m of messages) {
      const [back] = roundTrip(m);
      assert.deepStrictEqual(back, m);
    }
    const [cycle] = roundTrip([shared, shared]) as [[object, object]];
    assert.equal(cycle[0], cycle[1], 'one object, not two copies');
  });

  it('frames split at any byte, or several in one chunk, come back whole and in order', () => {
    const big = { type: 'run', items: [1, 0, 1, 0, [new Float64Array(10_000).fill(2.5)]] };
    const [back] = roundTrip(big, [1, 3, 2, 7, 100, 65_536]);
    assert.deepStrictEqual(back, big);
    const a = encodeFrame({ n: 1 }, false);
    const b = encodeFrame({ n: new Uint8Array([2]) }, false);
    const c = encodeFrame({ n: 3 }, true);
    const reader = new FrameReader();
    const out: unknown[] = [];
    reader.push(Buffer.concat([a, b, c.subarray(0, 3)]), (m) => out.push(m));
    reader.push(c.subarray(3), (m) => out.push(m));
    assert.deepStrictEqual(out, [{ n: 1 }, { n: new Uint8Array([2]) }, { n: 3 }]);
  });

  it('what neither JSON nor V8 can carry throws at encoding, before anything is sent', () => {
    assert.throws(() => encodeFrame({ f: () => 1 }, false), /could not be cloned/);
  });

  it('a corrupt frame is an error, not a wrong message', () => {
    const frame = encodeFrame({ n: 1 }, false);
    frame[4] = 9;
    assert.throws(() => new FrameReader().push(frame, () => {}), /corrupt frame/);
  });
});
