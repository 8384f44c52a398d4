// The kernel table: one entry per native kernel, the TypeScript source of every per-kernel list.
// The `kernels` and `reference` objects (index.ts), the addon's call types (native-types.ts), the
// executors' built-in tasks and their types (executors/builtin-kernels.ts, typed-task.ts), the
// fuzz targets and the bench cases all derive from it. Its C++ counterpart is GIL_KERNELS in
// native/addon/kernels.cpp (the addon exports it as `kernels.table`: a test checks both agree).
//
// Each entry names, by its type parameters, the kernel's positional arguments (before the options
// object) and its result; `arity` is how many positional arguments there are (a declared length
// cannot tell: optional and defaulted parameters); `toNative` turns them into what the addon takes
// when that differs (an options object flattened, a default filled in); `twin` runs the TypeScript
// twin (reference.ts) with the same arguments. The addon checks a native call's arguments itself.
import type { FileReadResult, RoundTripResult } from './native-types.js';
import * as twin from './reference.js';
import type { Checkpointer } from './reference.js';
import { checkFileRead, checkMandelbrot, type FileReadOptions, type MandelbrotParams } from './validate.js';

/** The twin's abort test: true once the kernel should stop. */
export type AbortTest = (() => boolean) | undefined;

interface Spec<A extends unknown[], R> {
  /** How many positional arguments come before the options object. */
  readonly arity: number;
  /** The arguments as the addon takes them; default: as given. */
  readonly toNative?: (...args: A) => unknown[];
  /** The TypeScript twin: its `arity` arguments (as a tuple), then the checkpointer and abort test. */
  readonly twin?: (args: A, interpreter: Checkpointer, aborted: AbortTest) => R;
  /** The case `bench kernels` times (native hold, native release, twin); `quick` for a short run. */
  readonly bench?: (quick: boolean) => BenchCase<A>;
}

/** One bench case: the arguments, and how to say their size in the report. */
export interface BenchCase<A extends unknown[] = unknown[]> {
  size: string;
  args: A;
}

/** A table entry; `types` exists for the type system only (it is never set). */
export type KernelDescriptor<A extends unknown[], R, S extends Spec<A, R> = Spec<A, R>> = S & {
  readonly types?: { args: A; result: R };
};

// Curried so that an entry states its argument and result types and the rest is inferred.
function kernel<A extends unknown[], R>() {
  return <S extends Spec<A, R>>(spec: S & { arity: A['length'] }): KernelDescriptor<A, R, S> => spec;
}

