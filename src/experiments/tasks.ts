// The code the experiments run inside executor workers (threads and processes). Workers load this
// module by path, as any user's task module: functions are never sent across.
//
// CPU work is cut into many small units of about equal cost, and worker w of n takes units
// w, w + n, w + 2n, ... — so however the cost of a unit drifts along the range (later primes cost
// more), every worker gets the same mix and the work is split evenly.
import { Interpreter } from '../interpreter.js';
import { kernels, reference, type KernelMode } from '../kernels/index.js';
import { IoChannel } from '../kernels/io-channel.js';
import { currentTask } from '../executors/index.js';
import { SharedMemory } from '../shared-memory.js';
import type { CpuKernelName } from './types.js';

/** How a unit of CPU work runs: a native kernel holding or releasing the lock, or its TypeScript twin. */
export type CpuStyle = 'hold' | 'release' | 'js';

export interface CpuWorkSpec {
  kernel: CpuKernelName;
  /** Units in the whole job. */
  units: number;
  /** The kernel's size per unit (see unitWork). */
  unitSize: number;
}

/** The interpreter this code runs under: the worker's, or the main one outside a worker. */
function interpreterHere(): Interpreter {
  return Interpreter.current();
}

const COUNT_PRIMES_START = 10_000_000;
const MANDELBROT_WIDTH = 256;

// Per-thread caches of unit inputs, so that timed runs measure the kernel, not input set-up.
const matrices = new Map<number, [Float64Array, Float64Array]>();
function matricesOf(n: number): [Float64Array, Float64Array] {
  let pair = matrices.get(n);
  if (!pair) {
    const a = new Float64Array(n * n);
    const b = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) {
      a[i] = ((i * 7919) % 1000) / 1000;
      b[i] = ((i * 104729) % 1000) / 1000;
    }
    pair = [a, b];
    matrices.set(n, pair);
  }
  return pair;
}

/** Runs unit `u` of a job; returns a number that depends on the result (a checksum). */
export function unitWork(spec: CpuWorkSpec, u: number, style: CpuStyle, interpreter: Interpreter): number {
  const options = { mode: (style === 'js' ? 'hold' : style) as KernelMode, interpreter };
  const twin = { interpreter };
  switch (spec.kernel) {
    case 'countPrimes': {
      // unitSize numbers per unit, from 10^7 on: about a millisecond of trial division each.
      const lo = COUNT_PRIMES_START + u * spec.unitSize;
      const hi = lo + spec.unitSize;
      return style === 'js' ? reference.countPrimes(lo, hi, twin) : kernels.countPrimes(lo, hi, options);
    }
    case 'mandelbrot': {
      // Unit u is a band of unitSize rows of one image of units * unitSize rows.
      const rows = spec.units * spec.unitSize;
      const dy = 2.5 / rows;
      const params = {
        width: MANDELBROT_WIDTH,
        height: spec.unitSize,
        maxIter: 500,
        x0: -2,
        x1: 0.75,
        y0: -1.25 + u * spec.unitSize * dy,
        y1: -1.25 + (u + 1) * spec.unitSize * dy,
      };
      return style === 'js' ? reference.mandelbrot(params, twin) : kernels.mandelbrot(params, options);
    }
    case 'sha256Chain': {
      // A chain of unitSize rounds, seeded by the unit's number.
      const data = new Uint8Array(64).fill(u & 0xff);
      const digest =
        style === 'js'
          ? reference.sha256Chain(data, spec.unitSize, twin)
          : kernels.sha256Chain(data, spec.unitSize, options);
      return digest[0]!;
    }
    case 'matmul': {
      const [a, b] = matricesOf(spec.unitSize);
      const c =
        style === 'js' ? reference.matmul(a, b, spec.unitSize, twin) : kernels.matmul(a, b, spec.unitSize, options);
      return c[u % c.length]!;
    }
  }
}

export interface CpuShareResult {
  checksum: number;
  threadId: number;
  /** With threadId, names the worker that ran the share (thread ids repeat across processes). */
  pid: number;
  seconds: number;
  /** This process's lock: held/wait ns and switches during the share (for process workers). */
  heldNs: number;
  waitNs: number;
  switches: number;
}

/** Worker `worker` of `workers` runs its share of the job. */
export function cpuShare(spec: CpuWorkSpec, worker: number, workers: number, style: CpuStyle): CpuShareResult {
  const interpreter = interpreterHere();
  const before = interpreter.stats();
  const t0 = performance.now();
  let checksum = 0;
  for (let u = worker; u < spec.units; u += workers) checksum += unitWork(spec, u, style, interpreter);
  const seconds = (performance.now() - t0) / 1000;
  const after = interpreter.stats();
  return {
    checksum,
    threadId: Interpreter.currentThreadId(),
    pid: process.pid,
    seconds,
    heldNs: after.heldNs - before.heldNs,
    waitNs: after.waitNs - before.waitNs,
    switches: after.switches - before.switches,
  };
}

/** A few units of every style, so that the timed runs find the code compiled and the caches warm. */
export function warmUp(spec: CpuWorkSpec, styles: readonly CpuStyle[]): number {
  const interpreter = interpreterHere();
  let checksum = 0;
  for (const style of styles)
    for (let u = 0; u < Math.min(2, spec.units); u++) checksum += unitWork(spec, u, style, interpreter);
  return checksum;
}

/** This worker's OS thread id and the process's resident memory (bytes). */
export function whoAmI(): { threadId: number; pid: number; rss: number } {
  return { threadId: Interpreter.currentThreadId(), pid: process.pid, rss: process.memoryUsage.rss() };
}

