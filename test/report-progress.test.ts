import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, type ProgressStream } from '#internal/report/progress';

function recorder(isTTY: boolean): ProgressStream & { output: string } {
  const stream = {
    output: '',
    isTTY,
    columns: 80,
    write(chunk: string): boolean {
      stream.output += chunk;
      return true;
    },
  };
  return stream;
}

test('silent when the stream is not a terminal', () => {
  const stream = recorder(false);
  const progress = createProgress({ total: 3, label: 'tour', stream });
  assert.equal(progress.active, false);
  progress.tick('cpu-bound');
  progress.update(2, 'convoy');
  progress.setTotal(4);
  progress.stop();
  assert.equal(stream.output, '');
});

test('draws a bar on a terminal and clears it when stopped', () => {
  const stream = recorder(true);
  const progress = createProgress({ total: 2, label: 'tour', stream });
  assert.equal(progress.active, true);
  progress.tick('cpu-bound');
  progress.stop();
  assert.equal(progress.active, false);
  assert.match(stream.output, /tour .*\d\/2/);
  // A stopped bar ignores further calls.
  const before = stream.output;
  progress.tick('late');
  assert.equal(stream.output, before);
});

test('enabled overrides the terminal check', () => {
  const off = recorder(true);
  createProgress({ total: 1, stream: off, enabled: false }).stop();
  assert.equal(off.output, '');
});

test('bad input throws naming the argument', () => {
  assert.throws(() => createProgress({ total: -1, stream: recorder(false) }), {
    name: 'RangeError',
    message: /options\.total/,
  });
  assert.throws(() => createProgress({ total: 1, stream: {} as ProgressStream }), {
    name: 'TypeError',
    message: /options\.stream/,
  });
  assert.throws(() => createProgress({ total: 1, stream: recorder(false) }).tick('x', Number.NaN), {
    name: 'RangeError',
    message: /amount/,
  });
});
