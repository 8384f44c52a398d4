// The sweep's two workloads, sized by calibration so that one worker's batch takes about the
// target time on this machine:
//  - countPrimes (CPU-bound): strong scaling splits one range of numbers into n equal parts;
//    weak scaling gives every worker the same range (identical work, so identical cost).
//  - triad (memory-bound, STREAM a = b + s·c): three arrays of doubles in shared memory (a
//    SharedArrayBuffer for threads, a named SharedMemory segment for processes: no copies).
//    Strong scaling splits a fixed span of elements into n parts; weak scaling gives every worker
//    its own span of the same length. The spans are far larger than a core's caches.
import { constants as bufferConstants } from 'node:buffer';
import { statfsSync } from 'node:fs';
import os from 'node:os';
import { Interpreter, kernels, SharedMemory } from 'gil-lab';
import type { ScalingType, SweepWorkload, TaskCall, Transport, WorkloadBatch } from './sweep.js';
import type { TriadMemory } from './tasks.js';

/** Numbers near here cost about the same to test: the window stays narrow relative to lo. */
export const PRIMES_LO = 50_000_000;
export const TRIAD_SCALAR = 3;
/** b[i] = i mod 8, c[i] = 1, so a[i] = (i mod 8) + 3 after a triad: exact in doubles. */
const expectedA = (index: number) => (index % 8) + TRIAD_SCALAR;
const TRIAD_BYTES_PER_ELEMENT = 24; // read b and c, write a (STREAM's count; write-allocate not counted)

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Runs `fn` under a private policy-'none' interpreter (kernels need a lock held, or policy none). */
function withFreeInterpreter<T>(fn: (interpreter: Interpreter) => T): T {
  const interpreter = new Interpreter({ policy: 'none' });
  try {
    return fn(interpreter);
  } finally {
    interpreter.destroy();
  }
}

/** Numbers per second countPrimes tests near PRIMES_LO on one thread (best of 3). */
export function calibrateCountPrimes(probeNumbers = 20_000): number {
  return withFreeInterpreter((interpreter) => {
    const best = Math.min(
      ...[0, 1, 2].map(() =>
        timeMs(() => kernels.countPrimes(PRIMES_LO, PRIMES_LO + probeNumbers, { mode: 'release', interpreter })),
      ),
    );
    return probeNumbers / (best / 1e3);
  });
}

/** Elements per second one thread's triad updates over a span of `elements` (best of 3). */
export function calibrateTriad(elements: number): number {
  const a = new Float64Array(elements);
  const b = new Float64Array(elements).fill(1);
  const c = new Float64Array(elements).fill(2);
  return withFreeInterpreter((interpreter) => {
    kernels.triad(a, b, c, TRIAD_SCALAR, { mode: 'release', interpreter }); // first touch
    const best = Math.min(
      ...[0, 1, 2].map(() => timeMs(() => kernels.triad(a, b, c, TRIAD_SCALAR, { mode: 'release', interpreter }))),
    );
    return elements / (best / 1e3);
  });
}

function splitEvenly(total: number, parts: number): { offset: number; length: number }[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  const spans: { offset: number; length: number }[] = [];
  let offset = 0;
  for (let i = 0; i < parts; i++) {
    const length = base + (i < extra ? 1 : 0);
    spans.push({ offset, length });
    offset += length;
  }
  return spans;
}

export interface CountPrimesSizing {
  /** Numbers in the strong-scaling range (all workers together). */
  strongNumbers: number;
  /** Numbers per worker in weak scaling. */
  weakNumbersPerWorker: number;
}

/**
 * Sizes for a target time per weak-scaling task, from a measured rate (numbers per second). The
 * strong-scaling range is `strongScale` times that (the suite passes the largest worker count), so
 * that at the largest count each task is still about one target long: the time to hand out the
 * tasks then stays a small part of the batch.
 */
