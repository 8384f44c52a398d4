// One worker as the pool sees it (PoolWorker), one submitted task (WorkItem), and the interface a
// subclass gives the pool to talk to a worker it started (SpawnedWorker, WorkerChannel).

import type { TransferListItem } from 'node:worker_threads';
import type { ControlCells } from './control.js';
import { rebuildThrown } from './errors.js';
import { Future, futureInternals, type AbortOutcome, type FutureOwner } from './future.js';
import { slotAbortCell, slotStateCell } from './control.js';
import {
  SLOT_CANCELLED,
  SLOT_FREE,
  SLOT_PENDING,
  SLOT_RUNNING,
  RESULT_FIELDS,
  STATUS_OK,
  STATUS_SKIPPED,
  STATUS_VOID,
  type FromWorker,
  type InitMessage,
  type LockSpec,
  type RunMessage,
  type ToWorker,
} from './protocol.js';
import type { PoolCounters, WorkerStats } from './stats.js';
import type { NormalizedTask } from './task.js';

/** How a subclass talks to one worker. */
export interface WorkerChannel {
  readonly threadId: number | null;
  readonly pid: number | null;
  /** Throws if the message cannot be serialized (nothing is sent then). */
  send(message: ToWorker, transfer?: TransferListItem[]): void;
  /** Ends the worker now, busy or not (terminate / SIGKILL). */
  kill(): void;
  /** Asks it to end now (SIGTERM: a child may catch it); a thread: as kill(). */
  terminate(): void;
  /** Whether kill() always ends it promptly (SIGKILL does; terminate() waits for native code to return). */
  readonly killIsReliable: boolean;
  /** Ends an idle worker. */
  close(): void;
  ref(): void;
  unref(): void;
}

export interface WorkerEvents {
  message(message: FromWorker): void;
  error(error: unknown): void;
  exit(exitCode: number | null, signal: NodeJS.Signals | null): void;
}

export interface SpawnedWorker {
  channel: WorkerChannel;
  control: ControlCells;
  controlInit: InitMessage['control'];
  lock: LockSpec;
  /** Process workers: the channel's encoding, told to the worker (it checks 'json' results before sending). */
  serialization?: 'advanced' | 'json';
  /** Called once the worker said it is ready (the process pool unlinks its segment's name then). */
  onReady?(): void;
  /** Called once after the worker exited. */
  cleanup?(): void;
}

export interface BrokenDetails {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  threadId: number | null;
  pid: number | null;
  cause?: unknown;
}

const internals = futureInternals();
const NO_ARGS: unknown[] = [];

export class WorkItem implements FutureOwner {
  readonly future: Future<unknown>;
  worker: PoolWorker | undefined;
  slot = -1;
  /** Cancelled while still in the executor's queue: skipped when dispatched. */
  dropped = false;

  constructor(
    readonly hooks: PoolHooks,
    readonly id: number,
    readonly task: NormalizedTask,
    readonly taskId: number,
    /** Kept until the task is done (a task whose worker is replaced before it starts is sent again), then dropped. */
    public args: unknown[],
    public transfer: TransferListItem[] | undefined,
    readonly flags: number,
    readonly submittedAt: number,
  ) {
    this.future = new Future(this);
  }
  tryCancel(): boolean {
    return this.hooks.tryCancel(this);
  }
  isRunning(): boolean {
    return this.hooks.isRunning(this);
  }
  abort(_future: Future<unknown>, graceMs: number | undefined): Promise<AbortOutcome> {
    return this.hooks.abort(this, graceMs);
  }
}

export interface PoolHooks {
  tryCancel(item: WorkItem): boolean;
  isRunning(item: WorkItem): boolean;
  abort(item: WorkItem, graceMs: number | undefined): Promise<AbortOutcome>;
}

export class PoolWorker {
  state: 'starting' | 'ready' | 'closing' | 'dead' = 'starting';
  readonly inflight = new Map<number, WorkItem>();
  readonly freeSlots: number[];
  readonly knownTasks = new Set<number>();
  tasksAssigned = 0;
  tasksCompleted = 0;
  busyMs = 0;
  readonly startedAt = performance.now();
  /** Will take no more tasks (maxTasksPerChild reached); closes once its tasks are done. */
  retiring = false;
  /** Its exit is our doing (close, kill), not a crash. */
  exitExpected = false;
  killed = false;
  referenced = true;
  idleTimer: NodeJS.Timeout | undefined;
  lastError: unknown;
  readonly exited: Promise<void>;
  markExited!: () => void;
  readonly readyWaiters: Array<(error?: unknown) => void> = [];

  constructor(
    readonly workerId: number,
    readonly spawned: SpawnedWorker,
    depth: number,
  ) {
    this.freeSlots = Array.from({ length: depth }, (_, i) => depth - 1 - i);
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }
  get channel(): WorkerChannel {
    return this.spawned.channel;
  }
  get control(): ControlCells {
    return this.spawned.control;
  }

  /** Tasks it can be sent now. */
  capacity(maxTasksPerChild: number | undefined): number {
    if (this.state === 'closing' || this.state === 'dead' || this.retiring) return 0;
    const room = this.freeSlots.length;
    return maxTasksPerChild === undefined ? room : Math.min(room, maxTasksPerChild - this.tasksAssigned);
  }

