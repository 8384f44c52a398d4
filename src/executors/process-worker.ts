// Entry point of a ProcessPoolExecutor child (compiled to dist/executors/process-worker.js and
// started with child_process.fork). The child has its own main interpreter, whose lock it takes
// around tasks; it exits when the executor disconnects.
import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import { SharedMemory } from '../shared-memory.js';
import { encodeFrame, FrameReader } from './frames.js';
import { doorbellCell, sharedMemoryCells } from './control.js';
import { serializeThrown } from './errors.js';
import { checkJsonCarriable } from './json-carriable.js';
import { RESULT_FIELDS, STATUS_OK, type FromWorker, type ToWorker } from './protocol.js';
import { WorkerRuntime } from './worker-runtime.js';

if (typeof process.send !== 'function') {
  process.stderr.write('process-worker.js is the entry point of a ProcessPoolExecutor child (start it with fork)\n');
  process.exit(2);
}

/** serialization 'json' (told in the init message): results JSON cannot carry fail their task instead of arriving changed. */
let json = false;

// Tasks arrive and results leave on fd 4, a socket of their own (frames.ts); Node's IPC channel
// (fd 3) only tells us when to leave, and carries a fatal error's report.
const CHANNEL_FD = 4;
const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
const reader = new FrameReader();
channel.on('data', (chunk: Buffer) => {
  const arrived: ToWorker[] = [];
  reader.push(chunk, (message) => arrived.push(message as ToWorker));
  onMessages(arrived);
});

/** The control block (set by the init message): the executor rings its doorbell cell after each frame. */
let control: SharedMemory | undefined;
let bell = 0;
/** Messages read from the socket directly (receive()), not yet handed to the runtime. */
const received: ToWorker[] = [];
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** The doorbell's count when the socket was last read directly. */
let bellRead = 0;

/**
 * The idle worker's fast path: read what has arrived on the socket now, without waiting for the
 * event loop. Only after the doorbell rang since the last such read (the executor rings after each
 * frame it writes: no read, no failing system call, when nothing was sent), and only when the
 * stream holds nothing it read earlier, so that frames stay in order. Whatever this does not read,
 * the event loop does.
 */
function receive(): ToWorker | undefined {
  if (received.length === 0 && control !== undefined && channel.readableLength === 0 && !channel.destroyed) {
    const rung = control.atomicLoad(bell);
    if (rung !== bellRead) {
      bellRead = rung;
      for (;;) {
        let n: number;
        try {
          n = readSync(CHANNEL_FD, readBuffer, 0, readBuffer.length, null);
        } catch {
          break; // EAGAIN: the rest is still on its way (the event loop reports real errors)
        }
        if (n > 0) reader.push(Buffer.from(readBuffer.subarray(0, n)), (message) => received.push(message as ToWorker));
        if (n < readBuffer.length) break;
      }
    }
  }
  return received.shift();
}

// The executor went away: the IPC channel's disconnect ends this process.
channel.on('error', () => {});

const send = (message: FromWorker): void => {
  if (json && message.type === 'done') {
    for (let i = 0; i < message.results.length; i += RESULT_FIELDS) {
      if (message.results[i + 1] === STATUS_OK) checkJsonCarriable(message.results[i + 2], 'result');
    }
  }
  channel.write(encodeFrame(message, json));
};

const runtime = new WorkerRuntime({
  kind: 'process',
  post: send,
  openControl: (init) => {
    if (!('shmName' in init.control)) throw new TypeError('a process worker needs a SharedMemory control block');
    control = SharedMemory.attach(init.control.shmName);
    bell = doorbellCell(control.size);
    return sharedMemoryCells(control);
  },
  receive,
  doorbell: () => (control === undefined ? 0 : control.atomicLoad(bell)),
});

function onMessages(messages: ToWorker[]): void {
  for (const message of messages) if (message.type === 'init') json = message.serialization === 'json';
  runtime.onMessages(messages);
}
// The executor closed the channel (shutdown, retirement, or the parent died): leave.
process.on('disconnect', () => process.exit(0));
// An error nobody caught ends the child, as it would by default, after telling the executor what it was.
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  const exit = (): never => process.exit(1);
  try {
    process.send!({ type: 'fatal', error: serializeThrown(error) } satisfies FromWorker, undefined, {}, exit);
  } catch {
    exit();
  }
  setTimeout(exit, 1000).unref();
});
