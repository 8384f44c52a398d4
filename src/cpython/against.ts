// `--against-cpython`: after the model's run, the experiment's twin runs in a real Python on the
// same machine with the same sizes, and the two are shown side by side with a second verdict. A
// missing, old or failing Python gives one line saying the comparison was skipped, never a failure.
import type { Experiment, ExperimentResult } from '../experiments/types.js';
import { renderTable, type HtmlComparison, type TableColumn } from '../report/index.js';
import { agreement, formatFigure, formatRatio, type ComparisonRow } from './compare.js';
import { probePython, runTwin, type PythonInfo, type TwinOutput } from './python.js';
import { convoyTwin, cpuBoundTwin, ioBoundTwin, memoryBoundTwin, switchIntervalTwin } from './twins-compute.js';
import { ipcTwin, killTwin, startupTwin } from './twins-process.js';
import type { TwinSpec } from './twin-spec.js';

/** The Python used when `--against-cpython` names none. */
export const DEFAULT_PYTHON = 'python3';

/** The experiments whose twins run a workload. The rest (legacy-gil, refcount) say in the script why they have none. */
export const TWINS: Readonly<Record<string, TwinSpec>> = {
  'cpu-bound': cpuBoundTwin,
  'io-bound': ioBoundTwin,
  convoy: convoyTwin,
  'switch-interval': switchIntervalTwin,
  'memory-bound': memoryBoundTwin,
  startup: startupTwin,
  ipc: ipcTwin,
  kill: killTwin,
};

/** The `cpython` member of --json: the twin's results and the second verdict, or why there are none. */
export interface CpythonJson {
  /** The interpreter asked for (a command or path). */
  python: string;
  /** As Python reports it, e.g. "3.11.7"; null when it could not be asked. */
  version: string | null;
  implementation: string | null;
  freeThreaded: boolean | null;
  /** The twin's own rows. */
  results: Record<string, string | number | boolean | null>[];
  /** The side-by-side rows: model figure, CPython figure, ratio, tolerance, agreement. */
  comparison: ComparisonRow[];
  /** Every judged row within its tolerance; null when nothing could be judged (or the comparison was skipped). */
  agrees: boolean | null;
  text: string;
  notes: string[];
  /** Set when there is no comparison: the reason is in `text`. */
  skipped: boolean;
  elapsedSeconds: number | null;
}

function skipped(python: string, reason: string, info?: Partial<PythonInfo>): CpythonJson {
  return {
    python,
    version: info?.version ?? null,
    implementation: info?.implementation ?? null,
    freeThreaded: info?.freeThreaded ?? null,
    results: [],
    comparison: [],
    agrees: null,
    text: `The comparison with CPython was skipped: ${reason}.`,
    notes: [],
    skipped: true,
    elapsedSeconds: null,
  };
}

/** "CPython 3.11.7", "CPython 3.13.1 free-threaded". */
export function pythonName(info: Pick<PythonInfo, 'implementation' | 'version' | 'freeThreaded'>): string {
  return `${info.implementation} ${info.version}${info.freeThreaded ? ' free-threaded' : ''}`;
}

const probed = new Map<string, ReturnType<typeof probePython>>();

/** The side by side for one experiment's result from its twin's output (no processes run). */
export function compareOutput(
  python: string,
  experiment: string,
  result: ExperimentResult,
  output: TwinOutput,
): CpythonJson {
  const info = output.python;
  const name = pythonName(info);
  if (output.skipped !== undefined) return { ...skipped(python, output.skipped, info), notes: output.notes };
  const spec = TWINS[experiment];
  if (!spec) return skipped(python, `${experiment} has no twin`, info);
  const comparison = spec.compare(result, output, { freeThreaded: info.freeThreaded });
  const verdict = agreement(comparison, name);
  return {
    python,
    version: info.version,
    implementation: info.implementation,
    freeThreaded: info.freeThreaded,
    results: output.rows,
    comparison,
    agrees: verdict.agrees,
    text: verdict.text,
    notes: output.notes,
    skipped: false,
    elapsedSeconds: output.elapsedSeconds ?? null,
  };
}

/**
 * Runs `experiment`'s twin in `python` with the sizes of `result` and compares. Never throws for
 * anything Python does: a missing interpreter, Python 2, a twin that fails or hangs all come back
 * as a skipped comparison with the reason.
 */
