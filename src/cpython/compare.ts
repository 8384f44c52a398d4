// The model against CPython, row by row: each comparable figure of the model's run next to the
// twin's, their ratio, and whether they agree within the tolerance the experiment states.
import { formatNs } from '../report/index.js';

/**
 * How close a model figure must be to CPython's to agree.
 * - `difference`: |model − cpython| ≤ within (speedups, efficiencies, shares: dimensionless figures near 1).
 * - `factor`: within a factor of `within` either way (latencies, rates); differences below `floor`
 *   (same unit as the values) agree whatever the factor, since both are then at the noise level.
 * - `equal`: the same outcome (a word, e.g. "stopped").
 * - `context`: shown for reading, never judged (a Node-only row, a figure the two cannot share).
 */
export type Tolerance =
  | { kind: 'difference'; within: number }
  | { kind: 'factor'; within: number; floor?: number }
  | { kind: 'equal' }
  | { kind: 'context' };

export type Figure = number | string | null;

/** One line of the side-by-side table. */
export interface ComparisonRow extends Record<string, string | number | boolean | null> {
  /** What is compared, e.g. "threads-hold speedup, 2 workers". */
  row: string;
  /** The unit the figures are in: "×", "µs", "ms", "s", "GB/s", "share", "" (a word). */
  unit: string;
  model: Figure;
  cpython: Figure;
  /** model / cpython, when both are positive numbers. */
  ratio: number | null;
  /** The tolerance in words, e.g. "±0.15", "within 2×", "context". */
  tolerance: string;
  /** true/false: within the tolerance or not; null: not judged (context, or a figure missing). */
  agrees: boolean | null;
  /** Who the row is about when it is not both: "Node" for rows that exist only in Node. */
  label: string | null;
  /** A fact that goes with the row (e.g. what Python does instead of a Node-only method). */
  note: string | null;
}

export function toleranceText(tolerance: Tolerance): string {
  switch (tolerance.kind) {
    case 'difference':
      return `±${tolerance.within}`;
    case 'factor':
      return `within ${tolerance.within}×`;
    case 'equal':
      return 'same';
    case 'context':
      return 'context';
  }
}

/** Whether two figures agree within the tolerance; null when it cannot be judged. */
export function withinTolerance(model: Figure, cpython: Figure, tolerance: Tolerance): boolean | null {
  if (tolerance.kind === 'context' || model === null || cpython === null) return null;
  if (tolerance.kind === 'equal') return model === cpython;
  if (typeof model !== 'number' || typeof cpython !== 'number' || !Number.isFinite(model) || !Number.isFinite(cpython))
    return null;
  if (tolerance.kind === 'difference') return Math.abs(model - cpython) <= tolerance.within + 1e-12;
  if (tolerance.floor !== undefined && Math.abs(model - cpython) <= tolerance.floor) return true;
  if (model <= 0 || cpython <= 0) return model === cpython;
  const factor = model > cpython ? model / cpython : cpython / model;
  return factor <= tolerance.within;
}

export interface CompareInput {
  row: string;
  unit: string;
  model: Figure | undefined;
  cpython: Figure | undefined;
  tolerance: Tolerance;
  label?: string;
  note?: string;
}

/** One comparison row from two figures (undefined: the run lacks it) and the tolerance. */
export function compareFigures(input: CompareInput): ComparisonRow {
  const model = input.model ?? null;
  const cpython = input.cpython ?? null;
  const ratio =
    typeof model === 'number' && typeof cpython === 'number' && model > 0 && cpython > 0 ? model / cpython : null;
  return {
    row: input.row,
    unit: input.unit,
    model,
    cpython,
    ratio,
    tolerance: toleranceText(input.tolerance),
    agrees: withinTolerance(model, cpython, input.tolerance),
    label: input.label ?? null,
    note: input.note ?? null,
  };
}

/** A figure with its unit, for tables and text. */
export function formatFigure(value: Figure, unit: string): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'µs':
      return formatNs(value * 1000);
    case 'ms':
      return formatNs(value * 1e6);
    case 's':
      return formatNs(value * 1e9);
    case '×':
      return `${value.toFixed(2)}×`;
    case 'share':
      return `${Math.round(value * 100)}%`;
    case 'MB':
      return `${(value / 1e6).toFixed(1)} MB`;
    default:
      return `${Number(value.toPrecision(3))}${unit ? ` ${unit}` : ''}`;
  }
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '—';
  if (ratio >= 100) return `${Math.round(ratio)}×`;
  return ratio < 0.001 ? `${ratio.toExponential(1)}×` : `${Number(ratio.toPrecision(3))}×`;
}

/** The second verdict: does the model agree with CPython on every judged row? null when none could be judged. */
export function agreement(
  rows: readonly ComparisonRow[],
  pythonName: string,
): { agrees: boolean | null; text: string } {
  const judged = rows.filter((row) => row.agrees !== null);
  if (judged.length === 0) {
    return { agrees: null, text: `No row of this run could be judged against ${pythonName}.` };
  }
  const off = judged.filter((row) => row.agrees === false);
  const describe = (row: ComparisonRow) =>
    `${row.row} (model ${formatFigure(row.model, row.unit)}, ${pythonName} ${formatFigure(row.cpython, row.unit)}` +
    `${row.ratio === null ? '' : `, ${formatRatio(row.ratio)}`}; tolerance ${row.tolerance})`;
  if (off.length === 0) {
    return {
      agrees: true,
      text: `The model agrees with ${pythonName} on this machine: all ${judged.length} judged rows are within their tolerances.`,
    };
  }
  return {
    agrees: false,
    text:
      `The model disagrees with ${pythonName} on this machine on ${off.length} of ${judged.length} judged rows: ` +
      `${off.map(describe).join('; ')}.`,
  };
}
