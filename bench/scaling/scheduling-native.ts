// The addon's scheduling functions (native/addon/scheduling.cpp), typed here rather than in
// src/native.ts because only the benchmark uses them: they are read off `native` with a cast.
import { native } from '#internal/native';

export interface SchedulingNative {
  /** CLOCK_MONOTONIC in ns (a double): one clock for every thread and process of the machine. */
  monotonicClockNs(): number;
  /** CPU time of the calling thread, ns (CLOCK_THREAD_CPUTIME_ID). */
  threadCpuTimeNs(): number;
  /** The CPU the calling thread runs on now, or null where the OS cannot say. */
  currentCpu(): number | null;
  /** The CPUs the calling thread may run on, ascending; empty where the OS cannot say. */
  allowedCpus(): number[];
  /** Restricts the calling thread to one CPU; throws a RangeError for a CPU it may not use. */
  pinThread(cpu: number): void;
}

export const scheduling = native as unknown as SchedulingNative;