export function sizeCountPrimes(numbersPerSec: number, targetSeconds: number, strongScale = 1): CountPrimesSizing {
  if (!Number.isInteger(strongScale) || strongScale < 1) {
    throw new RangeError(`strongScale must be an integer ≥ 1, got ${strongScale}`);
  }
  const numbers = Math.max(1000, Math.round((numbersPerSec * targetSeconds) / 1000) * 1000);
  return { strongNumbers: numbers * strongScale, weakNumbersPerWorker: numbers };
}

export function countPrimesWorkload(sizing: CountPrimesSizing): SweepWorkload {
  // The serial count of each range, computed once, so every batch's results can be checked.
  const expected = new Map<string, number>();
  const countOnce = (lo: number, hi: number) => {
    const key = `${lo}:${hi}`;
    let count = expected.get(key);
    if (count === undefined) {
      count = withFreeInterpreter((interpreter) => kernels.countPrimes(lo, hi, { mode: 'release', interpreter }));
      expected.set(key, count);
    }
    return count;
  };
  const ranges = (type: ScalingType, workers: number) =>
    type === 'strong'
      ? splitEvenly(sizing.strongNumbers, workers).map((s) => [PRIMES_LO + s.offset, PRIMES_LO + s.offset + s.length])
      : Array.from({ length: workers }, () => [PRIMES_LO, PRIMES_LO + sizing.weakNumbersPerWorker]);
  return {
    name: 'countPrimes',
    kind: 'cpu-bound',
    unit: 'numbers',
    description:
      `countPrimes by trial division near ${PRIMES_LO.toLocaleString('en-US')}: strong scaling splits ` +
      `${sizing.strongNumbers.toLocaleString('en-US')} numbers among the workers; weak scaling gives each ` +
      `worker ${sizing.weakNumbersPerWorker.toLocaleString('en-US')}`,
    batch(type, workers): WorkloadBatch {
      const tasks: TaskCall[] = ranges(type, workers).map(([lo, hi]) => ({ task: 'countPrimes', args: [lo, hi] }));
      return { tasks, workUnits: type === 'strong' ? sizing.strongNumbers : sizing.weakNumbersPerWorker * workers };
    },
    warmup(workers) {
      return {
        tasks: Array.from({ length: workers }, () => ({ task: 'countPrimes', args: [PRIMES_LO, PRIMES_LO + 100] })),
        workUnits: 100 * workers,
      };
    },
    check(type, workers, results) {
      const want = ranges(type, workers).map(([lo, hi]) => countOnce(lo!, hi!));
      results.forEach((got, i) => {
        if (got !== want[i]) {
          throw new Error(`countPrimes ${type} ×${workers}: task ${i} returned ${String(got)}, expected ${want[i]}`);
        }
      });
    },
  };
}

export interface TriadSizing {
  /** Elements in the strong-scaling span (all workers together). */
  strongElements: number;
  strongReps: number;
  /** Elements per worker in weak scaling. */
  weakElementsPerWorker: number;
  weakReps: number;
  /** The most workers a batch will have (the arrays are sized for it). */
  maxWorkers: number;
  /** Set when memory (or /dev/shm) was too small for the profile's spans and they were halved. */
  reducedFrom?: { strongElements: number; weakElementsPerWorker: number };
  /** Whether a SharedMemory segment of the arrays' size fits (processes need one). */
  processesFit: boolean;
}

/** Bytes of one copy of the triad's arrays (a, b, c), sized for every batch. */
export function triadArrayBytes(
  sizing: Pick<TriadSizing, 'strongElements' | 'weakElementsPerWorker' | 'maxWorkers'>,
): number {
  return 3 * 8 * Math.max(sizing.strongElements, sizing.weakElementsPerWorker * sizing.maxWorkers);
}

