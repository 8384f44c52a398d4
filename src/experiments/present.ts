// Turns experiment results into what people read: terminal text, the --json object, SVG files,
// Perfetto trace files and HTML report sections. Everything shown comes from the result itself.
import {
  renderChartSvg,
  renderTable,
  renderTimeline,
  renderTimelineSvg,
  toTraceEventFile,
  type HtmlSection,
  type TraceEvent,
  type TraceEventFile,
} from '../report/index.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { plural } from './measure.js';
import type { CpythonJson } from '../cpython/against.js';
import { toHtmlComparison } from '../cpython/against.js';
import type { Experiment, ExperimentResult, LockTrace } from './types.js';

/** The documented --json shape of one experiment run. */
export interface ExperimentJson {
  experiment: string;
  question: string;
  /** The Python versions and PEPs the claim is about. */
  inCpython: string;
  machine: MachineInfo;
  options: ExperimentResult['options'];
  results: ExperimentResult['rows'];
  /** holds: true (this machine agrees), false (it does not), null (not testable in this run; the text says why). */
  verdict: { holds: boolean | null; text: string };
  /** Notes on the table (what a column means, why some rows vary). */
  footnotes?: string[];
  elapsedSeconds: number;
  /** With --against-cpython: the twin's run in CPython and the second verdict (or why it was skipped). */
  cpython?: CpythonJson;
}

export function toJson(
  experiment: Experiment,
  result: ExperimentResult,
  machine = machineInfo(),
  cpython?: CpythonJson,
): ExperimentJson {
  return {
    experiment: experiment.name,
    question: experiment.question,
    inCpython: experiment.inCpython,
    machine,
    options: result.options,
    results: result.rows,
    verdict: { holds: result.verdict.holds, text: result.verdict.text },
    ...(experiment.footnotes && experiment.footnotes.length > 0 ? { footnotes: [...experiment.footnotes] } : {}),
    elapsedSeconds: result.elapsedSeconds,
    ...(cpython ? { cpython } : {}),
  };
}

/** The mark of each verdict state: agrees, does not agree, not testable in this run. */
export const VERDICT_MARKS = { agrees: '✔', differs: '✘', untestable: '–' } as const;

/** The verdict's opening words, without the figures. */
export function verdictHeadline(holds: boolean | null): string {
  if (holds === null) return `${VERDICT_MARKS.untestable} Not testable here.`;
  return holds
    ? `${VERDICT_MARKS.agrees} This machine agrees.`
    : `${VERDICT_MARKS.differs} This machine does not agree.`;
}

export function verdictLine(verdict: { holds: boolean | null; text: string }): string {
  return `${verdictHeadline(verdict.holds)} ${verdict.text}`;
}

/** "agrees with 8 of 9 testable claims; 1 not testable here" */
export function verdictTally(verdicts: readonly { holds: boolean | null }[]): string {
  const testable = verdicts.filter((verdict) => verdict.holds !== null);
  const agreeing = testable.filter((verdict) => verdict.holds === true).length;
  const untestable = verdicts.length - testable.length;
  if (testable.length === 0)
    return `could test none of its ${plural(untestable, 'claim')} here (all ${untestable} not testable)`;
  let text = `agrees with ${agreeing} of ${plural(testable.length, 'testable claim')}`;
  if (untestable > 0) text += `; ${untestable} not testable here`;
  return text;
}

/** Word-wraps text to `width` columns (no hyphenation). */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Traces that are meant to be looked at: those with a short window chosen by the experiment. */
export function featuredTraces(result: ExperimentResult): LockTrace[] {
  return (result.traces ?? []).filter((trace) => trace.window !== undefined);
}

export interface TextOptions {
  /** Terminal width for wrapping and timelines; default 80. */
  width?: number;
  colour?: boolean;
  /** Draw the featured lock timelines (default true). */
  timelines?: boolean;
}