export async function compareWithCpython(
  experiment: Experiment,
  result: ExperimentResult,
  python: string = DEFAULT_PYTHON,
  options: { timeoutMs?: number } = {},
): Promise<CpythonJson> {
  if (typeof python !== 'string' || python.trim() === '') return skipped(String(python), 'no Python was named');
  let probe = probed.get(python);
  if (!probe) {
    probe = probePython(python);
    probed.set(python, probe);
  }
  const found = await probe;
  if (!found.ok) return skipped(python, found.reason);
  const spec = TWINS[experiment.name];
  const params = spec ? spec.params(result.options, result) : {};
  const run = await runTwin(python, experiment.name, params, options.timeoutMs ?? 600_000);
  if (!run.ok) return skipped(python, run.reason, { version: found.version, implementation: found.implementation });
  return compareOutput(python, experiment.name, result, run.output);
}

const COMPARISON_COLUMNS: TableColumn[] = [
  { key: 'row', header: 'compared' },
  { key: 'modelText', header: 'model', align: 'right' },
  { key: 'cpythonText', header: 'CPython', align: 'right' },
  { key: 'ratioText', header: 'model/CPython', align: 'right' },
  { key: 'tolerance' },
  { key: 'agreesText', header: 'agrees', align: 'center' },
];

/** Table rows for display: figures with units, "Node:" labels and footnote marks for notes. */
export function comparisonTableRows(cpython: CpythonJson): { rows: Record<string, string>[]; footnotes: string[] } {
  const footnotes: string[] = [];
  const rows = cpython.comparison.map((row) => {
    let label = row.label ? `${row.label}: ${row.row}` : row.row;
    if (row.note) {
      footnotes.push(row.note);
      label += ` [${footnotes.length}]`;
    }
    return {
      row: label,
      modelText: formatFigure(row.model, row.unit),
      cpythonText: formatFigure(row.cpython, row.unit),
      ratioText: formatRatio(row.ratio),
      tolerance: row.tolerance,
      agreesText: row.agrees === null ? '—' : row.agrees ? '✔' : '✘',
    };
  });
  return { rows, footnotes };
}

export function comparisonVerdictLine(cpython: CpythonJson): string {
  if (cpython.skipped) return cpython.text;
  const mark = cpython.agrees === null ? '–' : cpython.agrees ? '✔' : '✘';
  return `${mark} ${cpython.text}`;
}

/** The terminal text: heading, side-by-side table, footnotes, the twin's notes and the second verdict. */
export function renderComparisonText(
  cpython: CpythonJson,
  options: { colour?: boolean; wrap?: (text: string) => string } = {},
): string {
  const wrap = options.wrap ?? ((text: string) => text);
  if (cpython.skipped && cpython.comparison.length === 0) {
    const lines = [wrap(comparisonVerdictLine(cpython))];
    for (const note of cpython.notes) lines.push(wrap(note));
    return `${lines.join('\n')}\n`;
  }
  const who = `${pythonName({
    implementation: cpython.implementation ?? 'Python',
    version: cpython.version ?? '?',
    freeThreaded: cpython.freeThreaded === true,
  })} (${cpython.python})`;
  const { rows, footnotes } = comparisonTableRows(cpython);
  let text = `${wrap(`Against ${who}: the same workload on this machine, right after the model's run.`)}\n`;
  text += `${renderTable(COMPARISON_COLUMNS, rows, { colour: options.colour ?? false })}\n`;
  footnotes.forEach((note, i) => (text += `${wrap(`[${i + 1}] ${note}`)}\n`));
  for (const note of cpython.notes) text += `${wrap(note)}\n`;
  return `${text}\n${wrap(comparisonVerdictLine(cpython))}\n`;
}

/** The HTML report's part: the same table and verdict. */
export function toHtmlComparison(cpython: CpythonJson): HtmlComparison {
  const { rows, footnotes } = comparisonTableRows(cpython);
  const version = cpython.version ? ` ${cpython.version}` : '';
  return {
    heading: `Against ${cpython.implementation ?? 'CPython'}${version}${cpython.freeThreaded ? ' free-threaded' : ''}`,
    ...(rows.length > 0 ? { table: { columns: COMPARISON_COLUMNS, rows } } : {}),
    notes: [...footnotes.map((note, i) => `[${i + 1}] ${note}`), ...cpython.notes],
    verdict: { holds: cpython.skipped ? null : cpython.agrees, text: cpython.text },
  };
}
