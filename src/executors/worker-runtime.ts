// The loop inside every worker, thread or process: receive batches of tasks, run them one at a
// time under the worker's interpreter lock, send results back in batches.
//
// Lock discipline (as a CPython worker thread): the worker takes its lock when it has work and
// keeps it across consecutive tasks, calling checkpoint() between them (the eval breaker), and
// releases it when it runs out of work or waits on a task's Promise (a blocking wait releases the
// GIL). Code after an `await` inside an asynchronous task therefore runs without the lock.
//
// Between two tasks the promise reactions the first left behind run (a microtask hop). A worker
// that runs out of tasks polls for the next one (idleSpinUs), then a thread sleeps on its doorbell;
// either way it goes back to its event loop at least every IDLE_WAIT_BUDGET_MS.

import { Interpreter } from '../interpreter.js';
import { native } from '../native.js';
import { AbortError, serializeThrown } from './errors.js';
import { currentTaskCell, slotAbortCell, slotStateCell, type ControlCells } from './control.js';
import { WorkQueue } from './queue.js';
import {
  CONTROL_CELLS_PER_SLOT,
  FLAG_CHUNK,
  FLAG_SPREAD,
  nowEpochMs,
  RESULT_FIELDS,
  RUN_ITEM_FIELDS,
  SLOT_PENDING,
  SLOT_RUNNING,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_SKIPPED,
  STATUS_VOID,
  type FromWorker,
  type InitMessage,
  type RunMessage,
  type ToWorker,
} from './protocol.js';
import { loadModuleExport, type TaskDescriptor, type TaskFunction } from './task.js';
import { isTransferMarker } from './transfer.js';
import { setCurrentTask, setWorkerInfo, type TaskContext } from './worker-context.js';
import { resolveKernelTask } from './builtin-kernels.js';
import type { TransferListItem } from 'node:worker_threads';

export interface WorkerHost {
  kind: 'thread' | 'process';
  /** Sends a message to the executor; throws if it cannot be serialized. */
  post(message: FromWorker, transfer?: TransferListItem[]): void;
  /** Opens the control block named in the init message. */
  openControl(init: InitMessage): ControlCells;
  /**
   * The fast path for the next task: take a message that has arrived without going through the
   * event loop (threads: receiveMessageOnPort; processes: a read from the socket)...
   */
  receive?(): ToWorker | undefined;
  /** ...the executor's doorbell count (it rings after every message)... */
  doorbell?(): number;
  /** ...and block until it moves past `seen` or timeoutMs pass; false on timeout (absent: only poll it). */
  waitForDoorbell?(seen: number, timeoutMs: number): boolean;
}

/**
 * An idle thread worker waits for its next task on the doorbell (Atomics.wait) rather than in its
 * event loop: a task then starts a few microseconds sooner. The event loop still runs at least
 * this often (timers, asynchronous work a task left behind), however fast tasks keep arriving
 * while a worker (thread or process) polls.
 */
const IDLE_WAIT_BUDGET_MS = 10;

/** A worker polls for its next task (idleSpinUs) only after a run message with at most this many tasks. */
const SPIN_AFTER_BATCHES_OF = 2;

/** Results are sent when the local queue runs dry, and at least this often during a long batch. */
const FLUSH_INTERVAL_MS = 1;
const FLUSH_MAX_RESULTS = 512;