/**
 * How many bytes one copy of the triad arrays may take: a quarter of the free memory (there are
 * two copies, a SharedArrayBuffer and a segment), and the segment must fit /dev/shm, whose pages
 * are only claimed when touched — a segment larger than the free space there would kill the
 * process with SIGBUS on first touch instead of failing cleanly.
 */
export function triadMemoryLimits(): { memoryBytes: number; sharedMemoryBytes: number } {
  let sharedMemoryBytes = Number.POSITIVE_INFINITY;
  if (process.platform === 'linux') {
    try {
      const fs = statfsSync('/dev/shm');
      sharedMemoryBytes = 0.8 * fs.bavail * fs.bsize;
    } catch {
      // No /dev/shm to ask: leave the limit to the memory one.
    }
  }
  // One ArrayBuffer (or segment view) can be at most buffer.constants.MAX_LENGTH bytes (4 GiB on Node 20).
  return { memoryBytes: Math.min(os.freemem() / 4, bufferConstants.MAX_LENGTH), sharedMemoryBytes };
}

/**
 * Sizes for a target one-worker batch time, from a measured rate (elements per second). Strong
 * scaling makes one pass over a span that takes about the target time (within the given bounds),
 * so that no worker passes over its part twice: repeated passes over a part small enough for the
 * cache would measure the cache, not memory. Weak scaling repeats passes over each worker's own
 * span (the spans together are far larger than any cache once there are two workers).
 */
export function sizeTriad(
  elementsPerSec: number,
  targetSeconds: number,
  spans: {
    minStrongElements: number;
    maxStrongElements: number;
    weakElementsPerWorker: number;
    maxWorkers: number;
    /** The strong batch's work is this many one-worker targets (see sizeCountPrimes); default 1. */
    strongScale?: number;
  },
  limits: { memoryBytes: number; sharedMemoryBytes: number } = {
    memoryBytes: Number.POSITIVE_INFINITY,
    sharedMemoryBytes: Number.POSITIVE_INFINITY,
  },
): TriadSizing {
  const perTarget = elementsPerSec * targetSeconds;
  const strongScale = spans.strongScale ?? 1;
  if (!Number.isInteger(strongScale) || strongScale < 1) {
    throw new RangeError(`spans.strongScale must be an integer ≥ 1, got ${strongScale}`);
  }
  const perStrong = perTarget * strongScale;
  const FLOOR = 2 ** 18;
  let { minStrongElements, maxStrongElements, weakElementsPerWorker } = spans;
  const { maxWorkers } = spans;
  const strongFor = () => Math.min(maxStrongElements, Math.max(minStrongElements, Math.round(perStrong / 8192) * 8192));
  const original = { strongElements: strongFor(), weakElementsPerWorker };
  const limit = Math.min(limits.memoryBytes, limits.sharedMemoryBytes);
  const bytes = () => triadArrayBytes({ strongElements: strongFor(), weakElementsPerWorker, maxWorkers });
  while (bytes() > limit && (weakElementsPerWorker > FLOOR || minStrongElements > FLOOR)) {
    if (weakElementsPerWorker * maxWorkers >= strongFor() && weakElementsPerWorker > FLOOR) weakElementsPerWorker /= 2;
    else {
      minStrongElements = Math.max(FLOOR, minStrongElements / 2);
      maxStrongElements = Math.max(FLOOR, maxStrongElements / 2);
    }
  }
  const strongElements = strongFor();
  const sizing: TriadSizing = {
    strongElements,
    strongReps: Math.max(1, Math.round(perStrong / strongElements)),
    weakElementsPerWorker,
    weakReps: Math.max(1, Math.round(perTarget / weakElementsPerWorker)),
    maxWorkers,
    processesFit: bytes() <= limits.sharedMemoryBytes,
  };
  if (strongElements !== original.strongElements || weakElementsPerWorker !== original.weakElementsPerWorker) {
    sizing.reducedFrom = original;
  }
  return sizing;
}

