/** One record of the interpreter lock's event trace, as the lock API reports it (src/interpreter.ts). */
import type { LockEvent, LockEventKind } from '../interpreter.js';
export type { LockEvent, LockEventKind };

/** A human name for a thread id, shown instead of the bare id. */
export interface ThreadLabel {
  threadId: number;
  name: string;
}

export interface Series {
  label: string;
  points: { x: number; y: number }[];
}

/** How tick labels on a chart axis are written. */
export type AxisFormat = 'number' | 'bytes' | 'percent';

export interface ChartSpec {
  /**
   * line (default): x is a numeric quantity (workers, bytes). bar: x is a category, the 0-based
   * index into `categories` (methods, kinds), drawn as grouped bars, one bar per series.
   */
  kind?: 'line' | 'bar';
  /** bar charts: the category names along x. */
  categories?: string[];
  /** A sentence under the chart that adds to its title (what to look for); omitted when it would only repeat it. */
  caption?: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Draw the ideal line y = x (perfect scaling) behind the series. */
  ideal?: 'y=x' | null;
  logX?: boolean;
  logY?: boolean;
  /** Tick label format; 'number' when absent. 'bytes' writes 1 KiB, 64 MiB. */
  xFormat?: AxisFormat;
  yFormat?: AxisFormat;
}

export const LOCK_EVENT_KINDS: readonly LockEventKind[] = ['wait-start', 'acquired', 'released', 'drop-request'];
