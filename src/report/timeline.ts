// The terminal lock timeline, in the manner of David Beazley's GIL diagrams: one row per thread, time
// across, a block glyph per character cell for what the thread was doing with the lock. Each cell
// shows the state the thread spent most of that cell's time in, so a row never claims two states at
// once and the rows of threads sharing one lock never overlap in `holding` by more than rounding.
import { scaleLinear } from 'd3-scale';
import { formatPercent, plural, timeUnitFor } from './format.js';
import { binTrack, buildLockTimeline, type IntervalOptions, type LockTimeline, type ThreadState } from './intervals.js';
import type { LockEvent } from './types.js';

export const TIMELINE_GLYPHS: Readonly<Record<ThreadState, string>> = {
  holding: '█',
  waiting: '▒',
  running: '░',
};

/** Cells where nothing is known yet (before a thread's first event). */
export const TIMELINE_BLANK = ' ';

export const TIMELINE_LEGEND: Readonly<Record<ThreadState, string>> = {
  holding: 'holding the lock',
  waiting: 'waiting for it',
  running: 'running without it',
};

const ANSI: Readonly<Record<ThreadState, string>> = { holding: '\x1b[32m', waiting: '\x1b[31m', running: '\x1b[34m' };
const ANSI_RESET = '\x1b[0m';

/** Narrowest timeline that still has room for a name and ten time cells. */
export const MIN_TIMELINE_WIDTH = 20;
/** Characters per line at most: wider than any terminal, small enough never to exhaust memory. */
export const MAX_TIMELINE_WIDTH = 10_000;
const MIN_CELLS = 10;
const MAX_NAME_WIDTH = 20;

export interface TimelineOptions extends IntervalOptions {
  /** Total characters per line; default: the terminal's width, or 80 when not a terminal. */
  width?: number;
  /** ANSI colours; default: only when stdout is a TTY and NO_COLOR is not set. */
  colour?: boolean;
  /** A heading line above the rows. */
  title?: string;
  /** Show each thread's held/wait percentages after its row when there is room (default true). */
  showTotals?: boolean;
}

