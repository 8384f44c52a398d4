// The kernels as the package exports them: `kernels` (native, C++) and `reference` (the
// TypeScript twins), plus RefHeap and AbortFlag.
//
//   kernels.countPrimes(lo, hi, { mode: 'hold' | 'release', interpreter, signal })
//
// mode 'hold' (the default): the kernel runs holding the interpreter's lock and checkpoints between
//   slices of at most ~50 µs, as interpreted code does, so other threads get the lock at the switch
//   interval.
// mode 'release': the kernel lets go of the lock for the computation and takes it back at the end
//   (Py_BEGIN/END_ALLOW_THREADS) — also on error and abort. Blocking I/O kernels let go around each
//   blocking call instead (as CPython's socket and file calls do), so they take the lock back after
//   every operation.
// Both modes require the calling thread to hold the interpreter's lock (a C extension needs the
// GIL), except under policy 'none'; otherwise an Error says to acquire it.
//
// kernels.XAsync(...): the same on one of the addon's own threads (never libuv's pool, which Node's own
// I/O needs); the Promise resolves on the calling thread.
// The caller need not hold the lock: in hold mode the kernel's thread acquires it itself (waiting its
// turn like any thread), checkpoints between slices and releases it at the end; in release mode it
// runs without the lock. (So do not await a hold-mode async kernel while holding the same lock and
// never checkpointing: the kernel's thread would wait for a lock that is never let go.)
// Arrays over a plain ArrayBuffer could be detached (transferred) while the kernel's thread works, so
// async variants work on a private copy of them and copy outputs back if the array is still attached
// (else they reject); arrays over a SharedArrayBuffer are used in place, with no copy. An async
// call's abort flag must be over a SharedArrayBuffer.
//
// signal: an AbortSignal, an AbortFlag or an Int32Array (element 0 nonzero: stop). The kernel stops
// within one slice and the call throws (or rejects with) an Error named 'AbortError' (code
// 'ABORT_ERR'); the caller's lock state is then what it was before the call. A sync call cannot see
// an AbortSignal fire while it runs (the event loop is blocked), so an AbortSignal only stops sync
// calls that start aborted; use an AbortFlag to stop a sync kernel from another thread.
//
// This is the one description of the kernel modes; native/addon/kernel_job.h points here.
import { Interpreter } from '../interpreter.js';
import { native } from '../native.js';
import { AbortFlag, abortCheck, checkAbortInput, isAbortError, isAbortSignal, KernelAbortError } from './abort.js';
import type { AbortInput } from './abort.js';
import type { FileReadResult, NativeRefHeap, RefStormResult, RefStrategy, RoundTripResult } from './native-types.js';
import * as twin from './reference.js';
import type { Checkpointer } from './reference.js';
import { descriptorOf, KERNEL_NAMES, TWIN_NAMES } from './table.js';
import type { KernelArgs, KernelName, KernelResult, TwinName } from './table.js';
import { checkInteger, checkObject, type FileReadOptions, type MandelbrotParams } from './validate.js';

export { AbortFlag, isAbortError, KernelAbortError };
export type { AbortInput, Checkpointer, FileReadOptions, FileReadResult, MandelbrotParams, RoundTripResult };
export type { RefStormResult, RefStrategy };
export { KERNELS, KERNEL_NAMES, TWIN_NAMES, kernelArity } from './table.js';
export type { KernelArgs, KernelName, KernelResult, TwinName } from './table.js';

export type KernelMode = 'hold' | 'release';
export const KERNEL_MODES: readonly KernelMode[] = ['hold', 'release'];

export interface KernelOptions {
  /** 'hold' (default): checkpoint between slices; 'release': let go of the lock while computing. */
  mode?: KernelMode;
  /** Whose lock; default Interpreter.current() (the main interpreter, or an executor worker's own). */
  interpreter?: Interpreter;
  /** Stops the kernel within one slice (AbortError). */
  signal?: AbortInput;
}

interface CheckedOptions {
  interpreterId: number;
  mode: number;
  signal: AbortInput | undefined;
}

