// Memory the caller may believe shared but that a worker receives as a copy: a SharedArrayBuffer
// sent to a child process (the IPC channel serializes its bytes), and a SharedMemory segment's
// buffer or view sent to anyone (a mapping is an ordinary ArrayBuffer to structured clone). The
// task then writes into its copy and the caller never sees it. Pools warn once each (see pool.ts).
import { isSharedMemoryBuffer } from '../shared-memory.js';

export const SHARED_COPY_WARNING_CODE = 'GIL_LAB_SHARED_MEMORY_COPIED';

export interface CopiedShared {
  /** Where in the arguments, e.g. `args[0].data`. */
  path: string;
  what: 'SharedArrayBuffer' | 'SharedMemory';
}

/** Arguments are looked into this deep, and at this many objects, at most: submit() stays cheap. */
const MAX_DEPTH = 3;
const MAX_OBJECTS = 256;

function classify(buffer: ArrayBufferLike, kind: 'thread' | 'process'): CopiedShared['what'] | undefined {
  if (isSharedMemoryBuffer(buffer)) return 'SharedMemory';
  if (kind === 'process' && buffer instanceof SharedArrayBuffer) return 'SharedArrayBuffer';
  return undefined;
}

/** The first argument (or part of one) that the worker would get as a copy of shared memory. */
export function findCopiedShared(args: readonly unknown[], kind: 'thread' | 'process'): CopiedShared | undefined {
  let objects = 0;
  const visit = (value: unknown, path: string, depth: number): CopiedShared | undefined => {
    if (value === null || typeof value !== 'object' || ++objects > MAX_OBJECTS) return undefined;
    if (ArrayBuffer.isView(value)) {
      const what = classify(value.buffer, kind);
      return what === undefined ? undefined : { path, what };
    }
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
      const what = classify(value, kind);
      return what === undefined ? undefined : { path, what };
    }
    if (depth >= MAX_DEPTH) return undefined;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = visit(value[i], `${path}[${i}]`, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    for (const key of Object.keys(value)) {
      const found = visit((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const found = visit(args[i], `args[${i}]`, 0);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The warning's text: what is copied, why it matters, and what to do instead. */
export function copiedSharedMessage(found: CopiedShared, workerNoun: string): string {
  const instead =
    'To share memory, create a SharedMemory segment, send its name (shm.name) and call ' +
    'SharedMemory.attach(name) in the task';
  if (found.what === 'SharedArrayBuffer') {
    return (
      `${found.path} is backed by a SharedArrayBuffer, which a ${workerNoun} receives as a copy: ` +
      `what the task writes into it is not seen here. ${instead}. (Warned once per pool.)`
    );
  }
  return (
    `${found.path} is the memory of a SharedMemory segment, which a ${workerNoun} receives as a copy of its bytes ` +
    `(a mapping is not a SharedArrayBuffer): what the task writes is not seen here, and copying it costs time. ` +
    `${instead}${workerNoun === 'worker thread' ? ', or use a SharedArrayBuffer, which threads share' : ''}. ` +
    `(Warned once per pool.)`
  );
}

/** Emits the warning if `args` hold shared memory that would be copied; true if it did. */
export function warnIfSharedCopied(args: readonly unknown[], kind: 'thread' | 'process', workerNoun: string): boolean {
  // The common case, only primitives, costs a loop and nothing else: submit() is on every round trip.
  let objects = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg !== null && typeof arg === 'object') {
      objects = true;
      break;
    }
  }
  if (!objects) return false;
  const found = findCopiedShared(args, kind);
  if (found === undefined) return false;
  process.emitWarning(copiedSharedMessage(found, workerNoun), {
    type: 'GilLabWarning',
    code: SHARED_COPY_WARNING_CODE,
  });
  return true;
}
