// The machine the figures were measured on; every report says which.
import os from 'node:os';
import { plural } from '../report/format.js';

export interface MachineInfo {
  /** Hardware threads available to this process (os.availableParallelism()). */
  cpus: number;
  /** The CPU model, as the OS reports it. */
  model: string;
  /** The Node.js version, e.g. v20.19.0. */
  node: string;
  platform: string;
  arch: string;
  /** Total memory in GiB, to one decimal. */
  memoryGiB: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim() || 'unknown';
  return {
    cpus: os.availableParallelism(),
    model,
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** One line: "2 CPUs, AMD EPYC, Node v20.19.0, linux x64, 7.8 GiB". */
export function describeMachine(machine: MachineInfo = machineInfo()): string {
  return (
    `${plural(machine.cpus, 'CPU')}, ${machine.model}, Node ${machine.node}, ` +
    `${machine.platform} ${machine.arch}, ${machine.memoryGiB} GiB`
  );
}