/**
 * CPU-bound busy work in hold mode until `stop[0]` becomes nonzero: `sliceNs` of spin per call.
 * `running[0]` is incremented once the loop runs. Returns the number of spin calls made.
 */
export function spinUntil(
  stop: Int32Array,
  running: Int32Array,
  sliceNs: number,
): { calls: number; threadId: number; seconds: number } {
  const interpreter = interpreterHere();
  Atomics.add(running, 0, 1);
  const t0 = performance.now();
  let calls = 0;
  while (Atomics.load(stop, 0) === 0) {
    kernels.spin(sliceNs, { interpreter });
    calls++;
  }
  return { calls, threadId: Interpreter.currentThreadId(), seconds: (performance.now() - t0) / 1000 };
}

/**
 * `count` I/O-bound operations: a blocking wait of `latencyNs` (a request to a slow server; the
 * lock is let go around it in 'release' mode, kept in 'hold' mode), then `workNs` of work on the
 * answer, holding the lock.
 */
export function ioOperations(count: number, latencyNs: number, workNs: number, mode: KernelMode): { threadId: number } {
  const interpreter = interpreterHere();
  for (let i = 0; i < count; i++) {
    kernels.sleep(latencyNs, { mode, interpreter });
    if (workNs > 0) kernels.spin(workNs, { interpreter });
  }
  return { threadId: Interpreter.currentThreadId() };
}

export interface IoLoopResult {
  /** Each operation's latency, microseconds. */
  latenciesUs: number[];
  seconds: number;
  threadId: number;
}

/**
 * Blocking I/O operations (a pipe round trip of `bytes` bytes to an echo thread) in a loop, for
 * `durationMs` or `maxOps` operations, whichever comes first. `mode` 'release' lets go of the lock
 * around each blocking call (as CPython's I/O does); 'hold' blocks while holding it. The channel is
 * opened once, before the loop (as the CPython twin opens its pipes once): an operation is one
 * write and one blocking read.
 */
export function ioLoop(durationMs: number, maxOps: number, bytes: number, mode: KernelMode): IoLoopResult {
  const interpreter = interpreterHere();
  const latenciesUs: number[] = [];
  const channel = new IoChannel({ maxBytes: bytes });
  try {
    const t0 = performance.now();
    const end = t0 + durationMs;
    let now = t0;
    while (latenciesUs.length < maxOps && now < end) {
      channel.roundTrips(1, bytes, { mode, interpreter });
      const next = performance.now();
      latenciesUs.push((next - now) * 1000);
      now = next;
    }
    return { latenciesUs, seconds: (now - t0) / 1000, threadId: Interpreter.currentThreadId() };
  } finally {
    channel.close();
  }
}

/** `count` sleeps of `ns` each (time.sleep, one blocking call each). */
export function sleepLoop(count: number, ns: number, mode: KernelMode): { threadId: number } {
  const interpreter = interpreterHere();
  for (let i = 0; i < count; i++) kernels.sleep(ns, { mode, interpreter });
  return { threadId: Interpreter.currentThreadId() };
}

/**
 * Touches every cache line of what the worker was given (one byte in 64): the worker really gets at
 * all of the data, so a lazy copy or a lazily mapped segment is paid for too. Returns their sum mod 2^32.
 */
export function readBytes(payload: Uint8Array | ArrayBuffer | SharedArrayBuffer): number {
  return sumBytes(payload instanceof Uint8Array ? payload : new Uint8Array(payload));
}

export const READ_STRIDE = 64;

export function sumBytes(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += READ_STRIDE) sum = (sum + bytes[i]!) >>> 0;
  return sum;
}

/** The same for a string payload (process json serialization cannot carry bytes: a latin-1 string). */
export function readString(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i += READ_STRIDE) sum = (sum + payload.charCodeAt(i)) >>> 0;
  return sum;
}

/** Runs a hold-mode spin of `ns` that checks the task's abort flag (through the signal) or not. */
export function spinFor(ns: number): number {
  return kernels.spin(ns, { interpreter: interpreterHere() });
}

/**
 * `passes` passes of a memory-bound kernel over this worker's slices, letting go of the lock for
 * each (the numpy path). sum reads `a`; triad writes a[i] = b[i] + 3 c[i].
 */
export function memoryPasses(
  kind: 'sum' | 'triad',
  a: Float64Array,
  b: Float64Array | null,
  c: Float64Array | null,
  passes: number,
): number {
  const interpreter = interpreterHere();
  const options = { mode: 'release' as const, interpreter };
  let checksum = 0;
  for (let p = 0; p < passes; p++) {
    if (kind === 'sum') checksum += kernels.sum(a, options);
    else kernels.triad(a, b!, c!, 3, options);
  }
  return checksum;
}

/** Attaches a SharedMemory segment by name and reads its first `length` bytes (a process's view of the caller's data). */
export function readSharedMemory(name: string, length: number): number {
  const segment = SharedMemory.attach(name);
  try {
    return sumBytes(segment.view(Uint8Array, 0, length));
  } finally {
    segment.close();
  }
}

/** Hold-mode spin of `ns` that checks this task's abort flag between slices (Future.abort() stops it). */
export function spinCheckingAbort(ns: number): number {
  const context = currentTask();
  return kernels.spin(ns, { interpreter: interpreterHere(), ...(context ? { signal: context.abortFlag } : {}) });
}