function checkKernelOptions(options: unknown): CheckedOptions {
  const o = options === undefined ? {} : checkObject('options', options);
  let mode = 0;
  if (o.mode !== undefined) {
    const index = KERNEL_MODES.indexOf(o.mode as KernelMode);
    if (index < 0) {
      if (typeof o.mode !== 'string') throw new TypeError("mode must be 'hold' or 'release'");
      throw new RangeError(`mode must be 'hold' or 'release', got ${JSON.stringify(o.mode)}`);
    }
    mode = index;
  }
  let interpreter: Interpreter;
  if (o.interpreter === undefined) {
    interpreter = Interpreter.current();
  } else if (o.interpreter instanceof Interpreter) {
    interpreter = o.interpreter;
  } else {
    throw new TypeError('interpreter must be an Interpreter');
  }
  return { interpreterId: interpreter.id, mode, signal: checkAbortInput(o.signal) };
}

function abortedBeforeStart(name: string, signal: AbortInput | undefined): KernelAbortError | undefined {
  if (signal === undefined) return undefined;
  if (!abortCheck(signal)!()) return undefined;
  return new KernelAbortError(`${name} was aborted`, isAbortSignal(signal) ? { cause: signal.reason } : undefined);
}

function withCause(error: unknown, signal: AbortInput | undefined): unknown {
  if (isAbortError(error) && isAbortSignal(signal) && error instanceof Error && error.cause === undefined) {
    error.cause = signal.reason;
  }
  return error;
}

type Invoke<R> = (interpreterId: number, mode: number, flag: Int32Array | undefined) => R;

function flagOf(signal: AbortInput | undefined): Int32Array | undefined {
  if (signal instanceof AbortFlag) return signal.array;
  if (signal instanceof Int32Array) return signal;
  return undefined; // an AbortSignal cannot fire during a sync call
}

export function callSync<R>(name: string, options: unknown, invoke: Invoke<R>): R {
  const o = checkKernelOptions(options);
  const early = abortedBeforeStart(name, o.signal);
  if (early) throw early;
  try {
    return invoke(o.interpreterId, o.mode, flagOf(o.signal));
  } catch (error) {
    throw withCause(error, o.signal);
  }
}

async function callAsync<R>(name: string, options: unknown, invoke: Invoke<Promise<R>>): Promise<R> {
  const o = checkKernelOptions(options);
  const early = abortedBeforeStart(name, o.signal);
  if (early) throw early;
  // An AbortSignal fires on this thread; the kernel runs on another: wire it to a shared flag.
  const fromSignal = isAbortSignal(o.signal) ? AbortFlag.fromSignal(o.signal) : undefined;
  try {
    return await invoke(o.interpreterId, o.mode, fromSignal ? fromSignal.array : flagOf(o.signal));
  } catch (error) {
    throw withCause(error, o.signal);
  } finally {
    fromSignal?.dispose();
  }
}

const k = native.kernels;

// --- RefHeap -------------------------------------------------------------------------------------

export interface StormOptions {
  strategy: RefStrategy;
  /** Threads hammering the heap at once; default 4. */
  threads?: number;
  /** incref/decref pairs per thread; default 100,000. */
  pairsPerThread?: number;
  /** Object choice is a deterministic function of the seed; default 1. */
  seed?: number;
  /**
   * The share (0..1) of each thread's updates that go to objects it owns (index % threads is its
   * number), the rest to any object; default: every object alike. 0.9 is the workload PEP 703's
   * biased counting is built for.
   */
  ownerShare?: number;
  /** The lock the 'locked' strategy takes (and that a sync storm lets go of meanwhile); default main. */
  interpreter?: Interpreter;
  signal?: AbortInput;
}

const STRATEGIES: readonly RefStrategy[] = ['locked', 'racy', 'atomic', 'biased'];

function checkShare(v: unknown): number {
  if (typeof v !== 'number') throw new TypeError('ownerShare must be a number between 0 and 1');
  if (!(v >= 0 && v <= 1)) throw new RangeError(`ownerShare must be between 0 and 1, got ${String(v)}`);
  return v;
}

/**
 * A heap of reference-counted objects for incref/decref storms from several native threads:
 * 'locked' (plain increments under the interpreter lock), 'racy' (the same with no lock: relaxed
 * atomic load + store, so updates are really lost but nothing is undefined), 'atomic' (fetch_add),
 * 'biased' (PEP 703). A sync storm blocks the calling thread and lets go of the interpreter's lock
 * while it waits, as thread.join() does.
 */
export class RefHeap {
  readonly #heap: NativeRefHeap;

  constructor(objects: number) {
    checkInteger('objects', objects, 1, 1 << 24);
    this.#heap = new k.RefHeap(objects);
  }

  get size(): number {
    return this.#heap.size;
  }

