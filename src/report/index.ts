// The report layer: pictures and tables of measurements. Pure TypeScript; knows nothing of the addon.
export * from './types.js';
export * from './format.js';
export * from './intervals.js';
export {
  renderTimeline,
  renderLockTimeline,
  TIMELINE_GLYPHS,
  TIMELINE_BLANK,
  TIMELINE_LEGEND,
  MIN_TIMELINE_WIDTH,
} from './timeline.js';
export type { TimelineOptions } from './timeline.js';
export * from './perfetto.js';
export * from './svg.js';
export { renderChartSvg, renderBarChartSvg, categoryLines } from './bar-chart.js';
export { renderTable, formatCell, normaliseColumns } from './table.js';
export type { TableColumn, TableRow, TableOptions } from './table.js';
export * from './html.js';
export * from './progress.js';