/** Every native kernel. Adding one: CONTRIBUTING.md, "Adding a kernel". */
export const KERNELS = {
  /** The number of primes in [lo, hi) by classic trial division (0 <= lo <= hi <= 2^53). */
  countPrimes: kernel<[lo: number, hi: number], number>()({
    arity: 2,
    twin: ([lo, hi], i, a) => twin.countPrimes(lo, hi, i, a),
    bench: (quick) => ({ size: `[0, ${quick ? 500_000 : 2_000_000})`, args: [0, quick ? 500_000 : 2_000_000] }),
  }),
  /** Escape-time Mandelbrot: the total of the iteration counts (and the image, if given one). */
  mandelbrot: kernel<[params: MandelbrotParams], number>()({
    arity: 1,
    toNative: (params) => {
      const p = checkMandelbrot(params);
      return [p.width, p.height, p.maxIter, p.x0, p.y0, p.x1, p.y1, p.image];
    },
    twin: ([params], i, a) => twin.mandelbrot(params, i, a),
    bench: (quick) => {
      const m = quick ? { width: 300, height: 200, maxIter: 300 } : { width: 600, height: 400, maxIter: 500 };
      return { size: `${m.width}×${m.height}, maxIter ${m.maxIter}`, args: [m] };
    },
  }),
  /** SHA-256 applied `rounds` times (round 1 hashes data; each further round the last digest). */
  sha256Chain: kernel<[data: Uint8Array, rounds: number], Uint8Array>()({
    arity: 2,
    twin: ([data, rounds], i, a) => twin.sha256Chain(data, rounds, i, a),
    bench: (quick) => {
      const data = new Uint8Array(quick ? 1 << 18 : 1 << 20).map((_, i) => (i * 31) & 255);
      const rounds = quick ? 5000 : 20000;
      return { size: `${data.length / 1024} KiB + ${rounds - 1} rounds`, args: [data, rounds] };
    },
  }),
  /** a * b for n x n row-major matrices: a new Float64Array. Cache-blocked. */
  matmul: kernel<[a: Float64Array, b: Float64Array, n: number], Float64Array>()({
    arity: 3,
    twin: ([x, y, n], i, a) => twin.matmul(x, y, n, i, a),
    bench: (quick) => {
      const n = quick ? 256 : 384;
      const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
      const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
      return { size: `n = ${n}`, args: [a, b, n] };
    },
  }),
  /** The sum of a (8 interleaved partial sums, combined in a fixed order). Memory-bound. */
  sum: kernel<[a: Float64Array], number>()({
    arity: 1,
    twin: ([x], i, a) => twin.sum(x, i, a),
    // Memory-bound: arrays well beyond the last-level cache.
    bench: (quick) => {
      const length = quick ? 1 << 23 : 1 << 24;
      const a = Float64Array.from({ length }, (_, i) => (i % 1000) * 0.001);
      return { size: `${length} doubles (${(length * 8) / 2 ** 20} MiB)`, args: [a] };
    },
  }),
  /** STREAM triad, in place: a[i] = b[i] + scalar * c[i]. Memory-bound. */
  triad: kernel<[a: Float64Array, b: Float64Array, c: Float64Array, scalar: number], void>()({
    arity: 4,
    twin: ([x, y, z, scalar], i, a) => twin.triad(x, y, z, scalar, i, a),
    bench: (quick) => {
      const length = quick ? 1 << 23 : 1 << 24;
      const b = Float64Array.from({ length }, (_, i) => (i % 1000) * 0.001);
      const c = Float64Array.from({ length }, (_, i) => 1 / (1 + i));
      return { size: `3 × ${length} doubles`, args: [new Float64Array(length), b, c, 3] };
    },
  }),
  /** About `ns` nanoseconds of busy work (a fixed number of steps, calibrated once): the steps taken. */
  spin: kernel<[ns: number], number>()({
    arity: 1,
    twin: ([ns], i, a) => twin.spin(ns, i, a),
    bench: (quick) => {
      const ns = quick ? 5_000_000 : 20_000_000;
      return { size: `${ns / 1e6} ms of work`, args: [ns] };
    },
  }),
  /** `iterations` xorshift32 steps from `seed` (default 2463534242): the final state. */
  spinIterations: kernel<[iterations: number, seed?: number], number>()({
    arity: 2,
    toNative: (iterations, seed = twin.SPIN_SEED) => [iterations, seed],
    twin: ([iterations, seed = twin.SPIN_SEED], i, a) => twin.spinIterations(iterations, seed, i, a),
  }),
  /** Sleeps `ns` nanoseconds as one blocking call (time.sleep): the nanoseconds it waited. No twin. */
  sleep: kernel<[ns: number], number>()({ arity: 1 }),
  /** `count` round trips of `bytes` bytes through a pair of pipes to an echo thread. No twin. */
  pipeRoundTrips: kernel<[count: number, bytes: number], RoundTripResult>()({ arity: 2 }),
  /** The same over a loopback TCP connection (127.0.0.1, an ephemeral port, TCP_NODELAY). No twin. */
  socketRoundTrips: kernel<[count: number, bytes: number], RoundTripResult>()({ arity: 2 }),
  /** Reads a file with pread, `chunkBytes` per call (each a blocking operation). */
  fileRead: kernel<[path: string, read?: FileReadOptions], FileReadResult>()({
    arity: 2,
    toNative: (path, read) => {
      const r = checkFileRead(path, read);
      return [r.path, r.offset, r.length, r.chunkBytes, r.into];
    },
    twin: ([path, read], i, a) => twin.fileRead(path, read, i, a),
  }),
};

type Table = typeof KERNELS;

/** A native kernel's name: 'countPrimes', 'mandelbrot', ... */
export type KernelName = keyof Table;
/** Its positional arguments (before the options object). */
export type KernelArgs<K extends KernelName> = NonNullable<Table[K]['types']>['args'];
/** What it returns (the sync variant; the async one resolves to it). */
export type KernelResult<K extends KernelName> = NonNullable<Table[K]['types']>['result'];
/** The kernels that have a TypeScript twin. */
export type TwinName = { [K in KernelName]: Table[K] extends { twin: object } ? K : never }[KernelName];

/** The kernel names, in table order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** The kernel names that have a TypeScript twin. */
export const TWIN_NAMES = KERNEL_NAMES.filter((name) => hasTwin(name)) as TwinName[];

/** How many positional arguments each kernel takes before its options. */
export function kernelArity(name: KernelName): number {
  return KERNELS[name].arity;
}

function hasTwin(name: KernelName): boolean {
  return (KERNELS[name] as Spec<unknown[], unknown>).twin !== undefined;
}

/** The untyped view of an entry, for code that works on any kernel by name. */
export function descriptorOf(name: KernelName): Spec<unknown[], unknown> {
  return KERNELS[name] as unknown as Spec<unknown[], unknown>;
}