  static #args(options: unknown) {
    const o = checkObject('options', options);
    if (typeof o.strategy !== 'string') throw new TypeError("strategy must be 'locked', 'racy', 'atomic' or 'biased'");
    if (!STRATEGIES.includes(o.strategy as RefStrategy)) {
      throw new RangeError(
        `strategy must be 'locked', 'racy', 'atomic' or 'biased', got ${JSON.stringify(o.strategy)}`,
      );
    }
    const threads = o.threads === undefined ? 4 : checkInteger('threads', o.threads, 1, 256);
    const pairs =
      o.pairsPerThread === undefined ? 100_000 : checkInteger('pairsPerThread', o.pairsPerThread, 0, 2 ** 40);
    const seed = o.seed === undefined ? 1 : checkInteger('seed', o.seed, 0, 2 ** 53);
    if (o.interpreter !== undefined && !(o.interpreter instanceof Interpreter)) {
      throw new TypeError('interpreter must be an Interpreter');
    }
    const interpreter = (o.interpreter as Interpreter | undefined) ?? Interpreter.current();
    const signal = checkAbortInput(o.signal);
    const ownerShare = o.ownerShare === undefined ? undefined : checkShare(o.ownerShare);
    return { strategy: o.strategy, threads, pairs, seed, id: interpreter.id, signal, ownerShare };
  }

  /** Runs a storm on new native threads and reports (throws an AbortError if aborted). */
  storm(options: StormOptions): RefStormResult {
    const a = RefHeap.#args(options);
    const early = abortedBeforeStart('RefHeap.storm', a.signal);
    if (early) throw early;
    const r = this.#heap.storm(a.strategy, a.threads, a.pairs, a.seed, a.id, flagOf(a.signal), a.ownerShare);
    if (!r.completed) throw new KernelAbortError('RefHeap.storm was aborted');
    return r;
  }

  /** The same, waited for on one of the addon's own threads. */
  async stormAsync(options: StormOptions): Promise<RefStormResult> {
    const a = RefHeap.#args(options);
    const early = abortedBeforeStart('RefHeap.stormAsync', a.signal);
    if (early) throw early;
    const fromSignal = isAbortSignal(a.signal) ? AbortFlag.fromSignal(a.signal) : undefined;
    try {
      const flag = fromSignal ? fromSignal.array : flagOf(a.signal);
      const r = await this.#heap.stormAsync(a.strategy, a.threads, a.pairs, a.seed, a.id, flag, a.ownerShare);
      if (!r.completed) {
        throw new KernelAbortError('RefHeap.stormAsync was aborted', {
          cause: isAbortSignal(a.signal) ? a.signal.reason : undefined,
        });
      }
      return r;
    } finally {
      fromSignal?.dispose();
    }
  }

  /** Object i's reference count after the last storm (1 if nothing was lost). */
  count(index: number): number {
    return this.#heap.count(index);
  }

  /** How many times object i was "freed" in the last storm. */
  generation(index: number): number {
    return this.#heap.generation(index);
  }
}

// --- the native kernels --------------------------------------------------------------------------

/** A kernel's sync variant: its positional arguments, then the options. */
type SyncKernel<K extends KernelName> = (...args: [...KernelArgs<K>, options?: KernelOptions]) => KernelResult<K>;
/** Its async variant (on one of the addon's own threads). */
type AsyncKernel<K extends KernelName> = (
  ...args: [...KernelArgs<K>, options?: KernelOptions]
) => Promise<KernelResult<K>>;

/** The `kernels` object: each kernel of the table (table.ts) as `name` and `nameAsync`, and the extras. */
export type Kernels = { [K in KernelName]: SyncKernel<K> } & { [K in KernelName as `${K}Async`]: AsyncKernel<K> } & {
  /** xorshift32 steps per nanosecond on this machine (measured once per process). */
  spinIterationsPerNs(): number;
  RefHeap: typeof RefHeap;
  AbortFlag: typeof AbortFlag;
};

type NativeCall = (...args: unknown[]) => unknown;

// A generated wrapper keeps its kernel's name (for stacks and messages).
function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  return Object.defineProperty(fn, 'name', { value: name });
}

// The positional arguments (exactly `arity` of them, missing ones undefined) and the options.
function split(arity: number, args: unknown[]): [unknown[], unknown] {
  const positional = args.slice(0, arity);
  while (positional.length < arity) positional.push(undefined);
  return [positional, args[arity]];
}