  /**
   * Gives each item a slot (pending, abort flag down) and builds the message that sends them;
   * `defs` are the task ids this worker is told about for the first time.
   */
  assign(batch: readonly WorkItem[]): { message: RunMessage; transfer: TransferListItem[] | undefined } {
    const items: unknown[] = [];
    let defs: RunMessage['defs'];
    let transfer: TransferListItem[] | undefined;
    for (const item of batch) {
      const slot = this.freeSlots.pop()!;
      item.slot = slot;
      item.worker = this;
      this.control.store(slotAbortCell(slot), 0);
      this.control.store(slotStateCell(slot), SLOT_PENDING);
      this.inflight.set(item.id, item);
      this.tasksAssigned++;
      if (!this.knownTasks.has(item.taskId)) {
        this.knownTasks.add(item.taskId);
        (defs ??= []).push([item.taskId, item.task.descriptor]);
      }
      items.push(item.id, item.slot, item.taskId, item.flags, item.args);
      if (item.transfer !== undefined) (transfer ??= []).push(...item.transfer);
    }
    // No `defs: undefined` key: a process channel sends a message as JSON only if JSON carries it exactly.
    return { message: defs === undefined ? { type: 'run', items } : { type: 'run', defs, items }, transfer };
  }

  /** Takes back an assign() whose message could not be sent. */
  unassign(batch: readonly WorkItem[], message: RunMessage): void {
    for (const item of batch) {
      this.release(item);
      this.tasksAssigned--;
    }
    if (message.defs !== undefined) for (const [taskId] of message.defs) this.knownTasks.delete(taskId);
  }

  /** A batch of results from the worker: settles each task's future and counts it. */
  complete(results: unknown[], counts: PoolCounters): void {
    for (let i = 0; i < results.length; i += RESULT_FIELDS) {
      const item = this.inflight.get(results[i] as number);
      if (item === undefined) continue; // aborted by force and already failed
      this.release(item);
      item.args = NO_ARGS;
      item.transfer = undefined;
      const status = results[i + 1] as number;
      if (status === STATUS_SKIPPED) continue; // cancelled before it started; counted at cancel()
      const runMs = results[i + 4] as number;
      const ok = status === STATUS_OK || status === STATUS_VOID;
      counts.taskCompleted((results[i + 3] as number) - item.submittedAt, runMs, ok);
      this.busyMs += runMs;
      this.tasksCompleted++;
      if (ok) internals.resolve(item.future, status === STATUS_VOID ? undefined : results[i + 2]);
      else internals.reject(item.future, rebuildThrown(results[i + 2] as never));
    }
  }

  /** The item is done here (or never ran): its slot is free again. */
  release(item: WorkItem): void {
    this.control.store(slotStateCell(item.slot), SLOT_FREE);
    this.freeSlots.push(item.slot);
    this.detach(item);
  }

  /** Forgets the item without touching its slot (the worker is gone or going). */
  detach(item: WorkItem): void {
    this.inflight.delete(item.id);
    item.worker = undefined;
    item.slot = -1;
  }

  /** Takes a sent task back if it has not started (the worker will skip it); false if it has. */
  claimBack(item: WorkItem): boolean {
    return this.control.compareExchange(slotStateCell(item.slot), SLOT_PENDING, SLOT_CANCELLED) === SLOT_PENDING;
  }

  isRunning(item: WorkItem): boolean {
    return this.control.load(slotStateCell(item.slot)) === SLOT_RUNNING;
  }

  /** Future.abort(), cooperatively: the abort flag kernels poll each slice, and the task's AbortSignal. */
  requestAbort(item: WorkItem): void {
    this.control.store(slotAbortCell(item.slot), 1);
    try {
      this.channel.send({ type: 'abort', id: item.id });
    } catch {
      // the worker is going away anyway
    }
  }

  /** Keeps the event loop alive for it (it has work, or the pool waits for its exit). */
  setBusy(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (!this.referenced) {
      this.referenced = true;
      this.channel.ref();
    }
  }

  /** An idle worker must not keep the process alive. */
  setIdle(): void {
    if (this.referenced) {
      this.referenced = false;
      this.channel.unref();
    }
  }

  /** Ends it once idle (close the channel); the event loop stays alive until its exit: shutdown() waits for it. */
  close(): void {
    if (this.state === 'closing' || this.state === 'dead') return;
    this.state = 'closing';
    this.exitExpected = true;
    this.setBusy();
    this.channel.close();
  }

  /** Ends it now, busy or not (how: 'terminate' sends SIGTERM to a child, which it may catch). */
  kill(how: 'kill' | 'terminate' = 'kill'): void {
    if (this.state === 'dead') return;
    this.state = 'closing';
    this.exitExpected = true;
    this.killed = true;
    if (how === 'kill') this.channel.kill();
    else this.channel.terminate();
    if (this.channel.killIsReliable) {
      // shutdown() waits for its exit event: an idle (unreferenced) worker must keep the event loop
      // alive until then, or a top-level `await pool.shutdown()` of a broken pool never settles.
      this.setBusy();
    } else {
      // A thread inside native code may never exit: nobody waits for it, and it must not keep the process alive.
      this.setIdle();
    }
  }

  /** Resolves once it is ready (or at once if it is past starting); rejects if it failed to start. */
  whenReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.state !== 'starting') return resolve();
      this.readyWaiters.push((error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  settleReady(error?: unknown): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter(error);
  }

  stats(now: number): WorkerStats {
    const aliveMs = now - this.startedAt;
    const state: WorkerStats['state'] =
      this.state === 'starting'
        ? 'starting'
        : this.state !== 'ready' || this.retiring
          ? 'retiring'
          : this.inflight.size > 0
            ? 'busy'
            : 'idle';
    return {
      workerId: this.workerId,
      threadId: this.channel.threadId,
      pid: this.channel.pid,
      state,
      tasksCompleted: this.tasksCompleted,
      tasksInFlight: this.inflight.size,
      busyMs: this.busyMs,
      aliveMs,
      utilization: aliveMs > 0 ? Math.min(1, this.busyMs / aliveMs) : 0,
    };
  }
}
