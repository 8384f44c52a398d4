// Regression: resourceLimits values went to every Worker unchecked, so a negative or NaN limit (or a
// string) gave a broken pool at the first task instead of an error at construction. Now each value
// is checked when the pool is made, with an error naming the option.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ThreadPoolExecutor } from 'gil-lab';
import { task } from './fixtures/executor-helpers.js';

describe('ThreadPoolExecutor resourceLimits are checked at construction', () => {
  for (const key of ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']) {
    for (const bad of [-1, 0, NaN, Infinity, -Infinity]) {
      it(`${key}: ${bad} is a RangeError naming it`, () => {
        assert.throws(() => new ThreadPoolExecutor({ resourceLimits: { [key]: bad } }), {
          name: 'RangeError',
          message: new RegExp(`resourceLimits\\.${key}`),
        });
      });
    }
    it(`${key}: a string is a TypeError naming it`, () => {
      assert.throws(() => new ThreadPoolExecutor({ resourceLimits: { [key]: '64' as never } }), {
        name: 'TypeError',
        message: new RegExp(`resourceLimits\\.${key}`),
      });
    });
  }

  it('an unknown limit (a typo) or a non-object is a TypeError', () => {
    assert.throws(() => new ThreadPoolExecutor({ resourceLimits: { maxOldGenSizeMb: 64 } as never }), {
      name: 'TypeError',
      message: /resourceLimits\.maxOldGenSizeMb/,
    });
    assert.throws(() => new ThreadPoolExecutor({ resourceLimits: 64 as never }), {
      name: 'TypeError',
      message: /resourceLimits must be an object/,
    });
  });

  it('valid limits still make a working pool', async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 4 },
    });
    try {
      assert.equal(await pool.submit(task('add'), 2, 3), 5);
    } finally {
      await pool.shutdown();
    }
  });
});
