// Tasks that reach a worker together (several frames in one read from a process's socket) run
// before any result is sent, and their results go back in one message. Before, the worker ran and
// answered each frame on its own: a process pool under load sent one task and got one result per
// message, and its throughput fell to what a message costs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedArrayCells, controlBytes, slotStateCell } from '#internal/executors/control';
import { RESULT_FIELDS, SLOT_PENDING, STATUS_OK, type FromWorker, type RunMessage } from '#internal/executors/protocol';
import { WorkerRuntime } from '#internal/executors/worker-runtime';
import { TASKS_URL } from './fixtures/executor-helpers.js';

test('a burst of run messages is answered with one batch of results', async () => {
  const slots = 8;
  const buffer = new SharedArrayBuffer(controlBytes(slots));
  const control = sharedArrayCells(buffer);
  const posted: FromWorker[] = [];
  let arrived: () => void = () => {};
  const runtime = new WorkerRuntime({
    kind: 'process',
    post: (message) => {
      posted.push(message);
      arrived();
    },
    openControl: () => control,
  });
  const next = () => new Promise<void>((resolve) => (arrived = resolve));

  let ready = next();
  runtime.onMessage({
    type: 'init',
    kind: 'process',
    workerId: 1,
    lock: { model: 'shared' },
    control: { buffer },
    idleSpinUs: 0,
  });
  await ready;
  assert.deepEqual(posted.shift(), { type: 'ready' });

  const run = (id: number, slot: number, withDef: boolean): RunMessage => {
    control.store(slotStateCell(slot), SLOT_PENDING);
    return {
      type: 'run',
      ...(withDef ? { defs: [[1, { kind: 'module', url: TASKS_URL.href, exportName: 'add' }]] } : {}),
      items: [id, slot, 1, 0, [id, 100]],
    };
  };
  // The first task loads the module (asynchronously): wait for its result.
  ready = next();
  runtime.onMessages([run(1, 0, true)]);
  await ready;
  posted.length = 0;

  ready = next();
  runtime.onMessages([run(2, 1, false), run(3, 2, false), run(4, 3, false)]);
  await ready;
  assert.equal(posted.length, 1, 'one message for the three results');
  const done = posted[0]!;
  assert.equal(done.type, 'done');
  const results = (done as { results: unknown[] }).results;
  assert.equal(results.length, 3 * RESULT_FIELDS);
  for (let k = 0; k < 3; k++) {
    assert.equal(results[k * RESULT_FIELDS], k + 2, 'in order');
    assert.equal(results[k * RESULT_FIELDS + 1], STATUS_OK);
    assert.equal(results[k * RESULT_FIELDS + 2], k + 102);
  }
});
