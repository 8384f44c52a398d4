// The interpreter and its lock, as JavaScript sees them.
//
// `Interpreter.main()` is the process-wide interpreter: its lock is the GIL that every thread of the
// process (the main thread and every worker thread) shares. `new Interpreter()` makes another one with
// its own lock (the PEP 684 model). Any thread finds an interpreter by id with `Interpreter.byId(id)`.
import { native, type InterpreterHandle } from './native.js';
import type { LockEventKind, LockStats, StallReport, ThreadLockStats } from './native-types.js';

export type { LockEventKind, LockStats, StallReport, ThreadLockStats };

export type Policy = 'cpython' | 'legacy' | 'fifo' | 'none';
export const POLICIES: readonly Policy[] = ['cpython', 'legacy', 'fifo', 'none'];

/** What ensure() found, as PyGILState_STATE: 'locked' = the thread already held the lock. */
export type GilState = 'locked' | 'unlocked';

export interface InterpreterOptions {
  /** Lock policy; default 'cpython'. */
  policy?: Policy;
  /** The switch interval in microseconds (CPython's sys.setswitchinterval); default 5000. */
  switchIntervalUs?: number;
  /** Legacy policy only: checkpoints between forced releases; default 100. */
  checkInterval?: number;
  /**
   * new Interpreter() only. true (default): the interpreter has a lock of its own (PEP 684's
   * OWN_GIL, Python 3.12). false: it shares the main interpreter's lock (the legacy default of
   * Py_NewInterpreter): its id is then the main one's, the lock whose policy and intervals it uses
   * (so policy, switchIntervalUs and checkInterval cannot be given with it).
   */
  ownLock?: boolean;
}

export interface WatchdogOptions {
  /** Report any wait longer than this many milliseconds. */
  boundMs: number;
  /** Called on this thread with each report (polled every `pollMs`, default 100). */
  onStall?: (report: StallReport) => void;
  pollMs?: number;
}

export interface LockEvent {
  /** Nanoseconds since a process-wide origin (the same clock as `Interpreter.nowNs()`). */
  tNs: number;
  threadId: number;
  kind: LockEventKind;
  interpreterId: number;
}

const MAX_SWITCH_INTERVAL_US = 10_000_000;

