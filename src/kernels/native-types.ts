// The shape of the addon's `kernels` object (native/addon/kernels.cpp), derived from the kernel
// table (table.ts). Use src/kernels/index.ts, which checks options and turns modes and signals into
// what these take.
import type { KernelArgs, KernelName, KernelResult, KERNELS } from './table.js';

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

/** A kernel's arguments as the addon takes them: `toNative`'s result, else the positional ones. */
type NativeArgs<K extends KernelName> = (typeof KERNELS)[K] extends { toNative: (...args: never[]) => infer N }
  ? N extends unknown[]
    ? N
    : never
  : KernelArgs<K>;

/** The addon's kernel table (native/addon/kernels.cpp GIL_KERNELS): a test checks it against KERNELS. */
export interface NativeKernelInfo {
  name: string;
  /** Arguments after the common prefix. */
  arity: number;
}

export type NativeKernels = { [K in KernelName]: Kernel<NativeArgs<K>, KernelResult<K>> } & {
  [K in KernelName as `${K}Async`]: Kernel<NativeArgs<K>, Promise<KernelResult<K>>>;
} & {
  spinIterationsPerNs(): number;
  readonly sliceBudgets: Readonly<Record<string, number>>;
  readonly table: readonly NativeKernelInfo[];
  /** The argument limits the addon checks; validate.ts's constants must match (a test checks). */
  readonly limits: Readonly<Record<string, number>>;
  RefHeap: new (objects: number) => NativeRefHeap;
};
