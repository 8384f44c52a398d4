// The sweep's tasks, loaded by every worker (thread or process) by file URL. Each runs a native
// kernel under the worker's interpreter in the mode the sweep's mode chose (the last argument).
import { currentInterpreter, currentTask, kernels, SharedMemory, type KernelMode } from 'gil-lab';

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
