// Standalone SVG charts: line charts (speedup vs workers with the ideal line, latency vs CPU threads,
// GB/s vs payload on a log axis) and the lock timeline.
//
// Why hand-written SVG around d3-scale rather than a charting library: the part of charting that is
// easy to get wrong — domains, "nice" round tick values, log ticks — comes from d3-scale, a maintained
// library that needs no DOM. The drawing itself is a few dozen elements (axes, polylines, rects, a
// legend). The libraries that render whole charts to SVG in Node (Vega, for one) render
// asynchronously, which would make every report function async, bring in dozens of packages, and
// still only estimate text widths without a canvas. The timeline has no library equivalent at all:
// it is rectangles binned per pixel from the same reconstruction the terminal timeline uses.
//
// The SVG uses no ids (so several charts can be inlined in one HTML page), no scripts, no external
// references, and escapes every piece of text.
import { scaleLinear, scaleLog } from 'd3-scale';
import { formatBytes, formatPercent, formatSignificant, timeUnitFor } from './format.js';
import { binTrack, buildLockTimeline, type IntervalOptions, type ThreadState } from './intervals.js';
import type { AxisFormat, ChartSpec, LockEvent } from './types.js';

export interface SvgSize {
  /** Pixels; defaults depend on the chart. */
  width?: number;
  height?: number;
}

/** Category colours, in series order; chosen to stay distinct for the common colour-vision deficiencies. */
export const SERIES_COLOURS: readonly string[] = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#7a5195',
  '#8c564b',
  '#4d4d4d',
  '#b8a400',
];

export const STATE_COLOURS: Readonly<Record<ThreadState, string>> = {
  holding: '#2e9e44',
  waiting: '#d64541',
  running: '#a9c8e8',
};

const STATE_NAMES: Readonly<Record<ThreadState, string>> = {
  holding: 'holding the lock',
  waiting: 'waiting for the lock',
  running: 'running without the lock',
};

export const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
/** Average glyph width of the 12 px font, for laying out text without a renderer to measure it. */
export const CHAR_WIDTH = 6.8;
/** The same for the 16 px bold titles (wide glyphs included: estimates must err on the wide side). */
const TITLE_CHAR_WIDTH = 9.6;
/** Baseline-to-baseline distance of title lines. */
export const TITLE_LINE_HEIGHT = 20;

/**
 * A chart title as lines that fit `width` pixels (estimated, as no renderer measures text here):
 * wrapped at spaces into at most `maxLines` lines, the last shortened with an ellipsis if need be.
 */
export function titleLines(title: string, width: number, maxLines = 2): string[] {
  const maxChars = Math.max(8, Math.floor(width / TITLE_CHAR_WIDTH));
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (Array.from(candidate).length <= maxChars || !line) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  const kept = lines.slice(0, maxLines);
  if (lines.length > maxLines) kept[maxLines - 1] = `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`;
  return kept.map((text) => truncateText(text, maxChars));
}

/** The title's <text> element(s), the first baseline at y = 26. */
export function renderTitle(title: string, width: number, anchor: 'middle' | 'start'): { svg: string; height: number } {
  const lines = titleLines(title, width - 32);
  const x = anchor === 'middle' ? width / 2 : 16;
  const tspans = lines
    .map((line, i) => `<tspan x="${px(x)}" dy="${i === 0 ? 0 : TITLE_LINE_HEIGHT}">${escapeXml(line)}</tspan>`)
    .join('');
  return {
    svg: `<text class="chart-title" x="${px(x)}" y="26" text-anchor="${anchor}" font-size="16" font-weight="600" fill="#222222">${tspans}</text>\n`,
    height: (lines.length - 1) * TITLE_LINE_HEIGHT,
  };
}

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  return text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A number for an SVG attribute: two decimals are far below a pixel. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function truncateText(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : chars.slice(0, Math.max(1, maxChars - 1)).join('') + '…';
}

/** The largest width or height, in pixels: far beyond any screen, far below what would exhaust memory. */
const MAX_SVG_SIZE = 100_000;

export function checkSize(
  size: SvgSize,
  defaults: { width: number; height: number },
  minimum: { width: number; height: number },
): { width: number; height: number } {
  if (typeof size !== 'object' || size === null) throw new TypeError('options must be an object');
  const result = { width: size.width ?? defaults.width, height: size.height ?? defaults.height };
  for (const key of ['width', 'height'] as const) {
    const value = result[key];
    if (typeof value !== 'number') throw new TypeError(`options.${key} must be a number, got ${typeof value}`);
    if (!Number.isFinite(value) || value < minimum[key] || value > MAX_SVG_SIZE)
      throw new RangeError(`options.${key} must be between ${minimum[key]} and ${MAX_SVG_SIZE}, got ${value}`);
  }
  return result;
}