function defaultColour(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

function defaultWidth(): number {
  const columns = process.stdout.columns;
  return typeof columns === 'number' && columns >= MIN_TIMELINE_WIDTH ? columns : 80;
}

/** Strips control characters (a name must not move the cursor or start an escape sequence). */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

function paint(glyphs: string, state: ThreadState | null, colour: boolean): string {
  return colour && state !== null ? `${ANSI[state]}${glyphs}${ANSI_RESET}` : glyphs;
}

/** Renders the timeline of lock events as text lines (joined with \n, no trailing newline). */
export function renderTimeline(events: readonly LockEvent[], options: TimelineOptions = {}): string {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  return renderLockTimeline(buildLockTimeline(events, options), options);
}

/** Renders an already reconstructed timeline; see renderTimeline. */
export function renderLockTimeline(
  timeline: LockTimeline,
  options: Omit<TimelineOptions, keyof IntervalOptions> = {},
): string {
  const width = options.width ?? defaultWidth();
  if (typeof width !== 'number') throw new TypeError(`options.width must be a number, got ${typeof width}`);
  if (!Number.isInteger(width) || width < MIN_TIMELINE_WIDTH || width > MAX_TIMELINE_WIDTH) {
    throw new RangeError(
      `options.width must be an integer between ${MIN_TIMELINE_WIDTH} and ${MAX_TIMELINE_WIDTH}, got ${width}`,
    );
  }
  const colour = options.colour ?? defaultColour();
  if (typeof colour !== 'boolean') throw new TypeError('options.colour must be a boolean');
  if (options.title !== undefined && typeof options.title !== 'string')
    throw new TypeError('options.title must be a string');
  const showTotals = options.showTotals ?? true;

  const lines: string[] = [];
  if (options.title) lines.push(fit(printable(options.title), width).trimEnd());
  const { tracks, startNs, endNs } = timeline;
  if (tracks.length === 0) {
    lines.push('(no lock events in this window)');
    return lines.join('\n');
  }

  // Layout: name, " │", cells, "│", optional totals. Give up totals, then name width, for cells.
  const names = tracks.map((track) => printable(track.name));
  let nameWidth = Math.min(MAX_NAME_WIDTH, Math.max(...names.map((name) => Array.from(name).length), 1));
  const totalsText = tracks.map(
    (track) =>
      ` held ${formatPercent(track.totalsNs.holding / (endNs - startNs), 0).padStart(4)}` +
      ` wait ${formatPercent(track.totalsNs.waiting / (endNs - startNs), 0).padStart(4)}`,
  );
  let totalsWidth = showTotals ? Math.max(...totalsText.map((text) => text.length)) : 0;
  let cells = width - nameWidth - 3 - totalsWidth;
  if (cells < MIN_CELLS && totalsWidth > 0) {
    totalsWidth = 0;
    cells = width - nameWidth - 3;
  }
  if (cells < MIN_CELLS) {
    nameWidth = Math.max(1, width - 3 - MIN_CELLS);
    cells = width - nameWidth - 3;
  }

  tracks.forEach((track, index) => {
    const states = binTrack(track, startNs, endNs, cells);
    let row = '';
    // Run-length grouping keeps colour codes to one pair per run.
    for (let column = 0; column < states.length;) {
      const state = states[column] ?? null;
      let end = column + 1;
      while (end < states.length && (states[end] ?? null) === state) end++;
      const glyph = state === null ? TIMELINE_BLANK : TIMELINE_GLYPHS[state];
      row += paint(glyph.repeat(end - column), state, colour);
      column = end;
    }
    lines.push(`${fit(names[index]!, nameWidth)} │${row}│${totalsWidth > 0 ? totalsText[index]! : ''}`.trimEnd());
  });

  // Time axis: ticks at round values of the chosen unit, relative to the window's start.
  const unit = timeUnitFor(endNs - startNs);
  const spanInUnit = (endNs - startNs) / unit.factor;
  const scale = scaleLinear().domain([0, spanInUnit]);
  const tickCount = Math.max(2, Math.floor(cells / 12));
  const ticks = scale.ticks(tickCount);
  const tickLabel = scale.tickFormat(tickCount);
  const axis = Array.from({ length: cells }, () => '─');
  const labels = Array.from({ length: cells + 1 }, () => ' '); // may reach under the closing ┘
  let labelsEnd = -1; // first free label position, keeping one space between labels
  for (const tick of ticks) {
    const column = Math.min(cells - 1, Math.floor((tick / spanInUnit) * cells));
    axis[column] = '┬';
    const text = `${tickLabel(tick)} ${unit.unit}`;
    // Left-aligned at the tick; pulled left at the right edge so the label stays on the line.
    const start = Math.min(column, cells + 1 - text.length);
    if (start < labelsEnd || start < 0) continue;
    for (let i = 0; i < text.length; i++) labels[start + i] = text[i]!;
    labelsEnd = start + text.length + 1;
  }
  const indent = ' '.repeat(nameWidth);
  lines.push(`${indent} └${axis.join('')}┘`);
  lines.push(`${indent}  ${labels.join('')}`.trimEnd());

  // Legend, wrapped to the width.
  const drops = tracks.reduce((sum, track) => sum + track.dropRequestsNs.length, 0);
  const items = (Object.keys(TIMELINE_GLYPHS) as ThreadState[]).map((state) => ({
    plain: `${TIMELINE_GLYPHS[state]} ${TIMELINE_LEGEND[state]}`,
    text: `${paint(TIMELINE_GLYPHS[state], state, colour)} ${TIMELINE_LEGEND[state]}`,
  }));
  const dropText = plural(drops, 'drop request');
  items.push({ plain: dropText, text: dropText });
  let legend = '';
  let legendLength = 0;
  for (const item of items) {
    const length = Array.from(item.plain).length;
    if (legendLength > 0 && legendLength + 3 + length > width) {
      lines.push(legend);
      legend = '';
      legendLength = 0;
    }
    legend += (legendLength > 0 ? '   ' : '') + item.text;
    legendLength += (legendLength > 0 ? 3 : 0) + length;
  }
  if (legendLength > 0) lines.push(legend);
  return lines.join('\n');
}
