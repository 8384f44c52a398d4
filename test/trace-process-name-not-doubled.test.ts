// `run convoy --trace` named its Perfetto process "convoy: convoy: an I/O thread beside ...": the
// experiment's name was put before a trace title that already began with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineTraces } from '#internal/experiments/present';
import type { LockTrace } from '#internal/experiments/types';

function trace(title: string): LockTrace {
  return { title, events: [], labels: [], droppedEvents: 0 };
}

function processNames(file: ReturnType<typeof combineTraces>): unknown[] {
  return file.traceEvents.filter((event) => event.name === 'process_name').map((event) => event.args?.name);
}

test('a trace title that begins with the experiment name is not prefixed with it again', () => {
  const file = combineTraces([
    { experiment: 'convoy', trace: trace('convoy: an I/O thread beside a CPU-bound thread') },
    { experiment: 'io-bound', trace: trace('2 threads doing blocking I/O') },
  ]);
  assert.deepEqual(processNames(file), [
    'convoy: an I/O thread beside a CPU-bound thread',
    'io-bound: 2 threads doing blocking I/O',
  ]);
});
