// Bar charts for categorical comparisons (kill's methods, ipc's methods, startup's kinds): a line
// between categories would suggest an order and values in between that do not exist. And the one
// entry point that draws any ChartSpec as the kind it says.
import {
  yTicksSvg,
  buildAxis,
  CHAR_WIDTH,
  checkSize,
  escapeXml,
  formatTick,
  px,
  renderLineChartSvg,
  renderTitle,
  SERIES_COLOURS,
  svgOpen,
  truncateText,
  type Axis,
  type SvgSize,
} from './svg.js';
import { formatSignificant } from './format.js';
import type { ChartSpec } from './types.js';

/** Draws a chart spec as its kind says: bars for categories, lines over a numeric x. */
export function renderChartSvg(spec: ChartSpec, options: SvgSize = {}): string {
  if (typeof spec === 'object' && spec !== null && spec.kind === 'bar') return renderBarChartSvg(spec, options);
  return renderLineChartSvg(spec, options);
}

function validateBarSpec(spec: unknown): asserts spec is ChartSpec & { categories: string[] } {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec must be a chart spec object');
  const record = spec as Record<string, unknown>;
  for (const key of ['title', 'xLabel', 'yLabel'] as const)
    if (typeof record[key] !== 'string') throw new TypeError(`spec.${key} must be a string`);
  const categories = record.categories;
  if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string'))
    throw new TypeError('spec.categories must be an array of strings for a bar chart');
  if (!Array.isArray(record.series)) throw new TypeError('spec.series must be an array');
  (record.series as unknown[]).forEach((series, i) => {
    const s = series as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.label !== 'string' || !Array.isArray(s.points))
      throw new TypeError(`spec.series[${i}] must be { label, points }`);
    (s.points as unknown[]).forEach((point, j) => {
      const p = point as Record<string, unknown> | null;
      const where = `spec.series[${i}].points[${j}]`;
      if (typeof p !== 'object' || p === null || typeof p.x !== 'number' || typeof p.y !== 'number')
        throw new TypeError(`${where} must be { x, y } numbers`);
      if (!Number.isInteger(p.x) || p.x < 0 || p.x >= categories.length)
        throw new RangeError(`${where}.x must be a category index from 0 to ${categories.length - 1}, got ${p.x}`);
      if (!Number.isFinite(p.y) || (record.logY === true && p.y <= 0))
        throw new RangeError(`${where}.y must be finite${record.logY === true ? ' and positive on a log axis' : ''}`);
    });
  });
}

/**
 * A category name in at most three lines of `maxChars`: broken at spaces, and inside a long word
 * after a dot or between camelCase parts ("worker." / "terminate()", "SharedArray" / "Buffer"), the last
 * line shortened if need be.
 */
export function categoryLines(category: string, maxChars: number, maxLines = 3): string[] {
  const pieces: { text: string; space: boolean }[] = [];
  for (const word of category.split(/\s+/).filter(Boolean)) {
    const parts = Array.from(word).length > maxChars ? word.split(/(?<=\.)|(?<=[a-z])(?=[A-Z])/) : [word];
    parts.forEach((text, i) => pieces.push({ text, space: i === 0 }));
  }
  const lines: string[] = [];
  for (const piece of pieces) {
    const last = lines[lines.length - 1];
    const joined = last === undefined ? piece.text : `${last}${piece.space ? ' ' : ''}${piece.text}`;
    if (last !== undefined && Array.from(joined).length <= maxChars) lines[lines.length - 1] = joined;
    else lines.push(piece.text);
  }
  const kept = lines.slice(0, maxLines);
  if (lines.length > maxLines) kept[maxLines - 1] = `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`;
  return kept.map((line) => truncateText(line, maxChars));
}

