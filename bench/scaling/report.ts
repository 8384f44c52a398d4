// A sweep's result as tables (speedup and efficiency per mode and worker count, the fitted serial
// fraction, median times, GB/s), line charts (speedup vs workers with the ideal line) and notes —
// every figure computed from the measurements.
import { formatPercent, formatSignificant } from 'gil-lab/report/format';
import type { ChartSpec } from 'gil-lab/report/types';
import type { BenchTable } from '../suite.js';
import type { ScalingType, SweepResult, SweepSeries } from './sweep.js';

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