export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
    `role="img" font-family="${escapeXml(FONT)}" font-size="12">\n<title>${escapeXml(title)}</title>\n` +
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>\n`
  );
}

export function formatTick(value: number, format: AxisFormat, fallback: (value: number) => string): string {
  switch (format) {
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return formatPercent(value, 0);
    default:
      return fallback(value);
  }
}

/** Short tick text for plain numbers: 0.1, 1, 250, 10k, 2.5M (no trailing zeros, SI suffixes past 10^4). */
export function formatTickNumber(value: number): string {
  const magnitude = Math.abs(value);
  const suffixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e4, 'k'],
  ];
  for (const [factor, suffix] of suffixes) {
    if (magnitude >= factor) {
      const scaled = factor === 1e4 ? value / 1e3 : value / factor;
      return `${Number(scaled.toPrecision(4))}${factor === 1e4 ? 'k' : suffix}`;
    }
  }
  return String(Number(value.toPrecision(6)));
}

export interface Axis {
  scale: (value: number) => number;
  ticks: { value: number; label: string }[];
  domain: [number, number];
  log: boolean;
}

/** Builds a scale over the data with round tick values; `integers` keeps only whole-number ticks. */
export function buildAxis(
  values: number[],
  log: boolean,
  format: AxisFormat,
  range: [number, number],
  tickCount: number,
  integers: boolean,
): Axis {
  if (log) {
    const base = format === 'bytes' ? 2 : 10;
    const positive = values.length > 0 ? values : [1, base];
    let lo = Math.min(...positive);
    let hi = Math.max(...positive);
    if (lo === hi) {
      lo /= base;
      hi *= base;
    }
    const scale = scaleLog().base(base).domain([lo, hi]).range(range).nice();
    let tickValues = scale.ticks();
    const labelled = scale.tickFormat(tickCount);
    let ticks: { value: number; label: string }[];
    if (base === 2) {
      // Base-2 ticks are one per power of two: keep every step-th so labels do not collide.
      const step = Math.max(1, Math.ceil(tickValues.length / tickCount));
      tickValues = tickValues.filter((value) => Math.round(Math.log2(value)) % step === 0);
      ticks = tickValues.map((value) => ({ value, label: formatTick(value, format, formatTickNumber) }));
    } else {
      ticks = tickValues.map((value) => ({
        value,
        label: labelled(value) === '' ? '' : formatTick(value, format, formatTickNumber),
      }));
    }
    const domain = scale.domain() as [number, number];
    return { scale: (value) => scale(value), ticks, domain, log: true };
  }
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  // Magnitudes (seconds, speedups, GB/s) are read against zero.
  if (lo > 0) lo = 0;
  if (hi < 0) hi = 0;
  if (lo === hi) hi = lo + 1;
  const scale = scaleLinear().domain([lo, hi]).range(range).nice(tickCount);
  let tickValues = scale.ticks(tickCount);
  // d3's formatter gives every label the precision of the tick step (0.0, 0.5, 1.0); once only
  // whole numbers are left they read better without it.
  let numberFormat: (value: number) => string = scale.tickFormat(tickCount);
  if (integers) {
    const whole = tickValues.filter((value) => Number.isInteger(value));
    if (whole.length >= 2) {
      tickValues = whole;
      numberFormat = formatTickNumber;
    }
  }
  return {
    scale: (value) => scale(value),
    ticks: tickValues.map((value) => ({ value, label: formatTick(value, format, numberFormat) })),
    domain: scale.domain() as [number, number],
    log: false,
  };
}

/** The y axis's tick marks and labels, left of `left` (the line chart's and the bar chart's alike). */
export function yTicksSvg(yAxis: Axis, left: number): string {
  let svg = '';
  for (const tick of yAxis.ticks) {
    const y = yAxis.scale(tick.value);
    svg += `<line x1="${px(left - 5)}" x2="${px(left)}" y1="${px(y)}" y2="${px(y)}" stroke="#444444"/>`;
    if (tick.label)
      svg += `<text x="${px(left - 8)}" y="${px(y + 4)}" text-anchor="end">${escapeXml(tick.label)}</text>`;
    svg += '\n';
  }
  return svg;
}

function validateChartSpec(spec: unknown): asserts spec is ChartSpec {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec must be a chart spec object');
  const record = spec as Record<string, unknown>;
  for (const key of ['title', 'xLabel', 'yLabel'] as const) {
    if (typeof record[key] !== 'string') throw new TypeError(`spec.${key} must be a string`);
  }
  if (!Array.isArray(record.series)) throw new TypeError('spec.series must be an array');
  if (record.ideal !== undefined && record.ideal !== null && record.ideal !== 'y=x')
    throw new RangeError('spec.ideal must be "y=x" or null');
  for (const key of ['logX', 'logY'] as const) {
    if (record[key] !== undefined && typeof record[key] !== 'boolean')
      throw new TypeError(`spec.${key} must be a boolean`);
  }
  for (const key of ['xFormat', 'yFormat'] as const) {
    if (record[key] !== undefined && !['number', 'bytes', 'percent'].includes(record[key] as string)) {
      throw new RangeError(`spec.${key} must be number, bytes or percent`);
    }
  }
  (record.series as unknown[]).forEach((series, i) => {
    if (typeof series !== 'object' || series === null) throw new TypeError(`spec.series[${i}] must be an object`);
    const s = series as Record<string, unknown>;
    if (typeof s.label !== 'string') throw new TypeError(`spec.series[${i}].label must be a string`);
    if (!Array.isArray(s.points)) throw new TypeError(`spec.series[${i}].points must be an array`);
    (s.points as unknown[]).forEach((point, j) => {
      const where = `spec.series[${i}].points[${j}]`;
      if (typeof point !== 'object' || point === null) throw new TypeError(`${where} must be an object { x, y }`);
      const p = point as Record<string, unknown>;
      for (const axis of ['x', 'y'] as const) {
        if (typeof p[axis] !== 'number') throw new TypeError(`${where}.${axis} must be a number`);
        if (!Number.isFinite(p[axis])) throw new RangeError(`${where}.${axis} must be finite, got ${p[axis]}`);
        if ((axis === 'x' ? record.logX : record.logY) === true && (p[axis] as number) <= 0) {
          throw new RangeError(`${where}.${axis} must be positive on a log axis, got ${p[axis]}`);
        }
      }
    });
  });
}

/** Renders a line chart (one polyline with markers per series, optional ideal y = x) as a standalone SVG document. */
export function renderLineChartSvg(spec: ChartSpec, options: SvgSize = {}): string {
  validateChartSpec(spec);
  const { width, height } = checkSize(options, { width: 720, height: 440 }, { width: 240, height: 180 });
  const xFormat = spec.xFormat ?? 'number';
  const yFormat = spec.yFormat ?? 'number';

  // Legend on the right, as wide as its longest label needs, within reason.
  const legendEntries = spec.series.map((series, index) => ({
    label: series.label,
    colour: SERIES_COLOURS[index % SERIES_COLOURS.length]!,
    dash: SERIES_DASHES[index % SERIES_DASHES.length]!,
    marker: MARKER_SHAPES[index % MARKER_SHAPES.length]! as MarkerShape | null,
  }));
  if (spec.ideal === 'y=x')
    legendEntries.push({ label: 'ideal (y = x)', colour: '#888888', dash: '6 4', marker: null });
  const maxLegendChars = Math.floor((width * 0.35 - 40) / CHAR_WIDTH);
  const legendChars = Math.min(
    maxLegendChars,
    Math.max(0, ...legendEntries.map((entry) => Array.from(entry.label).length)),
  );
  const legendWidth = legendEntries.length > 0 ? 40 + legendChars * CHAR_WIDTH : 0;

  const title = renderTitle(spec.title, width, 'middle');
  const margin = { top: 48 + title.height, right: 20 + legendWidth, bottom: 58, left: 72 };
  const plot = { left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
  const xs = spec.series.flatMap((series) => series.points.map((point) => point.x));
  const ys = spec.series.flatMap((series) => series.points.map((point) => point.y));
  const xTickCount = Math.max(2, Math.floor((plot.right - plot.left) / 80));
  const yTickCount = Math.max(2, Math.floor((plot.bottom - plot.top) / 50));
  const integersOnly = xs.length > 0 && xs.every((x) => Number.isInteger(x));
  const xAxis = buildAxis(xs, spec.logX === true, xFormat, [plot.left, plot.right], xTickCount, integersOnly);
  const yAxis = buildAxis(ys, spec.logY === true, yFormat, [plot.bottom, plot.top], yTickCount, false);

  let svg = svgOpen(width, height, spec.title);
  svg += title.svg;

  // Grid and ticks.
  svg += '<g stroke="#e4e4e4" stroke-width="1">\n';
  // Grid lines only at labelled ticks: a log axis's unlabelled 2..9 ticks would crowd the plot.
  for (const tick of yAxis.ticks.filter((t) => t.label))
    svg += `<line x1="${px(plot.left)}" x2="${px(plot.right)}" y1="${px(yAxis.scale(tick.value))}" y2="${px(yAxis.scale(tick.value))}"/>\n`;
  for (const tick of xAxis.ticks.filter((t) => t.label))
    svg += `<line x1="${px(xAxis.scale(tick.value))}" x2="${px(xAxis.scale(tick.value))}" y1="${px(plot.top)}" y2="${px(plot.bottom)}"/>\n`;
  svg += '</g>\n';
  svg +=
    `<g stroke="#444444" stroke-width="1"><line x1="${px(plot.left)}" x2="${px(plot.right)}" y1="${px(plot.bottom)}" y2="${px(plot.bottom)}"/>` +
    `<line x1="${px(plot.left)}" x2="${px(plot.left)}" y1="${px(plot.top)}" y2="${px(plot.bottom)}"/></g>\n`;
  svg += '<g fill="#444444">\n';
  for (const tick of xAxis.ticks) {
    const x = xAxis.scale(tick.value);
    svg += `<line x1="${px(x)}" x2="${px(x)}" y1="${px(plot.bottom)}" y2="${px(plot.bottom + 5)}" stroke="#444444"/>`;
    if (tick.label)
      svg += `<text x="${px(x)}" y="${px(plot.bottom + 19)}" text-anchor="middle">${escapeXml(tick.label)}</text>`;
    svg += '\n';
  }
  svg += yTicksSvg(yAxis, plot.left);
  svg += '</g>\n';
  svg += `<text x="${px((plot.left + plot.right) / 2)}" y="${px(height - 16)}" text-anchor="middle" font-size="13" fill="#222222">${escapeXml(spec.xLabel)}</text>\n`;
  svg += `<text transform="translate(18 ${px((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222222">${escapeXml(spec.yLabel)}</text>\n`;

  if (xs.length === 0) {
    svg += `<text x="${px((plot.left + plot.right) / 2)}" y="${px((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#888888">no data</text>\n`;
  }

  // The ideal line y = x, sampled so it is also right on mixed linear/log axes.
  if (spec.ideal === 'y=x') {
    const lo = Math.max(xAxis.domain[0], yAxis.domain[0]);
    const hi = Math.min(xAxis.domain[1], yAxis.domain[1]);
    if (hi > lo) {
      const samples = xAxis.log === yAxis.log ? 2 : 64;
      const points: string[] = [];
      for (let i = 0; i < samples; i++) {
        const f = i / (samples - 1);
        const v = xAxis.log ? lo * (hi / lo) ** f : lo + (hi - lo) * f;
        points.push(`${px(xAxis.scale(v))},${px(yAxis.scale(v))}`);
      }
      svg += `<polyline points="${points.join(' ')}" fill="none" stroke="#888888" stroke-width="1.5" stroke-dasharray="6 4"><title>ideal (y = x)</title></polyline>\n`;
    }
  }

  // Lines that coincide (several modes at the same speedup on a 2-core machine) stay apart by
  // their dash pattern and marker shape, not only by colour.
  spec.series.forEach((series, index) => {
    const { colour, dash, marker } = legendEntries[index]!;
    const points = [...series.points].sort((a, b) => a.x - b.x);
    svg += `<g stroke="${colour}" fill="${colour}">\n`;
    if (points.length > 1) {
      svg += `<polyline points="${points.map((p) => `${px(xAxis.scale(p.x))},${px(yAxis.scale(p.y))}`).join(' ')}" fill="none" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>\n`;
    }
    for (const point of points) {
      const label = `${series.label}: ${formatTick(point.x, xFormat, (v) => formatSignificant(v))}, ${formatTick(point.y, yFormat, (v) => formatSignificant(v))}`;
      svg += markerSvg(
        marker ?? 'circle',
        xAxis.scale(point.x),
        yAxis.scale(point.y),
        `<title>${escapeXml(label)}</title>`,
      );
    }
    svg += '</g>\n';
  });

  if (legendEntries.length > 0) {
    const left = plot.right + 16;
    svg += '<g font-size="12" fill="#222222">\n';
    legendEntries.forEach((entry, index) => {
      const y = plot.top + 8 + index * 20;
      svg += `<line x1="${px(left)}" x2="${px(left + 24)}" y1="${px(y)}" y2="${px(y)}" stroke="${entry.colour}" stroke-width="2"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`;
      if (entry.marker)
        svg += `<g fill="${entry.colour}" stroke="${entry.colour}">${markerSvg(entry.marker, left + 12, y, '')}</g>`;
      svg += `<text x="${px(left + 32)}" y="${px(y + 4)}">${escapeXml(truncateText(entry.label, legendChars))}</text>\n`;
    });
    svg += '</g>\n';
  }
  return svg + '</svg>\n';
}

/** Dash patterns per series, in order (solid first). */
const SERIES_DASHES: readonly string[] = ['', '7 4', '2 3', '9 3 2 3', '4 4', '12 4'];
type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'triangle-down' | 'cross';
const MARKER_SHAPES: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'cross'];

/** One data marker centred at (x, y), about 7 px across; `inner` goes inside the element (a <title>). */
function markerSvg(shape: MarkerShape, x: number, y: number, inner: string): string {
  const r = 4;
  const path = (d: string) => `<path d="${d}">${inner}</path>\n`;
  switch (shape) {
    case 'square':
      return `<rect x="${px(x - r + 0.5)}" y="${px(y - r + 0.5)}" width="${px(2 * r - 1)}" height="${px(2 * r - 1)}">${inner}</rect>\n`;
    case 'triangle':
      return path(`M${px(x)} ${px(y - r - 0.5)}L${px(x + r)} ${px(y + r - 0.5)}L${px(x - r)} ${px(y + r - 0.5)}Z`);
    case 'triangle-down':
      return path(`M${px(x)} ${px(y + r + 0.5)}L${px(x + r)} ${px(y - r + 0.5)}L${px(x - r)} ${px(y - r + 0.5)}Z`);
    case 'diamond':
      return path(
        `M${px(x)} ${px(y - r - 0.5)}L${px(x + r + 0.5)} ${px(y)}L${px(x)} ${px(y + r + 0.5)}L${px(x - r - 0.5)} ${px(y)}Z`,
      );
    case 'cross':
      return path(
        `M${px(x - r)} ${px(y - r)}L${px(x + r)} ${px(y + r)}M${px(x - r)} ${px(y + r)}L${px(x + r)} ${px(y - r)}`,
      ).replace('<path ', '<path stroke-width="2" fill="none" ');
    default:
      return `<circle cx="${px(x)}" cy="${px(y)}" r="3.5">${inner}</circle>\n`;
  }
}

export interface TimelineSvgOptions extends IntervalOptions, SvgSize {
  /** Heading; default "Interpreter lock timeline". */
  title?: string;
}

/** Renders the lock timeline (one row per thread: holding / waiting / running without the lock) as a standalone SVG document. */
export function renderTimelineSvg(events: readonly LockEvent[], options: TimelineSvgOptions = {}): string {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const title = options.title ?? 'Interpreter lock timeline';
  if (typeof title !== 'string') throw new TypeError('options.title must be a string');
  const timeline = buildLockTimeline(events, options);
  const rowHeight = 18;
  const rowPitch = 34;
  const top = 48;
  const naturalHeight = top + Math.max(1, timeline.tracks.length) * rowPitch + 96;
  const { width, height } = checkSize(
    { width: options.width, height: options.height ?? naturalHeight },
    { width: 900, height: naturalHeight },
    { width: 320, height: 120 },
  );

  const names = timeline.tracks.map((track) => track.name);
  const nameChars = Math.min(28, Math.max(8, ...names.map((name) => Array.from(name).length)));
  const plotLeft = 16 + nameChars * CHAR_WIDTH + 12;
  const plotRight = width - 20;
  const columns = Math.max(1, Math.floor(plotRight - plotLeft));
  const pixel = (plotRight - plotLeft) / columns;
  const span = timeline.endNs - timeline.startNs;

  let svg = svgOpen(width, height, title);
  // One line only: the rows are laid out under it (titles are short: what ran, how many workers).
  svg += `<text class="chart-title" x="16" y="26" font-size="16" font-weight="600" fill="#222222">${escapeXml(titleLines(title, width - 32, 1)[0] ?? '')}</text>\n`;
  if (timeline.tracks.length === 0) {
    svg += `<text x="${px(width / 2)}" y="${px(top + 20)}" text-anchor="middle" fill="#888888">no lock events in this window</text>\n`;
  }
  timeline.tracks.forEach((track, index) => {
    const y = top + index * rowPitch;
    const held = formatPercent(track.totalsNs.holding / span, 0);
    const waited = formatPercent(track.totalsNs.waiting / span, 0);
    svg += `<g>\n<title>${escapeXml(`${track.name}: held ${held}, waited ${waited}, ${track.acquisitions} acquisitions, ${track.dropRequestsNs.length} drop requests`)}</title>\n`;
    svg += `<text x="16" y="${px(y + 13)}" fill="#222222">${escapeXml(truncateText(track.name, nameChars))}</text>`;
    svg += `<text x="16" y="${px(y + 27)}" font-size="10" fill="#666666">held ${escapeXml(held)} · wait ${escapeXml(waited)}</text>\n`;
    svg += `<rect x="${px(plotLeft)}" y="${px(y)}" width="${px(plotRight - plotLeft)}" height="${rowHeight}" fill="#f4f4f4"/>\n`;
    const states = binTrack(track, timeline.startNs, timeline.endNs, columns);
    for (let column = 0; column < states.length;) {
      const state = states[column] ?? null;
      let end = column + 1;
      while (end < states.length && (states[end] ?? null) === state) end++;
      if (state !== null) {
        svg += `<rect x="${px(plotLeft + column * pixel)}" y="${px(y)}" width="${px((end - column) * pixel)}" height="${rowHeight}" fill="${STATE_COLOURS[state]}"/>\n`;
      }
      column = end;
    }
    // One marker per pixel column however many drop requests fall in it.
    const markerColumns = new Set(
      track.dropRequestsNs.map((t) => Math.min(columns - 1, Math.floor(((t - timeline.startNs) / span) * columns))),
    );
    for (const column of markerColumns) {
      const x = plotLeft + (column + 0.5) * pixel;
      svg += `<path d="M${px(x - 3.5)} ${px(y - 6)}L${px(x + 3.5)} ${px(y - 6)}L${px(x)} ${px(y)}Z" fill="#222222"/>\n`;
    }
    svg += '</g>\n';
  });

  // Time axis, relative to the start of the window.
  const axisY = top + Math.max(1, timeline.tracks.length) * rowPitch + 2;
  const unit = timeUnitFor(span);
  const scale = scaleLinear()
    .domain([0, span / unit.factor])
    .range([plotLeft, plotRight]);
  const tickCount = Math.max(2, Math.floor((plotRight - plotLeft) / 90));
  const tickFormat = scale.tickFormat(tickCount);
  svg += `<g stroke="#444444"><line x1="${px(plotLeft)}" x2="${px(plotRight)}" y1="${px(axisY)}" y2="${px(axisY)}"/></g>\n<g fill="#444444">\n`;
  for (const tick of scale.ticks(tickCount)) {
    const x = scale(tick);
    svg +=
      `<line x1="${px(x)}" x2="${px(x)}" y1="${px(axisY)}" y2="${px(axisY + 5)}" stroke="#444444"/>` +
      `<text x="${px(x)}" y="${px(axisY + 18)}" text-anchor="middle">${escapeXml(tickFormat(tick))}</text>\n`;
  }
  svg += '</g>\n';
  svg += `<text x="${px((plotLeft + plotRight) / 2)}" y="${px(axisY + 38)}" text-anchor="middle" font-size="13" fill="#222222">time since the window's start (${escapeXml(unit.unit)})</text>\n`;

  // Legend.
  let legendX = plotLeft;
  const legendY = axisY + 60;
  svg += '<g font-size="12" fill="#222222">\n';
  for (const state of ['holding', 'waiting', 'running'] as ThreadState[]) {
    svg +=
      `<rect x="${px(legendX)}" y="${px(legendY - 10)}" width="14" height="12" fill="${STATE_COLOURS[state]}"/>` +
      `<text x="${px(legendX + 20)}" y="${px(legendY)}">${escapeXml(STATE_NAMES[state])}</text>\n`;
    legendX += 20 + STATE_NAMES[state].length * CHAR_WIDTH + 24;
  }
  svg +=
    `<path d="M${px(legendX)} ${px(legendY - 10)}L${px(legendX + 8)} ${px(legendY - 10)}L${px(legendX + 4)} ${px(legendY)}Z" fill="#222222"/>` +
    `<text x="${px(legendX + 14)}" y="${px(legendY)}">drop request</text>\n</g>\n`;
  return svg + '</svg>\n';
}
