// Two pieces that make the model's I/O and thread start cost what CPython's do:
//
// IoChannel: a channel opened once (a pair of pipes to an echo thread that needs no lock), then any
// number of round trips on it. One round trip is one write and one blocking wait-and-read, released
// around the lock like the other blocking I/O kernels (mode 'release'), with no pipes, threads or
// polling loops set up per operation — as a Python thread's os.write()/os.read() on an open pipe.
//
// startOsThread: a plain OS thread started by the addon that takes the lock, runs a short spin
// kernel holding it, and answers: threading.Thread(target=f).start() and f's first result, as
// opposed to a Node worker thread, which starts a whole JavaScript environment.
import { Interpreter } from '../interpreter.js';
import { native } from '../native.js';
import { callSync, type KernelOptions } from './index.js';
import type { RoundTripResult } from './native-types.js';
import { checkInteger, checkObject } from './validate.js';

/** The addon's channel (native/addon/io_channel.cpp). */
export interface NativeIoChannel {
  roundTrips(
    interpreterId: number,
    mode: number,
    flag: Int32Array | undefined,
    count: number,
    bytes: number,
  ): RoundTripResult;
  interrupt(): void;
  close(): void;
  readonly closed: boolean;
  readonly spent: boolean;
  readonly maxBytes: number;
}

export interface IoChannelOptions {
  /** The largest message a round trip may carry, bytes (1 .. 64 MiB); default 64 KiB. */
  maxBytes?: number;
}

const MAX_CHANNEL_BYTES = 64 * 1024 * 1024;

export class IoChannel {
  readonly #channel: NativeIoChannel;

  constructor(options?: IoChannelOptions) {
    const o = options === undefined ? {} : checkObject('options', options);
    const maxBytes = o.maxBytes === undefined ? 64 * 1024 : checkInteger('maxBytes', o.maxBytes, 1, MAX_CHANNEL_BYTES);
    this.#channel = new native.IoChannel(maxBytes);
  }

  /**
   * `count` round trips of `bytes` bytes. Mode 'release' lets go of the lock around each one (as
   * CPython's os.read/os.write do) and takes it back after; 'hold' blocks holding it. The calling
   * thread must hold the interpreter's lock (except under policy 'none'). A signal stops it between
   * round trips, or within a wait; a stop in the middle of a round trip spends the channel.
   */
  roundTrips(count: number, bytes: number, options?: KernelOptions): RoundTripResult {
    checkInteger('count', count, 0, 1e9);
    checkInteger('bytes', bytes, 1, this.#channel.maxBytes);
    return callSync('ioChannel.roundTrips', options, (id, mode, flag) =>
      this.#channel.roundTrips(id, mode, flag, count, bytes),
    );
  }

  /** Ends a wait in progress (or the next) with an AbortError; the channel is then spent. */
  interrupt(): void {
    this.#channel.interrupt();
  }

  /** Stops the echo thread and closes the pipes. Idempotent. */
  close(): void {
    this.#channel.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  get closed(): boolean {
    return this.#channel.closed;
  }
  /** True after an interrupt or abort in the middle of a round trip: open a new channel. */
  get spent(): boolean {
    return this.#channel.spent;
  }
  get maxBytes(): number {
    return this.#channel.maxBytes;
  }
}

export interface OsThreadResult {
  /** From before the thread was created to its result being in, nanoseconds. */
  firstResultNs: number;
  /** Its spin kernel's iterations (its result). */
  iterations: number;
  /** The new thread's lock thread id (Interpreter.currentThreadId() there). */
  threadId: number;
}

/**
 * Starts a plain OS thread that takes `interpreter`'s lock, spins `spinNs` holding it, and answers;
 * waits for the answer (letting go of the lock meanwhile if the calling thread holds it, as a
 * blocking queue.get() does) and joins the thread. Blocks the calling thread (at most ~20 s).
 */
export function startOsThread(options?: { interpreter?: Interpreter; spinNs?: number }): OsThreadResult {
  const o = options === undefined ? {} : checkObject('options', options);
  let interpreter: Interpreter;
  if (o.interpreter === undefined) interpreter = Interpreter.current();
  else if (o.interpreter instanceof Interpreter) interpreter = o.interpreter;
  else throw new TypeError('interpreter must be an Interpreter');
  const spinNs = o.spinNs === undefined ? 0 : checkInteger('spinNs', o.spinNs, 0, 10e9);
  return native.osThreadFirstResult(interpreter.id, spinNs);
}
