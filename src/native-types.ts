// The types of values the addon hands out (interpreter lock statistics, shared-memory handles, the
// extension capsule), in one module that both src/native.ts (the addon's shape) and the modules
// built on it import, so that native.ts imports nothing back from them. Those modules re-export
// what their users need.

export interface ThreadLockStats {
  threadId: number;
  acquisitions: number;
  contendedAcquisitions: number;
  dropRequests: number;
  forcedSwitches: number;
  wakeups: number;
  heldNs: number;
  waitNs: number;
}

/** A snapshot of one interpreter's lock statistics (native/addon/interpreter.cpp writes it; a test
 * checks its keys against the addon's). */
export interface LockStats {
  acquisitions: number;
  contendedAcquisitions: number;
  /** Drop requests set by waiters (the eval breaker). */
  dropRequests: number;
  /** Times a holder yielded at a checkpoint (on request, or the legacy policy's tick). */
  forcedSwitches: number;
  /** Acquisitions by a thread other than the previous holder. */
  switches: number;
  yields: number;
  /** Condition-variable wake-ups of waiters (the old GIL's thrash shows up here). */
  wakeups: number;
  releasesOnThreadExit: number;
  /** Waits longer than the watchdog's bound (see startWatchdog). */
  stalls: number;
  /** Threads waiting for the lock at the moment of the snapshot. */
  waiters: number;
  /** Thread id of the holder at the moment of the snapshot (0: free, and always 0 under policy none). */
  holder: number;
  heldNs: number;
  waitNs: number;
  elapsedNs: number;
  /** heldNs / elapsedNs, as CPython's gil_load reports it. */
  heldFraction: number;
  /** waitNs / elapsedNs; above 1 when several threads wait at once. */
  waitFraction: number;
  /** Latency from a drop request to another thread holding the lock. */
  handoff: { count: number; p50Ns: number; p90Ns: number; p99Ns: number; maxNs: number };
  /** Threads that are still alive and have used the lock (records of ended threads are reclaimed). */
  threads: ThreadLockStats[];
  /** Threads that used the lock and have ended, since the lock was made. */
  exitedThreads: number;
  /** The summed counts of those ended threads (threadId 0), so totals still add up. */
  exited: ThreadLockStats;
}

/** A thread that waited for the lock longer than the watchdog's bound. */
export interface StallReport {
  waiterThreadId: number;
  /** The thread holding the lock when the stall was noticed (0 if it had just been freed). */
  holderThreadId: number;
  waitedNs: number;
  /** When it was noticed, on the clock of `Interpreter.nowNs()`. */
  atNs: number;
}

export type LockEventKind = 'wait-start' | 'acquired' | 'released' | 'drop-request';

/** The addon's handle (native/addon/shared_memory.cpp). */
export interface SharedMemoryHandle {
  readonly name: string;
  readonly size: number;
  readonly closed: boolean;
  readonly buffer: ArrayBuffer;
  close(): void;
  load(index: number): number;
  store(index: number, value: number): number;
  compareExchange(index: number, expected: number, replacement: number): number;
  add(index: number, delta: number): number;
}

declare const capsuleBrand: unique symbol;

/** The capsule: an opaque External for `gil_lab_import()` (native/include/gil_lab.h). */
export interface ExtensionApiCapsule {
  readonly [capsuleBrand]: 'gil-lab extension API';
}
