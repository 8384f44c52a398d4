// The shape of the addon's `kernels` object (native/addon/kernels.cpp). Use src/kernels/index.ts,
// which checks options and turns modes and signals into what these take.

/** (interpreterId, mode 0 = hold | 1 = release, abortFlag, ...args) */
type Prefix = [interpreterId: number, mode: number, abortFlag: Int32Array | undefined];

export interface RoundTripResult {
  roundTrips: number;
  bytes: number;
}
export interface FileReadResult {
  bytesRead: number;
  reads: number;
}

export type RefStrategy = 'locked' | 'racy' | 'atomic' | 'biased';

export interface RefStormResult {
  strategy: RefStrategy;
  /** False if the storm was aborted part way. */
  completed: boolean;
  threads: number;
  objects: number;
  /** Increfs plus decrefs performed. */
  operations: number;
  /** The sum of counts if no update were lost: one reference per object (the heap's own). */
  expectedTotal: number;
  finalTotal: number;
  /** Sum over objects of |final - expected|: a lower bound on lost updates (losses can cancel). */
  lostUpdates: number;
  /** Times a count reached 0 while references were still outstanding. */
  prematureFrees: number;
  /** References whose object was "freed" while held, caught by the generation check. */
  staleReferences: number;
  elapsedNs: number;
  /** Mean over threads of thread time / thread operations. */
  nsPerOperation: number;
}

export interface NativeRefHeap {
  readonly size: number;
  storm(
    strategy: string,
    threads: number,
    pairsPerThread: number,
    seed: number,
    interpreterId: number,
    abortFlag: Int32Array | undefined,
    ownerShare?: number,
  ): RefStormResult;
  stormAsync(
    strategy: string,
    threads: number,
    pairsPerThread: number,
    seed: number,
    interpreterId: number,
    abortFlag: Int32Array | undefined,
    ownerShare?: number,
  ): Promise<RefStormResult>;
  count(index: number): number;
  generation(index: number): number;
}

type Kernel<A extends unknown[], R> = (...args: [...Prefix, ...A]) => R;
type WithAsync<Name extends string, A extends unknown[], R> = { [K in Name]: Kernel<A, R> } & {
  [K in `${Name}Async`]: Kernel<A, Promise<R>>;
};

type MandelbrotArgs = [
  width: number,
  height: number,
  maxIter: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  image: Uint32Array | undefined,
];
type FileReadArgs = [
  path: string,
  offset: number,
  length: number | undefined,
  chunkBytes: number,
  into: Uint8Array | undefined,
];

export type NativeKernels = WithAsync<'countPrimes', [lo: number, hi: number], number> &
  WithAsync<'mandelbrot', MandelbrotArgs, number> &
  WithAsync<'sha256Chain', [data: Uint8Array, rounds: number], Uint8Array> &
  WithAsync<'matmul', [a: Float64Array, b: Float64Array, n: number], Float64Array> &
  WithAsync<'sum', [a: Float64Array], number> &
  WithAsync<'triad', [a: Float64Array, b: Float64Array, c: Float64Array, scalar: number], void> &
  WithAsync<'spin', [ns: number], number> &
  WithAsync<'spinIterations', [iterations: number, seed: number], number> &
  WithAsync<'sleep', [ns: number], number> &
  WithAsync<'pipeRoundTrips', [count: number, bytes: number], RoundTripResult> &
  WithAsync<'socketRoundTrips', [count: number, bytes: number], RoundTripResult> &
  WithAsync<'fileRead', FileReadArgs, FileReadResult> & {
    spinIterationsPerNs(): number;
    readonly sliceBudgets: Readonly<Record<string, number>>;
    RefHeap: new (objects: number) => NativeRefHeap;
  };
