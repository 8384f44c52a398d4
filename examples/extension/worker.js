// A worker_threads entry for the example: loads the extension (this thread's own instance), says
// it is ready, then runs each { id, lo, hi, mode, interpreterId, abortBuffer } it is sent and
// posts { id, result } or { id, error } back. Exits when its port closes.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { Interpreter } from 'gil-lab';
import { stoppingTimes } from './index.js';

if (parentPort === null) throw new Error('worker.js is meant to run in a worker thread');
const port = parentPort;

port.on('message', ({ id, lo, hi, mode, interpreterId, abortBuffer }) => {
  try {
    const abortFlag = abortBuffer === undefined ? undefined : new Int32Array(abortBuffer);
    const t0 = performance.now();
    const result = stoppingTimes(lo, hi, { mode, interpreterId, abortFlag });
    port.postMessage({ id, result, ms: performance.now() - t0 });
  } catch (error) {
    port.postMessage({ id, error });
  }
});
port.postMessage({ ready: true, threadId: Interpreter.currentThreadId() });