interface QueuedTask {
  id: number;
  slot: number;
  taskId: number;
  flags: number;
  args: unknown[];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

class RunningTask implements TaskContext {
  #controller: AbortController | undefined;
  constructor(
    readonly id: number,
    readonly abortFlag: Int32Array,
  ) {}
  get aborted(): boolean {
    return Atomics.load(this.abortFlag, 0) !== 0 || (this.#controller?.signal.aborted ?? false);
  }
  throwIfAborted(): void {
    if (this.aborted) throw new AbortError('the task was aborted');
  }
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (Atomics.load(this.abortFlag, 0) !== 0 && !this.#controller.signal.aborted) this.abort();
    return this.#controller.signal;
  }
  abort(): void {
    (this.#controller ??= new AbortController()).abort(new AbortError('the task was aborted'));
  }
}

export class WorkerRuntime {
  readonly #host: WorkerHost;
  #control: ControlCells | undefined;
  #interpreter: Interpreter | undefined;
  /** isolated/free workers: the main interpreter, whose lock a task must not leave held either. */
  #mainInterpreter: Interpreter | undefined;
  #holding = false;
  /** What the running task did to the lock that it must not (found by checkLock()), reported as its error. */
  #lockMisuse: string | undefined;
  #ready = false;
  #pumping = false;
  /** onMessages() is queuing a batch: nothing may run until all of it is queued. */
  #accepting = false;
  readonly #queue = new WorkQueue<QueuedTask>();
  readonly #descriptors = new Map<number, TaskDescriptor>();
  readonly #functions = new Map<number, TaskFunction>();
  #results: unknown[] = [];
  #transfer: TransferListItem[] | undefined;
  #lastFlush = 0;
  #running: RunningTask | undefined;
  #idling = false;
  /** When the current idle budget ends; undefined once the event loop has run since it began. */
  #idleUntil: number | undefined;
  /** InitMessage.idleSpinUs, in milliseconds. */
  #idleSpinMs = 0;
  /** Tasks in the last run message: a worker fed one task at a time polls for the next; a flooded one does not. */
  #lastBatch = 0;
  /** One abort-flag view per slot, made once. */
  readonly #flagViews: Int32Array[] = [];
  /** The control block, and the cell that names the running task's slot (+ 1; 0: none) to native code. */
  #cells: Int32Array | undefined;
  #currentCell = 0;

  constructor(host: WorkerHost) {
    this.#host = host;
  }

  onMessage(message: ToWorker): void {
    this.onMessages([message]);
  }

  /**
   * Messages that arrived together (one read from a socket): every task is queued before the
   * first one runs, so that their results go back together too, and the executor answers with
   * one batch rather than one message per task.
   */
  onMessages(messages: readonly ToWorker[]): void {
    let tasks = 0;
    this.#accepting = true;
    try {
      for (const message of messages) {
        this.#accept(message);
        if (message.type === 'run') tasks += message.items.length / RUN_ITEM_FIELDS;
      }
    } finally {
      this.#accepting = false;
    }
    if (tasks === 0) return;
    this.#lastBatch = tasks;
    if (this.#ready) void this.#pump();
  }

  #accept(message: ToWorker): void {
    switch (message.type) {
      case 'init':
        void this.#init(message);
        break;
      case 'run':
        this.#enqueue(message);
        break;
      case 'abort':
        if (this.#running?.id === message.id) this.#running.abort();
        break;
    }
  }

  async #init(init: InitMessage): Promise<void> {
    try {
      this.#control = this.#host.openControl(init);
      this.#idleSpinMs = init.idleSpinUs / 1000;
      // Native extensions find the running task's abort flag through the C API's
      // current_abort_flag(): the worker registers its control block once, then names the running
      // task's slot in a cell of it (a plain store per task, no call into native code).
      this.#cells = this.#control.allCells();
      this.#currentCell = currentTaskCell(this.#control.byteLength);
      native.setThreadControl(this.#cells, this.#currentCell, CONTROL_CELLS_PER_SLOT, 1);
      const lock = init.lock;
      this.#interpreter = lock.model === 'shared' ? Interpreter.main() : Interpreter.byId(lock.interpreterId);
      if (this.#interpreter.id !== Interpreter.main().id) this.#mainInterpreter = Interpreter.main();
      // Kernels called by tasks on this worker default to the lock this worker holds.
      Interpreter.setThreadDefault(this.#interpreter);
      setWorkerInfo({
        kind: init.kind,
        workerId: init.workerId,
        lockModel: lock.model,
        interpreter: this.#interpreter,
      });
      if (init.initializer !== undefined) {
        const fn = await this.#resolve(init.initializer.task);
        this.#acquire();
        try {
          const out = fn(...init.initializer.args);
          if (isThenable(out)) {
            this.#release();
            await out;
          }
        } finally {
          this.#release();
        }
      }
    } catch (error) {
      this.#host.post({ type: 'init-failed', error: serializeThrown(error) });
      return;
    }
    this.#ready = true;
    this.#host.post({ type: 'ready' });
    // Not before the rest of its batch is queued (onMessages pumps then): the pump ends in the idle
    // poll, which would run later messages, read since, ahead of the batch's own tasks and task definitions.
    if (!this.#accepting) void this.#pump();
  }

  #enqueue(message: RunMessage): void {
    if (message.defs !== undefined)
      for (const [taskId, descriptor] of message.defs) this.#descriptors.set(taskId, descriptor);
    const items = message.items;
    for (let i = 0; i < items.length; i += RUN_ITEM_FIELDS) {
      this.#queue.push({
        id: items[i] as number,
        slot: items[i + 1] as number,
        taskId: items[i + 2] as number,
        flags: items[i + 3] as number,
        args: items[i + 4] as unknown[],
      });
    }
  }

  #acquire(): void {
    if (!this.#holding) {
      this.#interpreter!.acquire();
      this.#holding = true;
    }
  }

  #release(): void {
    if (this.#holding) {
      this.#holding = false;
      this.#interpreter!.release();
    }
  }

  /**
   * After a task (and before the worker lets go of the lock for an await): is the lock as the
   * worker left it? A task, or a native extension inside it, that released the lock and did not
   * take it back, or took it while the worker had let it go, would otherwise make the worker's own
   * release()/acquire() throw and end the worker, failing the next, innocent task. The worker
   * records what happened (the task fails with it) and makes its bookkeeping true again.
   */
  #checkLock(): void {
    const interpreter = this.#interpreter!;
    const held = interpreter.isHeldByCurrentThread();
    if (this.#holding && !held) {
      this.#holding = false; // taken back before the next task runs
      this.#lockMisuse ??=
        `the task left the interpreter lock released: it (or native code it called) released the lock of interpreter ` +
        `${interpreter.id}, which its worker holds while a task runs, and did not take it back`;
    } else if (!this.#holding && held) {
      this.#holding = true; // the worker keeps it, as if it had taken it itself
      this.#lockMisuse ??=
        `the task returned holding the interpreter lock: it (or native code it called) took the lock of interpreter ` +
        `${interpreter.id} while its worker had let it go (after an await) and did not release it`;
    }
  }