function checkOptions(opts: unknown, where: string): InterpreterOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${where}: options must be an object`);
  const o = opts as Record<string, unknown>;
  if (o.policy !== undefined && !POLICIES.includes(o.policy as Policy)) {
    throw new RangeError(
      `policy must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(o.policy)}`,
    );
  }
  if (o.switchIntervalUs !== undefined) {
    const v = o.switchIntervalUs;
    if (typeof v !== 'number') throw new TypeError(`switchIntervalUs must be a number, got ${typeof v}`);
    if (!(v > 0 && v <= MAX_SWITCH_INTERVAL_US)) {
      throw new RangeError(`switchIntervalUs must be > 0 and <= ${MAX_SWITCH_INTERVAL_US} (10 s), got ${v}`);
    }
  }
  if (o.ownLock !== undefined) {
    if (where !== 'new Interpreter()')
      throw new TypeError(`${where}: ownLock is fixed when the interpreter is created`);
    if (typeof o.ownLock !== 'boolean') throw new TypeError(`ownLock must be a boolean, got ${typeof o.ownLock}`);
    if (!o.ownLock && (o.policy !== undefined || o.switchIntervalUs !== undefined || o.checkInterval !== undefined)) {
      throw new RangeError(
        "ownLock: false shares the main interpreter's lock, so its policy and intervals are the main one's: " +
          'configure Interpreter.main() instead of passing policy, switchIntervalUs or checkInterval',
      );
    }
  }
  if (o.checkInterval !== undefined) {
    const v = o.checkInterval;
    if (typeof v !== 'number') throw new TypeError(`checkInterval must be a number, got ${typeof v}`);
    if (!Number.isInteger(v) || v < 1 || v > 1e9) {
      throw new RangeError(`checkInterval must be an integer between 1 and 1e9, got ${v}`);
    }
  }
  return o as InterpreterOptions;
}

// One Interpreter object per id per thread, so `byId(id) === byId(id)`.
const known = new Map<number, Interpreter>();
// This thread's default interpreter (module state is per thread: each worker loads its own copy).
let threadDefault: Interpreter | undefined;

export class Interpreter {
  readonly id: number;
  readonly #handle: InterpreterHandle;
  #pendingAcquire = false;
  // PyGILState: one entry per ensure() not yet released on this thread (Interpreter objects are per
  // thread), true where that ensure() took the lock.
  readonly #ensured: boolean[] = [];
  #watchdogTimer: ReturnType<typeof setInterval> | undefined;

  /** The process-wide interpreter: its lock is the GIL shared by every thread of the process. */
  static main(): Interpreter {
    return Interpreter.byId(0);
  }

  /** This thread's default interpreter: the one set by setThreadDefault() (an executor's worker sets
   * the interpreter it runs tasks under), else the main one. Kernels use it when given none. */
  static current(): Interpreter {
    return threadDefault ?? Interpreter.main();
  }

  /** Makes `interp` this thread's default interpreter (see current()); undefined resets it to main. */
  static setThreadDefault(interp: Interpreter | undefined): void {
    if (interp !== undefined && !(interp instanceof Interpreter)) {
      throw new TypeError('setThreadDefault(interp): interp must be an Interpreter or undefined');
    }
    // The C extension API's interpreter_current() answers the same on this thread.
    native.setThreadInterpreter(interp?.id);
    threadDefault = interp;
  }

  /** The interpreter with this id, from any thread of the process. */
  static byId(id: number): Interpreter {
    // The id's type and range are checked once, by the addon (native/addon/common.h).
    const exists = native.interpreterExists(id);
    const cached = known.get(id);
    if (cached && exists) return cached;
    known.delete(id);
    if (!exists) throw new RangeError(`id: no interpreter with id ${id}`);
    return new Interpreter(undefined, id);
  }

  /** Ids of every live interpreter in the process (0 is the main one). */
  static ids(): number[] {
    return native.interpreterIds();
  }

  /** Nanoseconds on the clock that lock events use. */
  static nowNs(): number {
    return native.nowNs();
  }

  /** This OS thread's id, as lock stats and events report it. */
  static currentThreadId(): number {
    return native.currentThreadId();
  }

  /** Creates an interpreter with its own lock (PEP 684). */
  constructor(opts?: InterpreterOptions);
  /** @internal */
  constructor(opts: InterpreterOptions | undefined, existingId: number);
  constructor(opts?: InterpreterOptions, existingId?: number) {
    let shared = false;
    if (existingId === undefined) {
      const o = checkOptions(opts, 'new Interpreter()');
      shared = o.ownLock === false;
      existingId = shared ? 0 : native.interpreterCreate(o.policy, o.switchIntervalUs, o.checkInterval);
    }
    this.id = existingId;
    this.ownLock = !shared;
    this.#handle = native.interpreterHandle(existingId);
    // A shared-lock interpreter is not the main one: byId(0) stays the main interpreter.
    if (!shared) known.set(existingId, this);
  }

  /** False for an interpreter made with { ownLock: false }: it runs under the main interpreter's lock. */
  readonly ownLock: boolean;

  get policy(): Policy {
    return native.interpreterConfig(this.id).policy as Policy;
  }
  get switchIntervalUs(): number {
    return native.interpreterConfig(this.id).switchIntervalUs;
  }
  get checkInterval(): number {
    return native.interpreterConfig(this.id).checkInterval;
  }

  /** The switch interval in microseconds (sys.getswitchinterval, in µs rather than seconds). */
  getSwitchInterval(): number {
    return this.switchIntervalUs;
  }

  /** sys.setswitchinterval: allowed at any time, also while the lock is held or waited on; a waiter
   * starts its next wait with the new value. */
  setSwitchInterval(us: number): void {
    this.configure({ switchIntervalUs: us });
  }

  /** Changes the policy or intervals. Intervals alone change at any time (as sys.setswitchinterval);
   * a policy change needs a free lock (no holder, no waiter). */
  configure(opts: InterpreterOptions): void {
    if (opts === undefined) throw new TypeError('configure(): options are required');
    const o = checkOptions(opts, 'configure()');
    native.interpreterConfigure(this.id, o.policy, o.switchIntervalUs, o.checkInterval);
  }

  /** Blocks the calling thread until it holds the lock. For worker threads; on the main thread it
   * blocks the event loop while it waits — use acquireAsync() there. */
  acquire(): void {
    this.#handle.acquire();
  }

  /** Resolves once the calling thread holds the lock; the event loop keeps running meanwhile
   * (a thread of the addon's own waits on its behalf, asking the holder to drop the lock as any waiter
   * would). While it is pending, acquire() on this thread throws: it would deadlock. */
  async acquireAsync(): Promise<void> {
    if (this.#pendingAcquire) {
      throw new Error('acquireAsync() is already waiting on this thread; await it before calling again');
    }
    this.#pendingAcquire = true;
    try {
      await this.#handle.acquireAsync();
    } finally {
      this.#pendingAcquire = false;
    }
  }

  release(): void {
    this.#handle.release();
  }

  /**
   * PyGILState_Ensure: makes sure the calling thread holds the lock, whether or not it did before,
   * and returns what it found — 'locked' (it already held it: nothing was taken) or 'unlocked' (it
   * was taken now). Calls nest; each is undone by one releaseEnsured(), innermost first. Blocks the
   * calling thread while it waits (as acquire()). Plain acquire() stays strict: it throws if held.
   */
  ensure(): GilState {
    if (this.#handle.held()) {
      this.#ensured.push(false);
      return 'locked';
    }
    this.#handle.acquire();
    this.#ensured.push(true);
    return 'unlocked';
  }

  /**
   * PyGILState_Release: undoes the innermost ensure(). The lock is let go only if that ensure() took
   * it; otherwise it stays held. `state`, if given, must be what that ensure() returned.
   */
  releaseEnsured(state?: GilState): void {
    if (state !== undefined && state !== 'locked' && state !== 'unlocked') {
      throw new RangeError(`releaseEnsured(): state must be 'locked' or 'unlocked', got ${JSON.stringify(state)}`);
    }
    const took = this.#ensured.at(-1);
    if (took === undefined) throw new Error('releaseEnsured() without a matching ensure() on this thread');
    if (state !== undefined && state !== (took ? 'unlocked' : 'locked')) {
      throw new Error(
        `releaseEnsured('${state}') does not match the innermost ensure(), which returned '${took ? 'unlocked' : 'locked'}': release them innermost first`,
      );
    }
    if (!this.#handle.held()) {
      throw new Error(
        'releaseEnsured(): the calling thread no longer holds the interpreter lock (was it release()d between ensure() and releaseEnsured()?)',
      );
    }
    this.#ensured.pop();
    if (took) this.#handle.release();
  }

  /** How many ensure() calls on this thread are not yet released (PyGILState's counter). */
  get ensureDepth(): number {
    return this.#ensured.length;
  }

  /** The eval-breaker check: if another thread asked for the lock, let it go and take it back.
   * Returns true if this thread yielded. Interpreted code calls it on every loop back-edge. */
  checkpoint(): boolean {
    return this.#handle.checkpoint();
  }

  /** Releases the lock around fn (Py_BEGIN/END_ALLOW_THREADS) and re-acquires after it, also when it throws. */
  allowThreads<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError('allowThreads(fn): fn must be a function');
    this.#handle.release();
    try {
      return fn();
    } finally {
      this.#handle.acquire();
    }
  }

  isHeldByCurrentThread(): boolean {
    return this.#handle.held();
  }

  stats(): LockStats {
    return native.lockStats(this.id);
  }

  resetStats(): void {
    native.lockResetStats(this.id);
  }

  /** Starts recording lock events into a bounded buffer (default 100,000 events); overflow is counted. */
  startTrace(opts?: { capacity?: number }): void {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
      throw new TypeError('startTrace(opts): opts must be an object');
    }
    const capacity = opts?.capacity ?? 100_000;
    if (typeof capacity !== 'number') throw new TypeError('capacity must be a number');
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1e8) {
      throw new RangeError(`capacity must be an integer between 1 and 100,000,000, got ${capacity}`);
    }
    native.traceStart(this.id, capacity);
  }

  /** Stops recording and returns the events, oldest first. `droppedEvents` says how many did not fit. */
  stopTrace(): LockEvent[] & { droppedEvents: number } {
    const { events, dropped } = native.traceStop(this.id);
    const out = events.map((e) => ({ ...e, interpreterId: this.id })) as LockEvent[] & { droppedEvents: number };
    out.droppedEvents = dropped;
    return out;
  }

  /** Starts the lock watchdog: a native background thread notices every wait longer than `boundMs`
   * (once per wait) and records it with the holder's id. Reports are collected by `stallReports()`
   * or delivered to `onStall` on this thread. */
  startWatchdog(opts: WatchdogOptions): void {
    if (opts === null || typeof opts !== 'object') throw new TypeError('startWatchdog(opts): opts must be an object');
    const { boundMs, onStall, pollMs = 100 } = opts;
    if (typeof boundMs !== 'number') throw new TypeError('boundMs must be a number');
    if (!(boundMs > 0 && boundMs <= 3_600_000))
      throw new RangeError(`boundMs must be > 0 and <= 3,600,000, got ${boundMs}`);
    if (onStall !== undefined && typeof onStall !== 'function') throw new TypeError('onStall must be a function');
    if (typeof pollMs !== 'number' || !(pollMs >= 1 && pollMs <= 60_000)) {
      throw new RangeError(`pollMs must be a number between 1 and 60,000, got ${String(pollMs)}`);
    }
    this.stopWatchdog();
    native.watchdogSet(this.id, Math.max(1, Math.round(boundMs * 1000)));
    if (onStall) {
      this.#watchdogTimer = setInterval(() => {
        for (const r of this.stallReports()) onStall(r);
      }, pollMs);
      this.#watchdogTimer.unref();
    }
  }

  stopWatchdog(): void {
    if (this.#watchdogTimer) clearInterval(this.#watchdogTimer);
    this.#watchdogTimer = undefined;
    native.watchdogSet(this.id, 0);
  }

  /** The stalls noticed since the last call. */
  stallReports(): StallReport[] {
    return native.watchdogReports(this.id);
  }

  /** Removes the interpreter from the process; its lock must be free. The main one cannot be destroyed. */
  /** Destroys the interpreter and its lock. One that shares the main lock leaves that lock alone. */
  destroy(): void {
    if (!this.ownLock) return;
    native.interpreterDestroy(this.id);
    if (this.#watchdogTimer) clearInterval(this.#watchdogTimer);
    known.delete(this.id);
  }
}
