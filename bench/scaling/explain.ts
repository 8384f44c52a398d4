// Why a scaling point falls short of ideal, decided by rules over its recorded timings and the
// machine's topology — never assumed. Each rule names the evidence it used:
//   lock wait      tasks off their CPU (CPU/wall < 0.9) while the workers share one lock; a
//                  worker takes the lock before its task starts, so under a shared lock the
//                  starts and ends are the lock's order and no other rule is applied
//   oversubscribed tasks off their CPU with more workers than CPUs this process may use
//   quota          tasks off their CPU with more workers than the cgroup's CPU quota
//   busy machine   tasks off their CPU with none of the above: other work took the CPUs
//   stragglers     the slowest task ran well past the median one (imbalance > 10% of the batch)
//   uneven         some worker ran more tasks than its share while others sat idle
//   dispatch       the last task started more than 1% of the batch after the first, with no
//                  more workers than CPUs (with more, late starts are waiting for a CPU)
//   SMT            more workers than physical cores, and cores with several hardware threads:
//                  the threads share a core's execution units (shows as lower speed, not as time
//                  off the CPU)
//   shared unit    on the CPU all the time, evenly loaded, yet slower: something shared ran out
//                  (memory bandwidth for a memory-bound kernel, caches or SMT siblings otherwise)
import type { PointTiming } from './timing.js';

export const DESCHEDULED_CPU_WALL = 0.9;
export const STRAGGLER_FRACTION = 0.1;
export const DISPATCH_FRACTION = 0.01;
/** Efficiency below this needs an explanation. */
export const SHORTFALL_EFFICIENCY = 0.9;

export type FindingKind =
  | 'lock-wait'
  | 'oversubscribed'
  | 'quota'
  | 'busy-machine'
  | 'stragglers'
  | 'uneven'
  | 'dispatch'
  | 'smt'
  | 'shared-unit';

export interface Finding {
  kind: FindingKind;
  /** The evidence, with its figures. */
  detail: string;
}

/** The machine facts the rules use; null where unknown. */
export interface MachineFacts {
  /** CPUs this process may run on. */
  cpus: number;
  physicalCores: number | null;
  threadsPerCore: number | null;
  /** cgroup CPU quota in CPUs, or null when none applies or it is unknown. */
  quotaCpus: number | null;
}

export interface PointFacts {
  workers: number;
  efficiency: number;
  workloadKind: 'cpu-bound' | 'memory-bound' | string;
  lockShared: boolean;
  timing: PointTiming;
}

const pct = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
const ratio = (value: number) => value.toFixed(2);

function checkFacts(machine: MachineFacts, point: PointFacts): void {
  if (typeof machine !== 'object' || machine === null) throw new TypeError('machine must be an object');
  if (typeof point !== 'object' || point === null) throw new TypeError('point must be an object');
  if (!Number.isInteger(machine.cpus) || machine.cpus < 1) {
    throw new RangeError(`machine.cpus must be an integer ≥ 1, got ${machine.cpus}`);
  }
  if (!Number.isInteger(point.workers) || point.workers < 1) {
    throw new RangeError(`point.workers must be an integer ≥ 1, got ${point.workers}`);
  }
  if (typeof point.efficiency !== 'number' || !Number.isFinite(point.efficiency)) {
    throw new RangeError(`point.efficiency must be a finite number, got ${point.efficiency}`);
  }
  if (typeof point.timing !== 'object' || point.timing === null) throw new TypeError('point.timing must be an object');
}