/** The terminal report of one experiment: table, verdict and (optionally) its featured timelines. */
export function renderResultText(experiment: Experiment, result: ExperimentResult, options: TextOptions = {}): string {
  const width = Math.max(40, options.width ?? 80);
  const colour = options.colour ?? false;
  let text = `${renderTable(experiment.columns, result.rows, { colour })}\n`;
  for (const note of experiment.footnotes ?? []) text += `${wrap(`Note: ${note}`, width)}\n`;
  text += `\n${wrap(verdictLine(result.verdict), width)}\n`;
  if (options.timelines ?? true) {
    for (const trace of featuredTraces(result)) {
      text += `\n${renderTimeline(trace.events, {
        labels: trace.labels,
        startNs: trace.window!.startNs,
        endNs: trace.window!.endNs,
        width: Math.min(width, 120),
        colour,
        title: trace.title,
      })}\n`;
    }
  }
  return text;
}

/** An HTML report section for one experiment (charts and featured timelines included). */
export function toHtmlSection(experiment: Experiment, result: ExperimentResult, cpython?: CpythonJson): HtmlSection {
  return {
    name: experiment.name,
    question: experiment.question,
    narrative: `Claim: ${experiment.claim} ${experiment.narrative}`,
    inCpython: experiment.inCpython,
    ...(cpython ? { comparison: toHtmlComparison(cpython) } : {}),
    table: { columns: experiment.columns, rows: result.rows },
    ...(experiment.footnotes && experiment.footnotes.length > 0 ? { footnotes: [...experiment.footnotes] } : {}),
    verdict: result.verdict,
    charts: result.charts,
    timelines: featuredTraces(result).map((trace) => ({
      title: trace.title,
      events: trace.events,
      labels: trace.labels,
      startNs: trace.window!.startNs,
      endNs: trace.window!.endNs,
    })),
  };
}

/**
 * Stacks standalone SVG documents into one: each becomes a nested <svg> placed below the previous
 * one. Nesting keeps every part exactly as drawn (its own viewBox and coordinates).
 */
export function stackSvg(parts: readonly string[], title: string): string {
  let y = 0;
  let width = 0;
  let body = '';
  for (const part of parts) {
    const open = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="([\d.]+)" height="([\d.]+)"/.exec(part);
    if (!open) throw new Error('stackSvg: a part is not a standalone SVG document from the report module');
    const partWidth = Number(open[1]);
    const partHeight = Number(open[2]);
    body += part.replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg x="0" y="${y}" `);
    y += partHeight + 16;
    width = Math.max(width, partWidth);
  }
  const height = Math.max(1, y - 16);
  const escapedTitle = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    `<title>${escapedTitle}</title>\n<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>\n` +
    `${body}</svg>\n`
  );
}

/** The --svg file of a run: the experiment's charts, then its featured lock timelines. */
export function renderResultSvg(experiment: Experiment, result: ExperimentResult): string {
  const parts = result.charts.map((chart) => renderChartSvg(chart));
  for (const trace of featuredTraces(result)) {
    parts.push(
      renderTimelineSvg(trace.events, {
        title: trace.title,
        labels: trace.labels,
        startNs: trace.window!.startNs,
        endNs: trace.window!.endNs,
      }),
    );
  }
  if (parts.length === 0) throw new Error(`${experiment.name} produced nothing to draw`);
  return stackSvg(parts, `gil-lab ${experiment.name}: ${experiment.question}`);
}

/**
 * One Perfetto / Chrome trace file for many lock traces: each trace becomes its own process track
 * (named after what ran), with a track per thread inside it.
 */
export function combineTraces(
  traces: readonly { experiment: string; trace: LockTrace }[],
  metadata: Record<string, string | number | boolean> = {},
): TraceEventFile {
  const traceEvents: TraceEvent[] = [];
  traces.forEach(({ experiment, trace }, index) => {
    // Timestamps on a 1/8 µs grid: the file counts in µs, and on this grid every ts and ts + dur is
    // exact in binary floating point, so slices that touch never overlap by a rounding error.
    const events = trace.events.map((event) => ({ ...event, tNs: Math.round(event.tNs / 125) * 125 }));
    const file = toTraceEventFile(events, {
      labels: trace.labels,
      pid: index + 1,
      // Some titles already begin with the experiment's name (convoy's): not twice.
      processName: trace.title.startsWith(`${experiment}:`) ? trace.title : `${experiment}: ${trace.title}`,
    });
    traceEvents.push(...file.traceEvents);
  });
  return { traceEvents, displayTimeUnit: 'ns', otherData: { ...metadata } };
}