  /** A task must not return holding another interpreter's lock: only the main one is checked (the one every thread may share). */
  #checkOtherLocks(): void {
    const main = this.#mainInterpreter;
    if (main === undefined || !main.isHeldByCurrentThread()) return;
    main.release();
    this.#lockMisuse ??=
      `the task returned holding the lock of the main interpreter (id ${main.id}), which it took itself; ` +
      `its worker released it so that other threads can run`;
  }

  async #resolve(descriptor: TaskDescriptor): Promise<TaskFunction> {
    if (descriptor.kind === 'kernel') return resolveKernelTask(descriptor.name);
    return loadModuleExport(descriptor.url, descriptor.exportName);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const control = this.#control!;
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
        const stateCell = slotStateCell(item.slot);
        // Claim the slot; if cancel() got there first, skip the task.
        if (control.compareExchange(stateCell, SLOT_PENDING, SLOT_RUNNING) !== SLOT_PENDING) {
          this.#results.push(item.id, STATUS_SKIPPED, null, 0, 0);
          continue;
        }
        let fn = this.#functions.get(item.taskId);
        const startedAt = nowEpochMs();
        const t0 = performance.now();
        let status = STATUS_OK;
        let payload: unknown;
        try {
          if (fn === undefined) {
            const descriptor = this.#descriptors.get(item.taskId);
            if (descriptor === undefined) throw new Error(`internal error: unknown task id ${item.taskId}`);
            // Loading a module is I/O: do not hold the lock while waiting for it.
            this.#release();
            this.#flushSoon(true);
            fn = await this.#resolve(descriptor);
            this.#functions.set(item.taskId, fn);
          }
          this.#acquire();
          const flag = (this.#flagViews[item.slot] ??= control.cellView(slotAbortCell(item.slot)));
          const running = new RunningTask(item.id, flag);
          this.#running = running;
          setCurrentTask(running);
          this.#cells![this.#currentCell] = item.slot + 1;
          try {
            payload = this.#call(fn, item);
            if (isThenable(payload)) payload = await payload;
          } finally {
            this.#cells![this.#currentCell] = 0;
            setCurrentTask(undefined);
            this.#running = undefined;
          }
        } catch (error) {
          status = STATUS_ERROR;
          payload = error;
        }
        this.#checkLock();
        this.#checkOtherLocks();
        if (this.#lockMisuse !== undefined) {
          const cause = status === STATUS_ERROR ? { cause: payload } : undefined;
          status = STATUS_ERROR;
          payload = new Error(this.#lockMisuse, cause);
          this.#lockMisuse = undefined;
        }
        if (status === STATUS_ERROR) payload = serializeThrown(payload);
        else if (payload === undefined) {
          status = STATUS_VOID;
          payload = null; // said by the status; null keeps a process's result message plain JSON
        }
        const runMs = performance.now() - t0;
        if (status === STATUS_OK && isTransferMarker(payload)) {
          (this.#transfer ??= []).push(...payload.list);
          payload = payload.value;
        }
        this.#results.push(item.id, status, payload, startedAt, runMs);
        // The last result goes out only after the lock is let go (in finally): whoever awaits it
        // then finds the lock free and its release in the trace, not a moment later.
        if (this.#queue.length > 0) {
          this.#flushSoon(false);
          // The promise reactions this task left behind (a .then() it did not return) run before
          // the next task starts, as between two messages: one microtask hop.
          await Promise.resolve();
          if (this.#holding) this.#interpreter!.checkpoint();
        }
      }
    } finally {
      this.#release();
      this.#flush();
      this.#pumping = false;
    }
    // The same for the last task: its reactions run before the worker looks for the next one.
    await Promise.resolve();
    this.#idleWait();
  }

  /**
   * Between tasks (nothing queued, nothing pending): poll the doorbell for the next message for
   * idleSpinUs, then (threads) sleep on it, running what arrives straight away, for up to
   * IDLE_WAIT_BUDGET_MS in all; then go back to the event loop. Polling first saves the wake-up of
   * a sleeping thread (tens of microseconds, more in some VMs) when the next task follows soon, as
   * it does in a loop of awaited submits.
   */
  #idleWait(): void {
    const host = this.#host;
    if (this.#idling || this.#pumping || host.receive === undefined || host.doorbell === undefined) return;
    this.#idling = true;
    try {
      let now = performance.now();
      // One budget for every idle wait until the event loop has run (tasks that keep arriving
      // chain pumps and idle waits through microtasks, which never let it run).
      if (this.#idleUntil === undefined) {
        this.#idleUntil = now + IDLE_WAIT_BUDGET_MS;
        setImmediate(() => {
          this.#idleUntil = undefined;
        });
      }
      const until = this.#idleUntil;
      const spinEnd = Math.min(now + this.#spinMs(), until);
      for (;;) {
        // Read the doorbell before looking for messages: a message sent after the look rings past `seen`.
        const seen = host.doorbell();
        const arrived: ToWorker[] = [];
        for (let message = host.receive(); message !== undefined; message = host.receive()) arrived.push(message);
        if (arrived.length > 0) {
          // The pump this starts comes back here when its tasks (and their reactions) are done.
          this.onMessages(arrived);
          return;
        }
        now = performance.now();
        // However fast the next task follows, the event loop runs once the budget is spent: timers
        // and I/O that tasks left behind wait for it. What arrives meanwhile comes by that loop.
        if (now >= until) return;
        while (now < spinEnd && host.doorbell() === seen) now = performance.now();
        if (host.doorbell() !== seen) continue;
        const left = until - now;
        if (left <= 0 || host.waitForDoorbell === undefined || !host.waitForDoorbell(seen, left)) return;
      }
    } finally {
      this.#idling = false;
    }
  }

  /**
   * How long to poll now. Only a worker that was sent a task or two at a time polls (someone is
   * awaiting them one by one); after a big batch the executor is busy with results and more work,
   * and on a machine with no CPU to spare a polling worker would take the CPU it needs.
   */
  #spinMs(): number {
    return this.#lastBatch <= SPIN_AFTER_BATCHES_OF ? this.#idleSpinMs : 0;
  }

  /** Runs one task (or one chunk of map()); returns a value, or a Promise only for async tasks. */
  #call(fn: TaskFunction, item: QueuedTask): unknown {
    if ((item.flags & FLAG_CHUNK) === 0) {
      const out = fn(...item.args);
      return isThenable(out) ? this.#awaitReleased(out) : out;
    }
    const inputs = item.args[0] as unknown[];
    const spread = (item.flags & FLAG_SPREAD) !== 0;
    const outputs: unknown[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const out = spread ? fn(...(inputs[i] as unknown[])) : fn(inputs[i]);
      if (isThenable(out)) {
        // The rest of the chunk continues asynchronously.
        return this.#awaitReleased(out).then(async (first) => {
          outputs[i] = first;
          for (let j = i + 1; j < inputs.length; j++) {
            const next = spread ? fn(...(inputs[j] as unknown[])) : fn(inputs[j]);
            outputs[j] = isThenable(next) ? await this.#awaitReleased(next) : next;
          }
          return outputs;
        });
      }
      outputs[i] = out;
    }
    return outputs;
  }

  /** Waits for an async task without the lock (a blocking wait releases the GIL), then takes it back. */
  async #awaitReleased(pending: PromiseLike<unknown>): Promise<unknown> {
    this.#checkLock();
    this.#release();
    this.#flushSoon(true);
    try {
      return await pending;
    } finally {
      this.#checkLock();
      this.#acquire();
    }
  }

  #flushSoon(force: boolean): void {
    if (this.#results.length === 0) return;
    const now = performance.now();
    if (
      force ||
      now - this.#lastFlush >= FLUSH_INTERVAL_MS ||
      this.#results.length >= FLUSH_MAX_RESULTS * RESULT_FIELDS
    ) {
      this.#flush();
    }
  }

  #flush(): void {
    const results = this.#results;
    if (results.length === 0) return;
    const transfer = this.#transfer;
    this.#results = [];
    this.#transfer = undefined;
    this.#lastFlush = performance.now();
    try {
      this.#host.post({ type: 'done', results }, transfer);
    } catch {
      // Something in the batch cannot be cloned: send the results one by one, and for each that
      // fails, an error that says so instead.
      for (let i = 0; i < results.length; i += RESULT_FIELDS) {
        const one = results.slice(i, i + RESULT_FIELDS);
        try {
          this.#host.post({ type: 'done', results: one });
        } catch (cloneError) {
          one[1] = STATUS_ERROR;
          one[2] = serializeThrown(
            new TypeError(`the task's result could not be sent back: ${(cloneError as Error).message}`, {
              cause: cloneError,
            }),
          );
          this.#host.post({ type: 'done', results: one });
        }
      }
    }
  }
}
