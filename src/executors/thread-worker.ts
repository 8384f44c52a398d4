// Entry point of a ThreadPoolExecutor worker thread (compiled to dist/executors/thread-worker.js).
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { doorbellCell, sharedArrayCells } from './control.js';
import type { ToWorker } from './protocol.js';
import { WorkerRuntime } from './worker-runtime.js';

if (parentPort === null) throw new Error('thread-worker.js is the entry point of a ThreadPoolExecutor worker thread');
const port = parentPort;
let cells: Int32Array | undefined;
let bell = 0;

const runtime = new WorkerRuntime({
  kind: 'thread',
  post: (message, transfer) => port.postMessage(message, transfer),
  openControl: (init) => {
    if (!('buffer' in init.control)) throw new TypeError('a thread worker needs a SharedArrayBuffer control block');
    cells = new Int32Array(init.control.buffer);
    bell = doorbellCell(init.control.buffer.byteLength);
    return sharedArrayCells(init.control.buffer);
  },
  receive: () => receiveMessageOnPort(port)?.message as ToWorker | undefined,
  doorbell: () => Atomics.load(cells!, bell),
  waitForDoorbell: (seen, timeoutMs) => Atomics.wait(cells!, bell, seen, timeoutMs) !== 'timed-out',
});
port.on('message', (message: ToWorker) => runtime.onMessage(message));
