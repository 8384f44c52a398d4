// The experiments as a library: run one from a program, or read its rows and verdict.
import { resolveOptions, type ExperimentOptionsInput } from './options.js';
import { findExperiment } from './registry.js';
import type { Experiment, ExperimentResult } from './types.js';

export { experiments, experimentNames, findExperiment } from './registry.js';
export { resolveOptions, parseCliOptions, defaultWorkers, MAX_WORKERS } from './options.js';
export type { ExperimentOptionsInput } from './options.js';
export { machineInfo, describeMachine } from './machine.js';
export type { MachineInfo } from './machine.js';
export { toJson, renderResultText, renderResultSvg, combineTraces, toHtmlSection } from './present.js';
export type { ExperimentJson } from './present.js';
export * from './types.js';
export { cpuBoundVerdict, CPU_MODES } from './cpu-bound.js';
export type { CpuBoundRow, CpuMode } from './cpu-bound.js';
export { legacyGilVerdict } from './legacy-gil.js';
export type { LegacyGilRow } from './legacy-gil.js';
export { ioBoundVerdict } from './io-bound.js';
export type { IoBoundRow } from './io-bound.js';
export { convoyVerdict } from './convoy.js';
export type { ConvoyRow } from './convoy.js';
export { switchIntervalVerdict } from './switch-interval.js';
export type { SwitchIntervalRow } from './switch-interval.js';
export { refcountVerdict } from './refcount.js';
export type { RefcountRow } from './refcount.js';
export { memoryBoundVerdict } from './memory-bound.js';
export type { MemoryBoundRow } from './memory-bound.js';
export { startupVerdict } from './startup.js';
export type { StartupRow } from './startup.js';
export { ipcVerdict, IPC_METHODS } from './ipc.js';
export type { IpcRow } from './ipc.js';
export { killVerdict } from './kill.js';
export type { KillRow } from './kill.js';

/** Runs one experiment by name (or object) with the given options (defaults filled in). */
export async function runExperiment(
  experiment: string | Experiment,
  options: ExperimentOptionsInput = {},
): Promise<ExperimentResult> {
  const chosen = typeof experiment === 'string' ? findExperiment(experiment) : experiment;
  if (typeof chosen !== 'object' || chosen === null || typeof chosen.run !== 'function') {
    throw new TypeError('experiment must be an experiment name or an experiment object');
  }
  return chosen.run(resolveOptions(options));
}
