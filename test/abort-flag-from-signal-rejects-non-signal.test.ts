// AbortFlag.fromSignal(x) with something that is not an AbortSignal used to fail deep inside with
// "signal.addEventListener is not a function" (or "Cannot read properties of null"): it must say
// which argument is wrong and what it must be.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortFlag } from 'gil-lab';

test('AbortFlag.fromSignal(non-signal) throws a TypeError naming signal', () => {
  for (const bad of [5, null, undefined, {}, { aborted: false }, new AbortController()]) {
    assert.throws(
      () => AbortFlag.fromSignal(bad as unknown as AbortSignal),
      (e: unknown) => e instanceof TypeError && /^signal must be an AbortSignal/.test(e.message),
      `fromSignal(${String(bad)})`,
    );
  }
  const controller = new AbortController();
  const flag = AbortFlag.fromSignal(controller.signal);
  controller.abort();
  assert.equal(flag.aborted, true);
  flag.dispose();
});
