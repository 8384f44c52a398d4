/// <reference types="node" preserve="true" />
// gil-lab's public API. Each area appends its exports here.
export { loadNativeAddonFrom, NativeAddonLoadError } from './native.js';
export type { NativeAddon } from './native.js';
export { version, hardwareConcurrency } from './platform.js';
export { Interpreter, POLICIES } from './interpreter.js';
export type { GilState } from './interpreter.js';
export type {
  Policy,
  InterpreterOptions,
  LockStats,
  ThreadLockStats,
  LockEvent,
  LockEventKind,
  StallReport,
  WatchdogOptions,
} from './interpreter.js';
export * as report from './report/index.js';
export {
  kernels,
  reference,
  RefHeap,
  AbortFlag,
  isAbortError,
  KernelAbortError,
  KERNEL_MODES,
} from './kernels/index.js';
export { IoChannel, startOsThread } from './kernels/io-channel.js';
export type { IoChannelOptions, OsThreadResult } from './kernels/io-channel.js';
export type {
  KernelMode,
  KernelOptions,
  ReferenceOptions,
  StormOptions,
  RefStormResult,
  RefStrategy,
  MandelbrotParams,
  FileReadOptions,
  FileReadResult,
  RoundTripResult,
  AbortInput,
  Checkpointer,
} from './kernels/index.js';
export * from './executors/index.js';
export { SharedMemory } from './shared-memory.js';
export type { SharedMemoryOptions } from './shared-memory.js';
export { extensionApi, extensionApiVersion } from './extension-api.js';
export type { ExtensionApiCapsule } from './extension-api.js';
export { experiments, findExperiment, runExperiment, machineInfo } from './experiments/index.js';
export type { Experiment, ExperimentOptions, ExperimentResult, Verdict, LockTrace } from './experiments/index.js';