/** Renders grouped bars: one group per category, one bar per series, as a standalone SVG document. */
export function renderBarChartSvg(spec: ChartSpec, options: SvgSize = {}): string {
  validateBarSpec(spec);
  const { width, height } = checkSize(options, { width: 720, height: 440 }, { width: 240, height: 180 });
  const yFormat = spec.yFormat ?? 'number';
  const many = spec.series.length > 1;
  const legendChars = many ? Math.min(28, Math.max(...spec.series.map((s) => Array.from(s.label).length))) : 0;
  const legendWidth = many ? 36 + legendChars * CHAR_WIDTH : 0;
  const title = renderTitle(spec.title, width, 'middle');
  const plot = { left: 72, top: 48 + title.height, right: width - 20 - legendWidth, bottom: height - 92 };
  const ys = spec.series.flatMap((series) => series.points.map((point) => point.y));
  const yTickCount = Math.max(2, Math.floor((plot.bottom - plot.top) / 50));
  const yAxis: Axis =
    spec.logY === true && ys.length > 0
      ? buildAxis(ys, true, yFormat, [plot.bottom, plot.top], yTickCount, false)
      : buildAxis(ys, false, yFormat, [plot.bottom, plot.top], yTickCount, false);
  // Log bars grow from the bottom of the axis; linear bars from zero.
  const base = yAxis.log ? plot.bottom : yAxis.scale(0);

  let svg = svgOpen(width, height, spec.title);
  svg += title.svg;
  svg += '<g stroke="#e4e4e4" stroke-width="1">\n';
  for (const tick of yAxis.ticks.filter((t) => t.label))
    svg += `<line x1="${px(plot.left)}" x2="${px(plot.right)}" y1="${px(yAxis.scale(tick.value))}" y2="${px(yAxis.scale(tick.value))}"/>\n`;
  svg += '</g>\n<g fill="#444444">\n';
  svg += yTicksSvg(yAxis, plot.left);
  svg += '</g>\n';

  const groups = spec.categories.length;
  const groupWidth = (plot.right - plot.left) / Math.max(1, groups);
  const barWidth = Math.max(2, Math.min(48, (groupWidth * 0.8) / Math.max(1, spec.series.length)));
  const labelChars = Math.max(4, Math.floor((groupWidth - 6) / CHAR_WIDTH));
  spec.categories.forEach((category, c) => {
    const centre = plot.left + (c + 0.5) * groupWidth;
    const shown = categoryLines(category, labelChars);
    shown.forEach((line, i) => {
      svg += `<text x="${px(centre)}" y="${px(plot.bottom + 18 + i * 14)}" text-anchor="middle" fill="#444444">${escapeXml(truncateText(line, labelChars))}</text>\n`;
    });
  });
  spec.series.forEach((series, s) => {
    const colour = SERIES_COLOURS[s % SERIES_COLOURS.length]!;
    svg += `<g fill="${colour}">\n`;
    for (const point of series.points) {
      const x = plot.left + (point.x + 0.5) * groupWidth + (s - spec.series.length / 2) * barWidth;
      const y = yAxis.scale(point.y);
      const top = Math.min(y, base);
      const label = `${spec.categories[point.x]}${many ? `, ${series.label}` : ''}: ${formatTick(point.y, yFormat, (v) => formatSignificant(v))}`;
      svg += `<rect x="${px(x + 1)}" y="${px(top)}" width="${px(barWidth - 2)}" height="${px(Math.max(1, Math.abs(base - y)))}"><title>${escapeXml(label)}</title></rect>\n`;
    }
    svg += '</g>\n';
  });
  svg += `<g stroke="#444444" stroke-width="1"><line x1="${px(plot.left)}" x2="${px(plot.right)}" y1="${px(base)}" y2="${px(base)}"/>`;
  svg += `<line x1="${px(plot.left)}" x2="${px(plot.left)}" y1="${px(plot.top)}" y2="${px(plot.bottom)}"/></g>\n`;
  if (spec.xLabel)
    svg += `<text x="${px((plot.left + plot.right) / 2)}" y="${px(height - 14)}" text-anchor="middle" font-size="13" fill="#222222">${escapeXml(spec.xLabel)}</text>\n`;
  svg += `<text transform="translate(18 ${px((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222222">${escapeXml(spec.yLabel)}</text>\n`;
  if (ys.length === 0)
    svg += `<text x="${px((plot.left + plot.right) / 2)}" y="${px((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#888888">no data</text>\n`;
  if (many) {
    const left = plot.right + 16;
    svg += '<g font-size="12" fill="#222222">\n';
    spec.series.forEach((series, s) => {
      const y = plot.top + 8 + s * 20;
      svg +=
        `<rect x="${px(left)}" y="${px(y - 6)}" width="14" height="12" fill="${SERIES_COLOURS[s % SERIES_COLOURS.length]}"/>` +
        `<text x="${px(left + 20)}" y="${px(y + 4)}">${escapeXml(truncateText(series.label, legendChars))}</text>\n`;
    });
    svg += '</g>\n';
  }
  return svg + '</svg>\n';
}
