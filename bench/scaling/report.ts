// A sweep's result as tables (speedup and efficiency per mode and worker count, the fitted serial
// fraction, median times, GB/s), line charts (speedup vs workers with the ideal line) and notes —
// every figure computed from the measurements.
import { formatPercent, formatSignificant } from '#internal/report/format';
import type { ChartSpec } from '#internal/report/types';
import type { BenchTable } from '../suite.js';
import { DISPATCH_FRACTION, explainPoint, summarizeFindings, type Finding, type MachineFacts } from './explain.js';
import type { ScalingType, SweepResult, SweepSeries } from './sweep.js';
import type { PointTiming } from './timing.js';

const TYPE_TITLE: Record<ScalingType, string> = {
  strong: 'strong scaling (fixed total work): speedup T(1)/T(n)',
  weak: 'weak scaling (fixed work per worker): scaled speedup n·T(1)/T(n)',
};

const speedupText = (value: number) => `${formatSignificant(value, 3)}×`;

function seriesFor(result: SweepResult, workload: string, type: ScalingType): SweepSeries[] {
  return result.series.filter((s) => s.workload === workload && s.type === type);
}

function fitText(series: SweepSeries): string {
  if (series.fit === null) return '–';
  return formatSignificant(series.fit.serialFraction, 3);
}

function limitText(series: SweepSeries): string {
  if (series.fit === null || series.fit.maxSpeedup === undefined) return '–';
  return series.fit.maxSpeedup === null ? '∞' : speedupText(series.fit.maxSpeedup);
}

/** One table per workload and scaling type: speedup (efficiency) per worker count, and the fit. */
export function speedupTables(result: SweepResult): BenchTable[] {
  const tables: BenchTable[] = [];
  for (const workload of result.workloads) {
    for (const type of result.types) {
      const law = type === 'strong' ? 'Amdahl' : 'Gustafson';
      const columns: BenchTable['columns'] = [
        { key: 'mode', header: 'mode' },
        { key: 't1', header: 'T(1)', align: 'right' },
        ...result.workerCounts.map((n) => ({ key: `n${n}`, header: `×${n}`, align: 'right' as const })),
        { key: 'serial', header: `serial fraction (${law})`, align: 'right' },
      ];
      if (type === 'strong') columns.push({ key: 'limit', header: 'limit 1/s', align: 'right' });
      columns.push({ key: 'rms', header: 'fit rms', align: 'right' });
      const rows = seriesFor(result, workload.name, type).map((series) => {
        const row: Record<string, string> = {
          mode: series.mode,
          t1: `${formatSignificant(series.points[0]!.medianMs, 3)} ms`,
          serial: fitText(series),
          limit: limitText(series),
          rms: series.fit === null ? '–' : series.fit.rmsError < 5e-4 ? '0' : formatSignificant(series.fit.rmsError, 2),
        };
        for (const p of series.points)
          row[`n${p.workers}`] = `${speedupText(p.speedup)} ${formatPercent(p.efficiency, 0)}`;
        return row;
      });
      tables.push({
        title: `${workload.name} (${workload.kind}) — ${TYPE_TITLE[type]}, with efficiency; fit over ≤ ${result.cores} workers`,
        columns,
        rows,
      });
    }
  }
  return tables;
}

/** Median batch times (ms) per worker count, with the spread of the repeats; and GB/s for memory-bound workloads. */
export function timeTables(result: SweepResult): BenchTable[] {
  const tables: BenchTable[] = [];
  for (const workload of result.workloads) {
    for (const type of result.types) {
      const memory = workload.kind === 'memory-bound';
      const columns: BenchTable['columns'] = [
        { key: 'mode', header: 'mode' },
        ...result.workerCounts.map((n) => ({ key: `n${n}`, header: `×${n}`, align: 'right' as const })),
      ];
      const rows = seriesFor(result, workload.name, type).map((series) => {
        const row: Record<string, string> = { mode: series.mode };
        for (const p of series.points) {
          const spread = (Math.max(...p.timesMs) - Math.min(...p.timesMs)) / p.medianMs;
          row[`n${p.workers}`] =
            memory && p.gbPerSec !== undefined
              ? `${formatSignificant(p.medianMs, 3)} ms, ${formatSignificant(p.gbPerSec, 3)} GB/s`
              : `${formatSignificant(p.medianMs, 3)} ms ±${formatPercent(spread / 2, 0)}`;
        }
        return row;
      });
      tables.push({
        title:
          `${workload.name} — ${type} scaling: median batch time of ${result.repeats} runs` +
          (memory ? ' and bandwidth (24 bytes per element)' : ' (± half the range of the runs)'),
        columns,
        rows,
      });
    }
  }
  return tables;
}

