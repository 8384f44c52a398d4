// The fuzz watchdog: a worker thread that watches the case being run on the main thread.
//
// Every case is armed with a label. If it is still running after `softMs`, the watchdog raises the
// shared abort flag (which every kernel call in the fuzz is given), so valid calls that would run
// for ages stop within one slice with an AbortError. If it is still running after `hardMs`, the case
// hangs: the watchdog writes the label to stderr (with a direct write: the main thread may be stuck
// in native code and cannot flush anything) and kills the process with SIGABRT, so a hang is a
// failure with a name rather than a test run that never ends.
import { Worker } from 'node:worker_threads';

const SEQ = 0; // even: idle; odd: a case is running
const FLAG = 1; // the abort flag handed to kernels
const SOFT_MS = 2;
const HARD_MS = 3;
const LABEL_LENGTH = 4;
const LABEL_BYTES = 2048;

const watcherSource = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const cells = new Int32Array(workerData.cells);
const label = new Uint8Array(workerData.label);
for (;;) {
  const seq = Atomics.load(cells, ${SEQ});
  if ((seq & 1) === 0) {
    Atomics.wait(cells, ${SEQ}, seq);
    continue;
  }
  if (Atomics.wait(cells, ${SEQ}, seq, Atomics.load(cells, ${SOFT_MS})) !== 'timed-out') continue;
  Atomics.store(cells, ${FLAG}, 1);
  if (Atomics.wait(cells, ${SEQ}, seq, Atomics.load(cells, ${HARD_MS})) !== 'timed-out') continue;
  const text = Buffer.from(label.subarray(0, Atomics.load(cells, ${LABEL_LENGTH}))).toString('utf8');
  writeSync(2, '\\nfuzz watchdog: a case hung for more than ' + (Atomics.load(cells, ${SOFT_MS}) + Atomics.load(cells, ${HARD_MS})) + ' ms (the abort flag was raised and ignored):\\n  ' + text + '\\n');
  process.kill(process.pid, 'SIGABRT');
}
`;

export interface WatchdogOptions {
  /** Raise the abort flag after this long; default 300 ms. */
  softMs?: number;
  /** Then kill the process after this much longer; default 60 s. */
  hardMs?: number;
}

export class Watchdog {
  /** The abort flag to give every kernel call (element 0 nonzero: stop). */
  readonly flag: Int32Array;
  readonly #cells: Int32Array;
  readonly #label: Uint8Array;
  readonly #worker: Worker;
  #running = false;

  constructor(options: WatchdogOptions = {}) {
    const cells = new SharedArrayBuffer(4 * 5);
    const label = new SharedArrayBuffer(LABEL_BYTES);
    this.#cells = new Int32Array(cells);
    this.#label = new Uint8Array(label);
    this.flag = this.#cells.subarray(FLAG, FLAG + 1);
    Atomics.store(this.#cells, SOFT_MS, options.softMs ?? 300);
    Atomics.store(this.#cells, HARD_MS, options.hardMs ?? 60_000);
    this.#worker = new Worker(watcherSource, { eval: true, workerData: { cells, label } });
    this.#worker.unref();
  }

  /** A case starts: lower the flag and start the clock. */
  arm(label: string): void {
    const bytes = Buffer.from(label.length > 1500 ? `${label.slice(0, 1500)}...` : label, 'utf8');
    const n = Math.min(bytes.length, LABEL_BYTES);
    this.#label.set(bytes.subarray(0, n));
    Atomics.store(this.#cells, LABEL_LENGTH, n);
    Atomics.store(this.#cells, FLAG, 0);
    // Odd while running; a new odd number restarts the clock of a case already running.
    Atomics.add(this.#cells, SEQ, this.#running ? 2 : 1);
    this.#running = true;
    Atomics.notify(this.#cells, SEQ);
  }

  /** The case ended (the flag stays as it is until the next arm). */
  disarm(): void {
    if (!this.#running) return;
    this.#running = false;
    Atomics.add(this.#cells, SEQ, 1);
    Atomics.notify(this.#cells, SEQ);
  }

  /** Whether the current (or last) case had its flag raised. */
  get fired(): boolean {
    return Atomics.load(this.#cells, FLAG) !== 0;
  }

  async close(): Promise<void> {
    this.disarm();
    await this.#worker.terminate();
  }
}
