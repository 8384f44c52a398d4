import assert from 'node:assert/strict';
import { test } from 'node:test';
import { native } from '#internal/native';

// The `lock` bench suite's scale measurements take counts from JavaScript: each bad value is a
// TypeError/RangeError naming the argument, never a crash or an hour-long loop.
interface ScaleBenchFunctions {
  benchPairAfterManyInterpreters(...args: unknown[]): number;
  benchExtensionCheckpoint(...args: unknown[]): number;
}
const scale = native as unknown as ScaleBenchFunctions;

test('scale bench functions refuse bad counts with an error naming the argument', () => {
  for (const [fn, first] of [
    [scale.benchPairAfterManyInterpreters, 'interpretersUsedBefore'],
    [scale.benchExtensionCheckpoint, 'liveInterpreters'],
  ] as const) {
    assert.throws(() => fn(), { name: 'TypeError', message: new RegExp(first) });
    assert.throws(() => fn('1', 10), { name: 'TypeError', message: new RegExp(first) });
    assert.throws(() => fn(1e9, 10), { name: 'RangeError', message: new RegExp(first) });
    assert.throws(() => fn(1.5, 10), { name: 'RangeError', message: new RegExp(first) });
    assert.throws(() => fn(1, 0), { name: 'RangeError', message: /iterations/ });
    assert.throws(() => fn(1, NaN), { name: 'RangeError', message: /iterations/ });
    assert.throws(() => fn(1, 2 ** 40), { name: 'RangeError', message: /iterations/ });
  }
});

test('scale bench functions measure with small, valid counts', () => {
  assert.ok(scale.benchPairAfterManyInterpreters(3, 1000) > 0);
  assert.ok(scale.benchExtensionCheckpoint(3, 1000) > 0);
});
