// A resource-starved fuzz case, run in a child (test/fuzz/lifecycle-targets.ts): under `ulimit -v`
// (allocation failure) or on a tiny /dev/shm (a private tmpfs). argv[2] is the case as JSON. The child
// exits 0 when every call either worked or failed with a clean error; 7 (with the reason on stderr)
// when a call failed in any other way. A crash (SIGABRT, SIGBUS) is what the parent looks for.
import { kernels, SharedMemory } from 'gil-lab';

export interface ResourceCase {
  kind: 'alloc' | 'shm';
  /** alloc: elements of the Float64Array handed to an async kernel; shm: segment bytes. */
  size: number;
  kernel: 'sumAsync' | 'triadAsync' | 'matmulAsync';
  mode: 'hold' | 'release';
}

const CLEAN = new Set(['Error', 'TypeError', 'RangeError']);

function clean(error: unknown): boolean {
  return error instanceof Error && CLEAN.has(error.name) && error.message.length > 0;
}

async function allocCase(c: ResourceCase): Promise<void> {
  let a: Float64Array;
  try {
    a = new Float64Array(c.size); // a plain ArrayBuffer: the async kernel works on a private copy
  } catch {
    return; // V8 itself could not allocate it: nothing reached the addon
  }
  if (c.kernel === 'sumAsync') await kernels.sumAsync(a, { mode: c.mode });
  if (c.kernel === 'triadAsync') await kernels.triadAsync(a, a, a, 2, { mode: c.mode });
  if (c.kernel === 'matmulAsync') {
    const n = Math.floor(Math.sqrt(c.size));
    const m = a.subarray(0, n * n);
    await kernels.matmulAsync(m, m, n, { mode: c.mode });
  }
}

function shmCase(c: ResourceCase): void {
  const shm = SharedMemory.create(c.size);
  try {
    new Uint8Array(shm.buffer).fill(7); // every page: on an unreserved segment this is SIGBUS
  } finally {
    shm.unlink();
  }
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2]) as ResourceCase;
  try {
    if (c.kind === 'alloc') await allocCase(c);
    else shmCase(c);
  } catch (error) {
    if (!clean(error)) {
      console.error(`unclean failure: ${String(error)}`);
      process.exit(7);
    }
  }
  process.exit(0);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
