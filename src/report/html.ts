// The tour as one self-contained HTML page: inline CSS, charts and timelines as inline SVG, no
// scripts, no fonts, images or styles fetched from anywhere, so the file can be mailed or archived
// and still renders offline. Every piece of text from the caller is escaped.
import { renderTimelineSvg } from './svg.js';
import { renderChartSvg } from './bar-chart.js';
import { normaliseColumns, type TableColumn, type TableRow } from './table.js';
import type { ChartSpec, LockEvent, ThreadLabel } from './types.js';

export interface HtmlTable {
  columns: (TableColumn | string)[];
  rows: TableRow[];
}

export interface HtmlTimeline {
  title: string;
  events: LockEvent[];
  labels?: ThreadLabel[];
  startNs?: number;
  endNs?: number;
}

/** A second table under a section: the model's figures against the same workload elsewhere (CPython). */
export interface HtmlComparison {
  heading: string;
  table?: HtmlTable;
  /** Footnotes and remarks, each a paragraph. */
  notes?: string[];
  /** holds null: nothing could be judged (or the comparison was skipped; the text says why). */
  verdict: { holds: boolean | null; text: string };
}

export interface HtmlSection {
  /** The experiment's name, e.g. "cpu-bound". */
  name: string;
  /** The question it answers. */
  question: string;
  table: HtmlTable;
  /** Notes under the table. */
  footnotes?: string[];
  /** holds null: the claim could not be tested in this run (the text says why). */
  verdict: { holds: boolean | null; text: string };
  charts?: ChartSpec[];
  timelines?: HtmlTimeline[];
  /** Optional narrative paragraph shown after the question. */
  narrative?: string;
  /** "In CPython": the Python versions and PEPs the claim is about. */
  inCpython?: string;
  comparison?: HtmlComparison;
}

export type MachineDescription = Record<string, string | number | boolean>;

export interface HtmlReport {
  title: string;
  /** Where the figures were measured: cpus, model, node version, … */
  machine: MachineDescription;
  sections: HtmlSection[];
  /** Shown in the footer; default: now. */
  generatedAt?: Date | string;
  /** Optional paragraph under the title. */
  intro?: string;
  /** One line after the sections, e.g. "This machine agrees with 8 of 9 testable claims; 1 not testable here". */
  summary?: string;
  /** The decision guide after the sections: one row per kind of work. */
  guide?: HtmlGuide;
}