/** Speedup vs workers, one chart per workload and scaling type, one line per mode, with the ideal y = x. */
export function speedupCharts(result: SweepResult): ChartSpec[] {
  return result.workloads.flatMap((workload) =>
    result.types.map((type) => ({
      title: `${workload.name} (${workload.kind}), ${type} scaling — ${result.cores} hardware threads`,
      xLabel: 'workers',
      yLabel: type === 'strong' ? 'speedup T(1)/T(n)' : 'scaled speedup n·T(1)/T(n)',
      ideal: 'y=x' as const,
      series: seriesFor(result, workload.name, type).map((s) => ({
        label: s.mode,
        points: s.points.map((p) => ({ x: p.workers, y: p.speedup })),
      })),
    })),
  );
}

/** Findings in words, each computed from the points. */
export function sweepNotes(result: SweepResult): string[] {
  const notes: string[] = [];
  for (const workload of result.workloads) {
    for (const type of result.types) {
      const parts = seriesFor(result, workload.name, type).map((series) => {
        const best = series.points.reduce((a, b) => (b.speedup > a.speedup ? b : a));
        const fit = series.fit === null ? '' : `, s = ${formatSignificant(series.fit.serialFraction, 2)}`;
        return `${series.mode} ${speedupText(best.speedup)} at ×${best.workers}${fit}`;
      });
      notes.push(`${workload.name} ${type}: best speedup per mode — ${parts.join('; ')}`);
    }
    if (workload.kind === 'memory-bound') {
      // Bandwidth over the strong-scaling span (the same bytes at every worker count).
      const strong = result.series.filter((s) => s.workload === workload.name && s.type === 'strong');
      const one = strong.map((s) => s.points[0]!.gbPerSec).filter((v): v is number => v !== undefined);
      const all = strong.flatMap((s) =>
        s.points.map((p) => ({ mode: s.mode, workers: p.workers, gbPerSec: p.gbPerSec })),
      );
      if (one.length > 0) {
        const oneWorker = one.sort((a, b) => a - b)[one.length >> 1]!;
        const peak = all.reduce((a, b) => ((b.gbPerSec ?? 0) > (a.gbPerSec ?? 0) ? b : a));
        notes.push(
          `${workload.name} strong: one worker moves ${formatSignificant(oneWorker, 3)} GB/s (median over modes); ` +
            `the peak is ${formatSignificant(peak.gbPerSec!, 3)} GB/s (${peak.mode}, ×${peak.workers}), ` +
            `${formatSignificant(peak.gbPerSec! / oneWorker, 3)}× one worker, on ${result.cores} hardware threads`,
        );
      }
    }
  }
  return notes;
}

const compactPercent = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
const compactRatio = (value: number | null) => (value === null ? '–' : value.toFixed(2));

/** The compact timing cell: spread, imbalance (both % of the batch), CPU/wall min/median, tasks per worker. */
export function timingCell(timing: PointTiming): string {
  const tasks =
    timing.tasksPerWorkerMin === timing.tasksPerWorkerMax
      ? `${timing.tasksPerWorkerMin}`
      : `${timing.tasksPerWorkerMin}–${timing.tasksPerWorkerMax}`;
  return (
    `sp ${compactPercent(timing.dispatchSpreadFraction)} im ${compactPercent(timing.imbalanceFraction)} ` +
    `c/w ${compactRatio(timing.cpuWallMin)}/${compactRatio(timing.cpuWallMedian)} t/w ${tasks}`
  );
}

