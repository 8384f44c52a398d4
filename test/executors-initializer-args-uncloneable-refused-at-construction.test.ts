// initializerArgs that cannot be sent to a worker (a function or symbol, also nested) used to be
// accepted by the constructor; the pool then failed its first task with a DataCloneError instead of
// refusing the option. Options are checked at construction, naming the option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'gil-lab';

const initializer = 'countPrimes';

for (const [name, Ctor] of [
  ['ThreadPoolExecutor', ThreadPoolExecutor],
  ['ProcessPoolExecutor', ProcessPoolExecutor],
] as const) {
  test(`${name}: initializerArgs that cannot be sent are refused at construction, naming the option`, () => {
    for (const initializerArgs of [[() => 1], [0, { nested: Symbol('s') }], [{ deep: [() => 2] }]]) {
      assert.throws(
        () => new Ctor({ maxWorkers: 1, initializer, initializerArgs }),
        (e: unknown) => e instanceof TypeError && /^initializerArgs\[\d+\]/.test(e.message),
      );
    }
  });
}