export interface HtmlGuide {
  heading: string;
  rows: { workload: string; recommendation: string; evidence: string }[];
  /** A paragraph under the table (how far to trust it). */
  caveat?: string;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; background: #fafafa;
  max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h2 code { font-size: 1.15rem; }
.question { font-size: 1.05rem; font-style: italic; color: #333; }
.machine { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; background: #fff; border: 1px solid #ddd;
  border-radius: 6px; padding: 10px 14px; }
.machine dt { font-weight: 600; } .machine dd { margin: 0; }
nav ol { columns: 2; }
table { border-collapse: collapse; background: #fff; margin: 12px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 4px 10px; }
th { background: #f0f0f0; text-align: left; }
td.right { text-align: right; } td.center { text-align: center; }
.verdict { padding: 8px 12px; border-radius: 6px; border-left: 6px solid; background: #fff; }
.verdict.holds { border-color: #2e9e44; } .verdict.differs { border-color: #d68c00; } .verdict.unjudged { border-color: #999; }
.in-cpython { font-size: 0.95rem; color: #444; } .notes { font-size: 0.9rem; color: #555; }
.verdict strong { margin-right: 0.4em; }
table.guide th[scope="row"] { background: #f7f7f7; font-weight: 600; vertical-align: top; } table.guide td { vertical-align: top; }
.mark.holds { color: #2e9e44; } .mark.differs { color: #c0392b; } .mark.unjudged { color: #777; }
figure { margin: 16px 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
footer { margin-top: 3rem; font-size: 0.85rem; color: #666; }
`;

function validateReport(report: unknown): asserts report is HtmlReport {
  if (typeof report !== 'object' || report === null) throw new TypeError('report must be an object');
  const r = report as Record<string, unknown>;
  if (typeof r.title !== 'string') throw new TypeError('report.title must be a string');
  if (typeof r.machine !== 'object' || r.machine === null || Array.isArray(r.machine))
    throw new TypeError('report.machine must be an object');
  if (!Array.isArray(r.sections)) throw new TypeError('report.sections must be an array');
  if (r.intro !== undefined && typeof r.intro !== 'string') throw new TypeError('report.intro must be a string');
  if (r.summary !== undefined && typeof r.summary !== 'string') throw new TypeError('report.summary must be a string');
  if (r.guide !== undefined) {
    const guide = r.guide as Record<string, unknown> | null;
    if (typeof guide !== 'object' || guide === null || typeof guide.heading !== 'string' || !Array.isArray(guide.rows))
      throw new TypeError('report.guide must be { heading, rows, caveat? }');
    (guide.rows as unknown[]).forEach((row, i) => {
      const g = row as Record<string, unknown> | null;
      if (
        typeof g !== 'object' ||
        g === null ||
        ['workload', 'recommendation', 'evidence'].some((k) => typeof g[k] !== 'string')
      )
        throw new TypeError(`report.guide.rows[${i}] must be { workload, recommendation, evidence } strings`);
    });
    if (guide.caveat !== undefined && typeof guide.caveat !== 'string')
      throw new TypeError('report.guide.caveat must be a string');
  }
  (r.sections as unknown[]).forEach((section, i) => {
    const where = `report.sections[${i}]`;
    if (typeof section !== 'object' || section === null) throw new TypeError(`${where} must be an object`);
    const s = section as Record<string, unknown>;
    for (const key of ['name', 'question'] as const)
      if (typeof s[key] !== 'string') throw new TypeError(`${where}.${key} must be a string`);
    if (s.narrative !== undefined && typeof s.narrative !== 'string')
      throw new TypeError(`${where}.narrative must be a string`);
    if (typeof s.table !== 'object' || s.table === null)
      throw new TypeError(`${where}.table must be an object { columns, rows }`);
    validateVerdict(s.verdict, `${where}.verdict`);
    if (s.footnotes !== undefined && (!Array.isArray(s.footnotes) || s.footnotes.some((n) => typeof n !== 'string')))
      throw new TypeError(`${where}.footnotes must be an array of strings`);
    if (s.charts !== undefined && !Array.isArray(s.charts)) throw new TypeError(`${where}.charts must be an array`);
    if (s.timelines !== undefined && !Array.isArray(s.timelines))
      throw new TypeError(`${where}.timelines must be an array`);
    if (s.inCpython !== undefined && typeof s.inCpython !== 'string')
      throw new TypeError(`${where}.inCpython must be a string`);
    if (s.comparison !== undefined) validateComparison(s.comparison, `${where}.comparison`);
  });
}

function validateComparison(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where} must be an object`);
  const c = value as Record<string, unknown>;
  if (typeof c.heading !== 'string') throw new TypeError(`${where}.heading must be a string`);
  if (c.table !== undefined && (typeof c.table !== 'object' || c.table === null))
    throw new TypeError(`${where}.table must be an object { columns, rows }`);
  if (c.notes !== undefined && (!Array.isArray(c.notes) || c.notes.some((note) => typeof note !== 'string')))
    throw new TypeError(`${where}.notes must be an array of strings`);
  validateVerdict(c.verdict, `${where}.verdict`);
}

/** A verdict as sections and comparisons carry it: { holds: true | false | null, text }. */
function validateVerdict(value: unknown, where: string): void {
  const verdict = value as Record<string, unknown> | null | undefined;
  if (
    typeof verdict !== 'object' ||
    verdict === null ||
    (verdict.holds !== null && typeof verdict.holds !== 'boolean') ||
    typeof verdict.text !== 'string'
  ) {
    throw new TypeError(`${where} must be { holds: boolean | null, text: string }`);
  }
}

function renderComparison(comparison: HtmlComparison): string {
  let html = `<h3>${escapeHtml(comparison.heading)}</h3>\n`;
  if (comparison.table) html += renderHtmlTable(comparison.table);
  for (const note of comparison.notes ?? []) html += `<p class="notes">${escapeHtml(note)}</p>\n`;
  const holds = comparison.verdict.holds;
  const css = holds === null ? 'unjudged' : holds ? 'holds' : 'differs';
  const mark = holds === null ? '' : holds ? '<strong>✔</strong>' : '<strong>✘</strong>';
  return html + `<p class="verdict ${css}">${mark}${escapeHtml(comparison.verdict.text)}</p>\n`;
}

/** The three verdict states: agrees (✔), does not agree (✘), not testable in this run (–). */
export function verdictStyle(holds: boolean | null): { mark: string; css: string; headline: string } {
  if (holds === null) return { mark: '–', css: 'unjudged', headline: 'Not testable here.' };
  return holds
    ? { mark: '✔', css: 'holds', headline: 'This machine agrees.' }
    : { mark: '✘', css: 'differs', headline: 'This machine does not agree.' };
}

function renderHtmlTable(table: HtmlTable): string {
  const columns = normaliseColumns(table.columns, table.rows);
  let html = '<table>\n<thead><tr>';
  for (const column of columns) html += `<th scope="col">${escapeHtml(column.header)}</th>`;
  html += '</tr></thead>\n<tbody>\n';
  for (const row of table.rows) {
    html += '<tr>';
    for (const column of columns) {
      const align = column.align === 'left' ? '' : ` class="${column.align}"`;
      html += `<td${align}>${escapeHtml(column.format(row[column.key], row))}</td>`;
    }
    html += '</tr>\n';
  }
  return html + '</tbody>\n</table>\n';
}

function anchorFor(name: string, index: number): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `section-${index + 1}${slug ? `-${slug}` : ''}`;
}

/** Renders the whole report as one HTML document. */
export function renderHtmlReport(report: HtmlReport): string {
  validateReport(report);
  const generatedAt =
    report.generatedAt instanceof Date
      ? report.generatedAt.toISOString()
      : (report.generatedAt ?? new Date().toISOString());
  if (typeof generatedAt !== 'string') throw new TypeError('report.generatedAt must be a Date or a string');

  let html = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n';
  html += '<meta name="viewport" content="width=device-width, initial-scale=1">\n';
  html += `<title>${escapeHtml(report.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n`;
  html += `<header>\n<h1>${escapeHtml(report.title)}</h1>\n`;
  if (report.intro) html += `<p>${escapeHtml(report.intro)}</p>\n`;
  html += '<h3>Measured on</h3>\n<dl class="machine">\n';
  for (const [key, value] of Object.entries(report.machine)) {
    html += `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>\n`;
  }
  html += '</dl>\n';
  if (report.sections.length > 0) {
    html += '<nav>\n<ol>\n';
    report.sections.forEach((section, index) => {
      const { mark, css } = verdictStyle(section.verdict.holds);
      html += `<li><a href="#${anchorFor(section.name, index)}">${escapeHtml(section.name)}</a> <span class="mark ${css}">${mark}</span></li>\n`;
    });
    html += '</ol>\n</nav>\n';
  }
  html += '</header>\n<main>\n';

  report.sections.forEach((section, index) => {
    html += `<section id="${anchorFor(section.name, index)}">\n<h2><code>${escapeHtml(section.name)}</code></h2>\n`;
    html += `<p class="question">${escapeHtml(section.question)}</p>\n`;
    if (section.narrative) html += `<p>${escapeHtml(section.narrative)}</p>\n`;
    if (section.inCpython) html += `<p class="in-cpython">In CPython: ${escapeHtml(section.inCpython)}</p>\n`;
    html += renderHtmlTable(section.table);
    for (const note of section.footnotes ?? []) html += `<p class="notes">Note: ${escapeHtml(note)}</p>\n`;
    const { mark, css, headline } = verdictStyle(section.verdict.holds);
    html +=
      `<p class="verdict ${css}"><strong><span class="mark ${css}">${mark}</span> ${headline}</strong>` +
      `${escapeHtml(section.verdict.text)}</p>\n`;
    if (section.comparison) html += renderComparison(section.comparison);
    (section.charts ?? []).forEach((chart) => {
      // The title is drawn in the chart; a caption only when it adds something.
      const caption = chart.caption ? `<figcaption>${escapeHtml(chart.caption)}</figcaption>\n` : '';
      html += `<figure>\n${renderChartSvg(chart)}${caption}</figure>\n`;
    });
    (section.timelines ?? []).forEach((timeline, t) => {
      if (typeof timeline !== 'object' || timeline === null || typeof timeline.title !== 'string') {
        throw new TypeError(`report.sections[${index}].timelines[${t}] must be { title, events, labels? }`);
      }
      const svg = renderTimelineSvg(timeline.events, {
        title: timeline.title,
        ...(timeline.labels !== undefined ? { labels: timeline.labels } : {}),
        ...(timeline.startNs !== undefined ? { startNs: timeline.startNs } : {}),
        ...(timeline.endNs !== undefined ? { endNs: timeline.endNs } : {}),
      });
      html += `<figure>\n${svg}</figure>\n`;
    });
    html += '</section>\n';
  });
  if (report.summary !== undefined || report.guide !== undefined) html += '<section id="summary">\n';
  if (report.summary !== undefined) html += `<h2>Summary</h2>\n<p class="summary">${escapeHtml(report.summary)}</p>\n`;
  if (report.guide !== undefined) {
    html += `<h2>${escapeHtml(report.guide.heading)}</h2>\n<table class="guide">\n<thead><tr><th scope="col">work</th><th scope="col">use</th><th scope="col">measured in this run</th></tr></thead>\n<tbody>\n`;
    for (const row of report.guide.rows) {
      html += `<tr><th scope="row">${escapeHtml(row.workload)}</th><td>${escapeHtml(row.recommendation)}</td><td>${escapeHtml(row.evidence)}</td></tr>\n`;
    }
    html += '</tbody>\n</table>\n';
    if (report.guide.caveat) html += `<p class="notes">${escapeHtml(report.guide.caveat)}</p>\n`;
  }
  if (report.summary !== undefined || report.guide !== undefined) html += '</section>\n';
  html += `</main>\n<footer>Generated by gil-lab on ${escapeHtml(generatedAt)}.</footer>\n`;
  return html + '</body>\n</html>\n';
}