/** Where the time went, per workload and scaling type: one compact timing cell per mode and worker count. */
export function timingTables(result: SweepResult): BenchTable[] {
  const tables: BenchTable[] = [];
  for (const workload of result.workloads) {
    for (const type of result.types) {
      const rows = seriesFor(result, workload.name, type)
        .filter((series) => series.points.some((p) => p.timing !== undefined))
        .map((series) => {
          const row: Record<string, string> = { mode: series.mode };
          for (const p of series.points) row[`n${p.workers}`] = p.timing === undefined ? '–' : timingCell(p.timing);
          return row;
        });
      if (rows.length === 0) continue;
      tables.push({
        title:
          `${workload.name} — ${type} scaling: where the time went${result.pin ? ' (workers pinned)' : ''} — ` +
          'sp: dispatch spread (last start − first start), im: imbalance (slowest − median task), both % of the batch (median of the runs); ' +
          'c/w: CPU/wall of the tasks, min/median (< 0.9: off the CPU); t/w: tasks per worker in a batch',
        columns: [
          { key: 'mode', header: 'mode' },
          ...result.workerCounts.map((n) => ({ key: `n${n}`, header: `×${n}`, align: 'right' as const })),
        ],
        rows,
      });
    }
  }
  return tables;
}

export interface PointExplanation {
  workload: string;
  type: ScalingType;
  mode: string;
  workers: number;
  efficiency: number;
  findings: Finding[];
}

/** Every timed point's findings (./explain.ts), for the JSON and the notes. */
export function explainSweep(result: SweepResult, machine: MachineFacts): PointExplanation[] {
  const kinds = new Map(result.workloads.map((w) => [w.name, w.kind]));
  const lockShared = new Map(result.modes.map((m) => [m.name, m.lockShared]));
  return result.series.flatMap((series) =>
    series.points
      .filter((p) => p.timing !== undefined)
      .map((p) => ({
        workload: series.workload,
        type: series.type,
        mode: series.mode,
        workers: p.workers,
        efficiency: p.efficiency,
        findings: explainPoint(machine, {
          workers: p.workers,
          efficiency: p.efficiency,
          workloadKind: kinds.get(series.workload) ?? 'cpu-bound',
          lockShared: lockShared.get(series.mode) ?? false,
          timing: p.timing!,
        }),
      })),
  );
}

/**
 * The explanation the data supports, in words: per workload and type, the points that fall short
 * grouped by the rule that explains them; then whether dispatch stayed under 1% of the batch at
 * the largest worker count.
 */
export function explanationNotes(result: SweepResult, explanations: readonly PointExplanation[]): string[] {
  const notes: string[] = [];
  for (const workload of result.workloads) {
    for (const type of result.types) {
      const points = explanations.filter((e) => e.workload === workload.name && e.type === type);
      if (points.length > 0) notes.push(summarizeFindings(`why: ${workload.name} ${type}`, points));
    }
  }
  // Spread under a shared lock is the lock's order, not dispatch: those modes are left out.
  const lockShared = new Set(result.modes.filter((m) => m.lockShared).map((m) => m.name));
  const spreadAt = (workers: number) => {
    const points = result.series
      .filter((s) => !lockShared.has(s.mode))
      .flatMap((s) =>
        s.points
          .filter((p) => p.workers === workers && p.timing !== undefined)
          .map((p) => ({ label: `${s.workload} ${s.type} ${s.mode}`, fraction: p.timing!.dispatchSpreadFraction })),
      );
    if (points.length === 0) return null;
    const worst = points.reduce((a, b) => (b.fraction > a.fraction ? b : a));
    const over = points.filter((p) => p.fraction > DISPATCH_FRACTION).length;
    return `at ×${workers} the widest is ${compactPercent(worst.fraction)} of the batch (${worst.label}), ${over} of ${points.length} points over 1%`;
  };
  const fitting = result.workerCounts.filter((n) => n <= result.cores);
  const largest = result.workerCounts[result.workerCounts.length - 1]!;
  const parts: string[] = [];
  for (const n of new Set([fitting[fitting.length - 1]!, largest])) {
    const text = spreadAt(n);
    if (text !== null) parts.push(n > result.cores ? `${text} (there starts also wait for a free CPU)` : text);
  }
  if (parts.length > 0)
    notes.push(`dispatch spread, modes without a shared lock (goal: under 1%): ${parts.join('; ')}`);
  return notes;
}
