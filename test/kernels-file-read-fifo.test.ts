// fileRead on a FIFO used to block in open() (no writer ever comes), where no abort can reach it.
// Non-regular files are refused with an error that names the path argument.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOutcome, runLifecycleChild } from './fixtures/lifecycle-helpers.js';

describe('fileRead on a FIFO', () => {
  for (const variant of ['sync', 'async']) {
    it(`${variant === 'sync' ? 'fileRead' : 'fileReadAsync'} refuses a FIFO with an error naming the path, instead of blocking`, async () => {
      const o = await runLifecycleChild(['file-read-fifo', variant], { timeoutMs: 15_000 });
      assert.equal(o.timedOut, false, `fileRead must not block: ${describeOutcome(o)}`);
      assert.equal(o.status, 0, describeOutcome(o));
      const r = o.result as { name?: string; message?: string };
      assert.ok(r.message, `an error, got ${JSON.stringify(r)}`);
      assert.match(r.message, /path/);
      assert.match(r.message, /not a regular file/);
    });
  }
});