function makeKernels(): Kernels {
  const out: Record<string, unknown> = {};
  const table = k as unknown as Record<string, NativeCall>;
  for (const name of KERNEL_NAMES) {
    const d = descriptorOf(name);
    const toNative = d.toNative ?? ((...args: unknown[]) => args);
    const sync = table[name]!;
    const async = table[`${name}Async`]!;
    out[name] = named(name, (...args: unknown[]) => {
      const [positional, options] = split(d.arity, args);
      return callSync(name, options, (id, m, f) => sync(id, m, f, ...toNative(...positional)));
    });
    out[`${name}Async`] = named(`${name}Async`, (...args: unknown[]) => {
      const [positional, options] = split(d.arity, args);
      return callAsync(
        name,
        options,
        async (id, m, f) => async(id, m, f, ...toNative(...positional)) as Promise<unknown>,
      );
    });
  }
  out.spinIterationsPerNs = () => k.spinIterationsPerNs();
  out.RefHeap = RefHeap;
  out.AbortFlag = AbortFlag;
  return out as Kernels;
}

export const kernels: Kernels = makeKernels();

// --- the TypeScript twins ------------------------------------------------------------------------

export interface ReferenceOptions {
  /** Whose checkpoint() to call between slices; default Interpreter.current() (whose lock must be held). */
  interpreter?: Checkpointer;
  signal?: AbortInput;
}

function twinArgs(name: string, options: unknown): [Checkpointer, (() => boolean) | undefined] {
  const o = options === undefined ? {} : checkObject('options', options);
  let interpreter: Checkpointer;
  if (o.interpreter === undefined) {
    interpreter = Interpreter.current();
  } else if (typeof (o.interpreter as Checkpointer | null)?.checkpoint === 'function') {
    interpreter = o.interpreter as Checkpointer;
  } else {
    throw new TypeError('interpreter must be an Interpreter (or have a checkpoint() method)');
  }
  // Interpreted code runs under the lock, as the native kernels do: the same check, up front (a
  // short run might never reach a checkpoint). Under policy 'none' there is nothing to hold.
  if (interpreter instanceof Interpreter && !interpreter.isHeldByCurrentThread()) {
    if (interpreter.policy !== 'none') {
      throw new Error(
        `${name}: the calling thread does not hold interpreter ${interpreter.id}'s lock; acquire it first ` +
          '(interpreter.acquire() or await interpreter.acquireAsync())',
      );
    }
    interpreter = twin.NO_INTERPRETER;
  }
  const signal = checkAbortInput(o.signal);
  const early = abortedBeforeStart(name, signal);
  if (early) throw early;
  const check = abortCheck(signal);
  return [interpreter, check];
}

function runTwin<R>(name: string, options: unknown, run: (i: Checkpointer, a: (() => boolean) | undefined) => R): R {
  const [interpreter, aborted] = twinArgs(name, options);
  try {
    return run(interpreter, aborted);
  } catch (error) {
    const signal = (options as ReferenceOptions | undefined)?.signal;
    throw withCause(error, signal);
  }
}

/** The `reference` object: each kernel of the table that has a twin, and the extras. */
export type References = {
  [K in TwinName]: (...args: [...KernelArgs<K>, options?: ReferenceOptions]) => KernelResult<K>;
} & {
  /** xorshift32 steps per nanosecond in this JavaScript engine (measured once per thread). */
  spinIterationsPerNs(): number;
  Sha256: typeof twin.Sha256;
  SLICE_BUDGETS: typeof twin.SLICE_BUDGETS;
};

function makeReferences(): References {
  const out: Record<string, unknown> = {};
  for (const name of TWIN_NAMES) {
    const d = descriptorOf(name);
    const run = d.twin!;
    out[name] = named(name, (...args: unknown[]) => {
      const [positional, options] = split(d.arity, args);
      return runTwin(name, options, (i, a) => run(positional, i, a));
    });
  }
  out.spinIterationsPerNs = twin.spinIterationsPerNs;
  out.Sha256 = twin.Sha256;
  out.SLICE_BUDGETS = twin.SLICE_BUDGETS;
  return out as References;
}

/**
 * The "interpreted" versions: the same algorithms in TypeScript, on the calling thread, calling
 * `interpreter.checkpoint()` between slices like interpreted code. Same results as `kernels`.
 */
export const reference: References = makeReferences();
