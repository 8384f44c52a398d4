// The sweep's tasks, loaded by every worker (thread or process) by file URL. Each runs a native
// kernel under the worker's interpreter in the mode the sweep's mode chose (the last argument).
// The pool calls them through timed(), which reports when the task ran, on which worker and CPU,
// and the CPU time it took (see ./timing.ts), and pins the worker first when asked to (--pin).
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { currentInterpreter, currentTask, kernels, SharedMemory, type KernelMode } from 'gil-lab';
import { scheduling } from './scheduling-native.js';
import type { RawTaskTiming } from './timing.js';

/** Where the triad's three arrays live: one SharedArrayBuffer (threads) or a named segment (processes). */
export type TriadMemory =
  { kind: 'shared-array-buffer'; buffer: SharedArrayBuffer } | { kind: 'shared-memory'; name: string };

/** Segments this process has attached, kept open so that later batches do not map (and fault in) them again. */
const attached = new Map<string, SharedMemory>();

function bufferOf(memory: TriadMemory): ArrayBufferLike {
  if (memory.kind === 'shared-array-buffer') return memory.buffer;
  let segment = attached.get(memory.name);
  if (segment === undefined) {
    segment = SharedMemory.attach(memory.name);
    attached.set(memory.name, segment);
    // Map every page now (one read per 4 KiB), during the warm-up batch, so that no timed batch
    // pays for page faults on a span this process has not touched yet.
    const words = new Float64Array(segment.buffer);
    let sum = 0;
    for (let i = 0; i < words.length; i += 512) sum += words[i]!;
    if (Number.isNaN(sum)) throw new Error('triad arrays hold NaN');
  }
  return segment.buffer;
}

/** countPrimes over [lo, hi). */
export function countPrimes(lo: number, hi: number, mode: KernelMode): number {
  return kernels.countPrimes(lo, hi, { mode, interpreter: currentInterpreter(), signal: currentTask()?.abortFlag });
}

/**
 * STREAM triad a = b + scalar·c, `reps` times, over elements [offset, offset + length) of three
 * arrays of `elements` doubles laid out a, b, c in `memory`. Returns a[first] + a[last] so that
 * the caller can check the work was done.
 */
export function triad(
  memory: TriadMemory,
  elements: number,
  offset: number,
  length: number,
  reps: number,
  scalar: number,
  mode: KernelMode,
): number {
  const buffer = bufferOf(memory);
  const view = (array: number) => new Float64Array(buffer, (array * elements + offset) * 8, length);
  const a = view(0);
  const b = view(1);
  const c = view(2);
  const options = { mode, interpreter: currentInterpreter(), signal: currentTask()?.abortFlag };
  for (let r = 0; r < reps; r++) kernels.triad(a, b, c, scalar, options);
  return a[0]! + a[length - 1]!;
}

const TASKS = { countPrimes, triad } as const;

/** The CPU this worker pinned itself to, and the pool directory it claimed its slot in. */
let pinned: { dir: string; cpu: number } | null = null;

/**
 * Pins this worker (its thread: a worker thread, or a child process's main thread) to a CPU of
 * its own: the worker claims the lowest free slot k in `dir` (files created with O_EXCL, atomic
 * across threads and processes) and takes the k-th allowed CPU, round robin when there are more
 * workers than CPUs. Once per worker.
 */
function pinOnce(dir: string): number {
  if (pinned !== null) {
    if (pinned.dir !== dir) throw new Error(`this worker is already pinned for another pool (${pinned.dir})`);
    return pinned.cpu;
  }
  const allowed = scheduling.allowedCpus();
  if (allowed.length === 0) throw new Error('--pin: this platform does not say which CPUs a thread may use');
  for (let slot = 0; slot < 1 << 16; slot++) {
    let fd: number;
    try {
      fd = openSync(path.join(dir, `slot-${slot}`), 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    closeSync(fd);
    const cpu = allowed[slot % allowed.length]!;
    scheduling.pinThread(cpu);
    pinned = { dir, cpu };
    return cpu;
  }
  throw new Error(`--pin: no free slot in ${dir}`);
}

/** A process's own CPU time (user + system), ns: child processes report this one. */
const processCpuNs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1e3;
};

/**
 * Runs TASKS[name](...args, mode) and reports its timing. A worker thread reports its thread's
 * CPU time; a child process (a main thread) its process's, as the OS accounts it to the process.
 */
export function timed(
  name: string,
  args: unknown[],
  pinDir: string | null,
  mode: KernelMode,
): { value: unknown; timing: RawTaskTiming } {
  const task = (TASKS as Record<string, ((...a: never[]) => unknown) | undefined>)[name];
  if (typeof task !== 'function') throw new RangeError(`unknown sweep task '${name}'`);
  if (!Array.isArray(args)) throw new TypeError('args must be an array');
  const pinnedCpu = pinDir === null ? null : pinOnce(pinDir);
  const cpuClock = isMainThread ? 'process' : 'thread';
  const cpuNow = isMainThread ? processCpuNs : scheduling.threadCpuTimeNs;
  const cpuAtStart = scheduling.currentCpu();
  const startNs = scheduling.monotonicClockNs();
  const cpu0 = cpuNow();
  const value = (task as (...a: unknown[]) => unknown)(...args, mode);
  const cpuNs = cpuNow() - cpu0;
  const endNs = scheduling.monotonicClockNs();
  const cpuAtEnd = scheduling.currentCpu();
  return {
    value,
    timing: { pid: process.pid, threadId, startNs, endNs, cpuNs, cpuClock, cpuAtStart, cpuAtEnd, pinnedCpu },
  };
}
