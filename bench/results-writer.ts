// What a benchmark run leaves behind: `<label>-<date>.json` (everything measured), `.md` (the
// tables, as Markdown) and `.svg` (the suites' charts in one picture), and the machine description
// and default label they carry.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderLineChartSvg } from '#internal/report/svg';
import type { ChartSpec } from '#internal/report/types';
import type { BenchCaseResult, BenchSuiteResult, BenchTable } from './suite.js';
import { describeTopology, readTopology, type Topology } from './scaling/topology.js';

export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  logicalCpus: number;
  availableParallelism: number;
  /** Cores, as opposed to hardware threads (SMT siblings share a core); null where the OS does not say (Linux sysfs only). */
  physicalCores: number | null;
  /** Sockets, cores, SMT, NUMA, governor and cgroup CPU quota (scaling/topology.ts); 'unknown' for what cannot be read. */
  topology: Topology;
  totalMemoryBytes: number;
  /** 1-minute load average when the run started (other work on the machine skews timings). */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const topology = readTopology();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    logicalCpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    physicalCores: topology.physicalCores === 'unknown' ? null : topology.physicalCores,
    topology,
    totalMemoryBytes: os.totalmem(),
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** Checks a label for use in file names: letters, digits, '.', '_' and '-', at most 80 characters. */
export function checkLabel(label: unknown): string {
  if (typeof label !== 'string') throw new TypeError(`label must be a string, got ${typeof label}`);
  if (!LABEL_PATTERN.test(label)) {
    throw new RangeError(
      `label must be 1-80 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(label)}`,
    );
  }
  return label;
}

/** `<cpus>cpu-<cpu model>`, e.g. `16cpu-intel-xeon-platinum-8480`: which machine a result is from. */
export function defaultLabel(machine: MachineInfo = machineInfo()): string {
  const model = machine.cpuModel
    .replace(/\((R|TM|tm|r)\)/g, ' ')
    .replace(/@.*$/, ' ')
    .replace(/\b(CPU|Processor|\d+-Core)\b/gi, ' ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return checkLabel(`${machine.availableParallelism}cpu-${model || 'unknown'}`);
}

/** Escapes a cell for a Markdown table. */
function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdownTable(table: BenchTable): string {
  const header = `| ${table.columns.map((c) => markdownCell(c.header)).join(' | ')} |`;
  const rule = `| ${table.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  const rows = table.rows.map((row) => `| ${table.columns.map((c) => markdownCell(row[c.key] ?? '–')).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** The micro-benchmark cases of a suite as a table; `floorNs` adds each case's cost in floors. */
export function casesTable(result: BenchSuiteResult, floorNs: number | undefined): BenchTable {
  const columns: BenchTable['columns'] = [
    { key: 'case', header: 'case' },
    { key: 'ops', header: 'ops/s', align: 'right' },
    { key: 'rme', header: '± rme', align: 'right' },
    { key: 'ns', header: 'ns/op', align: 'right' },
  ];
  if (floorNs !== undefined) columns.push({ key: 'floor', header: '× floor', align: 'right' });
  columns.push({ key: 'samples', header: 'samples', align: 'right' });
  const significant = (value: number) =>
    value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
  return {
    title: `${result.suite}: ${result.description}`,
    columns,
    rows: result.cases.map((c: BenchCaseResult) => ({
      case: c.name,
      ops: Math.round(c.opsPerSec).toLocaleString('en-US'),
      rme: `±${c.rmePercent.toFixed(2)}%`,
      ns: c.meanNs >= 1e5 ? Math.round(c.meanNs).toLocaleString('en-US') : c.meanNs.toFixed(1),
      floor: floorNs !== undefined && floorNs > 0 ? significant(c.meanNs / floorNs) : '–',
      samples: String(c.samples),
    })),
  };
}

export interface RunRecord {
  label: string;
  date: string;
  quick: boolean;
  machine: MachineInfo;
  /** The Node-API no-op's ns per call in this run, the floor every micro-benchmark is shown beside. */
  floorNs?: number;
  suites: Record<string, BenchSuiteResult>;
}

export function renderMarkdown(record: RunRecord): string {
  const m = record.machine;
  const lines = [
    `# gil-lab benchmarks: ${record.label}`,
    '',
    `${record.date}${record.quick ? ' (quick run: smaller sizes, noisier numbers)' : ''} · ${m.cpuModel}, ` +
      `${m.availableParallelism} hardware threads${m.physicalCores ? ` on ${m.physicalCores} cores` : ''}, ${(m.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB · ` +
      `Node ${m.node} ${m.platform}-${m.arch} · load average at start ${m.loadAverage1m}`,
    '',
    // Records written before the topology was kept have none.
    ...(m.topology === undefined ? [] : [`Topology: ${describeTopology(m.topology)}.`, '']),
  ];
  for (const result of Object.values(record.suites)) {
    lines.push(`## ${result.suite}`, '', result.description, '');
    if (result.cases.length > 0) {
      const floorNs = result.suite === 'floor' ? undefined : record.floorNs;
      lines.push(renderMarkdownTable(casesTable(result, floorNs)), '');
    }
    for (const table of result.tables ?? []) lines.push(`**${table.title}**`, '', renderMarkdownTable(table), '');
    if (result.notes.length > 0) lines.push(...result.notes.map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
}

/**
 * Every chart of the run in one SVG document: a grid of the report layer's line charts, each a
 * nested <svg> (the charts use no ids, so they cannot clash).
 */
export function renderChartsSvg(charts: readonly ChartSpec[], title: string, columns = 2): string {
  if (charts.length === 0) throw new RangeError('charts must not be empty');
  const width = 640;
  const height = 400;
  const cols = Math.min(columns, charts.length);
  const rows = Math.ceil(charts.length / cols);
  const heading = 32;
  const totalWidth = cols * width;
  const totalHeight = heading + rows * height;
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const parts = charts.map((chart, i) => {
    const svg = renderLineChartSvg(chart, { width, height });
    const x = (i % cols) * width;
    const y = heading + Math.floor(i / cols) * height;
    return svg.replace(/^<svg /, `<svg x="${x}" y="${y}" `);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${totalHeight}" viewBox="0 0 ${totalWidth} ${totalHeight}" role="img">`,
    `<title>${escape(title)}</title>`,
    `<rect x="0" y="0" width="${totalWidth}" height="${totalHeight}" fill="#ffffff"/>`,
    `<text x="16" y="22" font-family="system-ui, sans-serif" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Writes `<label>-<date>.json`, `.md` and (when a suite drew charts) `.svg` into `dir`; returns the paths. */
export async function writeRunFiles(dir: string, record: RunRecord): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${record.label}-${record.date}`);
  const written: string[] = [];
  await writeFile(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
  written.push(`${base}.json`);
  await writeFile(`${base}.md`, renderMarkdown(record));
  written.push(`${base}.md`);
  const charts = Object.values(record.suites).flatMap((s) => s.charts ?? []);
  if (charts.length > 0) {
    await writeFile(`${base}.svg`, renderChartsSvg(charts, `gil-lab benchmarks: ${record.label}, ${record.date}`));
    written.push(`${base}.svg`);
  }
  return written;
}
