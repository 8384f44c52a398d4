// Entry point of a ThreadPoolExecutor worker thread (compiled to dist/executors/thread-worker.js).
import { parentPort } from 'node:worker_threads';
import { sharedArrayCells } from './control.js';
import type { ToWorker } from './protocol.js';
import { WorkerRuntime } from './worker-runtime.js';

if (parentPort === null) throw new Error('thread-worker.js is the entry point of a ThreadPoolExecutor worker thread');
const port = parentPort;

const runtime = new WorkerRuntime({
  kind: 'thread',
  post: (message, transfer) => port.postMessage(message, transfer),
  openControl: (init) => {
    if (!('buffer' in init.control)) throw new TypeError('a thread worker needs a SharedArrayBuffer control block');
    return sharedArrayCells(init.control.buffer);
  },
});
port.on('message', (message: ToWorker) => runtime.onMessage(message));