/** Every rule that holds for this point, in the order of the header. */
export function explainPoint(machine: MachineFacts, point: PointFacts): Finding[] {
  checkFacts(machine, point);
  const { workers, timing } = point;
  const findings: Finding[] = [];

  const median = timing.cpuWallMedian;
  const min = timing.cpuWallMin;
  if (median !== null && min !== null && min < DESCHEDULED_CPU_WALL) {
    const which = median < DESCHEDULED_CPU_WALL ? 'most tasks' : 'some tasks';
    const evidence = `${which} off their CPU (CPU/wall min ${ratio(min)}, median ${ratio(median)})`;
    if (point.lockShared) {
      findings.push({ kind: 'lock-wait', detail: `${evidence}, workers sharing one lock` });
      return findings;
    } else if (workers > machine.cpus) {
      findings.push({ kind: 'oversubscribed', detail: `${evidence}, ${workers} workers on ${machine.cpus} CPUs` });
    } else if (machine.quotaCpus !== null && workers > machine.quotaCpus) {
      findings.push({
        kind: 'quota',
        detail: `${evidence}, ${workers} workers under a CPU quota of ${machine.quotaCpus.toFixed(2)} CPUs`,
      });
    } else {
      findings.push({ kind: 'busy-machine', detail: `${evidence} with ${workers} workers on ${machine.cpus} CPUs` });
    }
  }
  if (timing.imbalanceFraction > STRAGGLER_FRACTION) {
    findings.push({
      kind: 'stragglers',
      detail: `slowest task ${timing.imbalanceMs.toFixed(1)} ms past the median (${pct(timing.imbalanceFraction)} of the batch)`,
    });
  }
  // Every batch has as many tasks as workers: a worker with two while another has none is uneven.
  if (timing.tasksPerWorkerMax > 1 && timing.workersUsedMin < workers) {
    findings.push({
      kind: 'uneven',
      detail: `a worker ran ${timing.tasksPerWorkerMax} tasks of a batch while only ${timing.workersUsedMin} of ${workers} workers had any`,
    });
  }
  if (point.lockShared) return findings;
  if (timing.dispatchSpreadFraction > DISPATCH_FRACTION && workers <= machine.cpus) {
    findings.push({
      kind: 'dispatch',
      detail: `tasks started over ${timing.dispatchSpreadMs.toFixed(2)} ms (${pct(timing.dispatchSpreadFraction)} of the batch)`,
    });
  }
  if (
    machine.physicalCores !== null &&
    machine.threadsPerCore !== null &&
    machine.threadsPerCore > 1 &&
    workers > machine.physicalCores
  ) {
    findings.push({
      kind: 'smt',
      detail: `${workers} workers on ${machine.physicalCores} cores with ${machine.threadsPerCore} hardware threads each`,
    });
  }
  const onCpu = median !== null && min !== null && min >= DESCHEDULED_CPU_WALL;
  if (
    onCpu &&
    point.efficiency < SHORTFALL_EFFICIENCY &&
    !findings.some((f) => f.kind === 'stragglers' || f.kind === 'uneven' || f.kind === 'dispatch' || f.kind === 'smt')
  ) {
    findings.push({
      kind: 'shared-unit',
      detail:
        `every task on its CPU (CPU/wall min ${ratio(min)}) and evenly loaded, yet ${pct(point.efficiency)} efficient: ` +
        (point.workloadKind === 'memory-bound' ? 'memory bandwidth' : 'a shared unit (caches, memory, the core)'),
    });
  }
  return findings;
}

export const FINDING_TITLES: Record<FindingKind, string> = {
  'lock-wait': 'waiting for the shared lock',
  oversubscribed: 'oversubscribed (more workers than CPUs)',
  quota: 'held back by the cgroup CPU quota',
  'busy-machine': 'descheduled by other work on the machine',
  stragglers: 'stragglers',
  uneven: 'uneven assignment of tasks to workers',
  dispatch: 'dispatch spread',
  smt: 'SMT: hardware threads sharing cores',
  'shared-unit': 'a shared unit ran out',
};

/** A point of a series for the summary. */
export interface ExplainedPoint {
  mode: string;
  workers: number;
  efficiency: number;
  findings: Finding[];
}

/**
 * One line per workload and scaling type: for every point that falls short (efficiency < 90%,
 * workers > 1), grouped by explanation, `mode ×n (efficiency)`; points that fall short with no
 * rule holding are listed as unexplained.
 */
export function summarizeFindings(title: string, points: readonly ExplainedPoint[]): string {
  const short = points.filter((p) => p.workers > 1 && p.efficiency < SHORTFALL_EFFICIENCY);
  if (short.length === 0) return `${title}: every point within 10% of ideal`;
  const groups = new Map<FindingKind | 'unexplained', string[]>();
  for (const p of short) {
    const label = `${p.mode} ×${p.workers} (${pct(p.efficiency)})`;
    const kinds = p.findings.length === 0 ? (['unexplained'] as const) : p.findings.map((f) => f.kind);
    for (const kind of new Set(kinds)) groups.set(kind, [...(groups.get(kind) ?? []), label]);
  }
  const parts = [...groups.entries()].map(
    ([kind, labels]) => `${kind === 'unexplained' ? 'no rule holds' : FINDING_TITLES[kind]}: ${labels.join(', ')}`,
  );
  return `${title}, short of ideal — ${parts.join('; ')}`;
}