export function triadWorkload(sizing: TriadSizing): SweepWorkload {
  const elements = Math.max(sizing.strongElements, sizing.weakElementsPerWorker * sizing.maxWorkers);
  const bytes = triadArrayBytes(sizing);
  const fill = (buffer: ArrayBufferLike) => {
    new Float64Array(buffer, 0, elements).fill(0); // claims a's pages now, not in a timed batch
    const b = new Float64Array(buffer, elements * 8, elements);
    const c = new Float64Array(buffer, 2 * elements * 8, elements);
    for (let i = 0; i < elements; i++) b[i] = i % 8;
    c.fill(1);
  };
  let sharedArrayBuffer: SharedArrayBuffer | undefined;
  let segment: SharedMemory | undefined;
  const memoryFor = (transport: Transport): TriadMemory => {
    if (transport === 'thread') {
      if (sharedArrayBuffer === undefined) {
        sharedArrayBuffer = new SharedArrayBuffer(bytes);
        fill(sharedArrayBuffer);
      }
      return { kind: 'shared-array-buffer', buffer: sharedArrayBuffer };
    }
    if (segment === undefined) {
      segment = SharedMemory.create(bytes);
      fill(segment.buffer);
    }
    return { kind: 'shared-memory', name: segment.name };
  };
  const spans = (type: ScalingType, workers: number) =>
    type === 'strong'
      ? splitEvenly(sizing.strongElements, workers)
      : Array.from({ length: workers }, (_, i) => ({
          offset: i * sizing.weakElementsPerWorker,
          length: sizing.weakElementsPerWorker,
        }));
  const call = (memory: TriadMemory, span: { offset: number; length: number }, reps: number): TaskCall => ({
    task: 'triad',
    args: [memory, elements, span.offset, span.length, reps, TRIAD_SCALAR],
  });
  const mib = (n: number) => `${((n * TRIAD_BYTES_PER_ELEMENT) / 2 ** 20).toFixed(0)} MiB`;
  return {
    name: 'triad',
    kind: 'memory-bound',
    supportsTransport: (transport) => transport === 'thread' || sizing.processesFit,
    unit: 'elements',
    description:
      `STREAM triad a = b + ${TRIAD_SCALAR}·c over shared memory: strong scaling splits ` +
      `${sizing.strongElements.toLocaleString('en-US')} elements (${mib(sizing.strongElements)}) ×${sizing.strongReps} ` +
      `passes among the workers; weak scaling gives each worker ${sizing.weakElementsPerWorker.toLocaleString('en-US')} ` +
      `elements (${mib(sizing.weakElementsPerWorker)}) ×${sizing.weakReps} passes`,
    batch(type, workers, transport): WorkloadBatch {
      const memory = memoryFor(transport);
      const reps = type === 'strong' ? sizing.strongReps : sizing.weakReps;
      const tasks = spans(type, workers).map((span) => call(memory, span, reps));
      const workUnits = (type === 'strong' ? sizing.strongElements : sizing.weakElementsPerWorker * workers) * reps;
      return { tasks, workUnits, bytes: workUnits * TRIAD_BYTES_PER_ELEMENT };
    },
    warmup(workers, transport) {
      // One pass over every span a batch of this size will touch: maps and faults in the pages.
      const memory = memoryFor(transport);
      const touched = [...spans('strong', workers), ...spans('weak', workers)];
      return { tasks: touched.map((span) => call(memory, span, 1)), workUnits: 0 };
    },
    check(type, workers, results) {
      spans(type, workers).forEach((span, i) => {
        const want = expectedA(span.offset) + expectedA(span.offset + span.length - 1);
        if (results[i] !== want) {
          throw new Error(`triad ${type} ×${workers}: task ${i} returned ${String(results[i])}, expected ${want}`);
        }
      });
    },
    dispose() {
      sharedArrayBuffer = undefined;
      if (segment !== undefined) {
        segment.unlink();
        segment.close();
        segment = undefined;
      }
    },
  };
}
