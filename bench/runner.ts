// Runs named benchmark suites and reports them as terminal tables or one JSON object; shared by
// `npm run bench` (bench/run.ts) and `gil-lab bench` (src/cli/bench.ts).
//
// Output: tables on stdout as each suite finishes, or with `json` exactly one object
// { label, date, quick, machine, floorNs, suites: { <name>: result } } (the run record, the same
// object as the .json file) on stdout and nothing else. Progress goes to stderr and
// only when stderr is a terminal. Files (`<label>-<date>.json/.md/.svg`) are written only when an
// output folder is given; the callers choose the default (bench/results for full runs).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '#internal/native';
import { createProgress, type Progress, type ProgressStream } from '#internal/report/progress';
import { renderTable } from '#internal/report/table';
import { runCases } from './benchmark-js.js';
import { casesTable, checkLabel, defaultLabel, machineInfo, writeRunFiles, type RunRecord } from './results-writer.js';
import { suites } from './suites/index.js';
import type { BenchOptions, BenchSuite, BenchSuiteResult, BenchTable } from './suite.js';

export interface RunBenchOptions {
  /** Print one JSON object instead of tables. */
  json?: boolean;
  /** Write `<label>-<date>.json`, `.md` and `.svg` here. Nothing is written without it. */
  outDir?: string;
  /** Seconds per micro-benchmark case (the npm benchmark package, bench/benchmark-js.ts); default 1, or 0.1 with `quick`. */
  maxTimeS?: number;
  /** Every suite scales its work down (see BenchOptions.quick). */
  quick?: boolean;
  /** Names the run in file names; default `<cpus>cpu-<cpu model>`. */
  label?: string;
  stdout?: (text: string) => void;
  /** Where progress is drawn (only if it is a TTY); default process.stderr. */
  progressStream?: ProgressStream;
}

/**
 * Where full runs are kept: bench/results in a checkout of gil-lab (`npm run bench`); from an
 * installed package (which has no bench/ sources), ./gil-lab-bench-results in the working
 * directory rather than inside node_modules.
 */
export const DEFAULT_RESULTS_DIR = existsSync(fileURLToPath(new URL('../../bench/runner.ts', import.meta.url)))
  ? path.resolve(fileURLToPath(new URL('../../bench/results', import.meta.url)))
  : path.resolve('gil-lab-bench-results');

export const suiteNames = (): string[] => suites.map((s) => s.name);

/** Finds suites by name; throws a RangeError naming the valid ones for an unknown name. */
export function selectSuites(names: readonly string[]): BenchSuite[] {
  if (names.length === 0) return [...suites];
  return names.map((name) => {
    const suite = suites.find((s) => s.name === name);
    if (suite === undefined) {
      throw new RangeError(`unknown benchmark suite '${name}'; valid suites: ${suiteNames().join(', ')}`);
    }
    return suite;
  });
}

function printTable(table: BenchTable, colour: boolean): string {
  return `${table.title}\n${renderTable(
    table.columns.map((c) => ({ key: c.key, header: c.header, align: c.align ?? 'left' })),
    table.rows,
    { colour },
  )}\n`;
}

/** A suite's result as terminal text: its cases beside the floor, its tables, its notes. */
export function formatSuite(result: BenchSuiteResult, floorNs?: number, colour = false): string {
  const parts: string[] = [];
  if (result.cases.length > 0) parts.push(printTable(casesTable(result, floorNs), colour));
  else parts.push(`${result.suite}: ${result.description}\n`);
  for (const table of result.tables ?? []) parts.push(printTable(table, colour));
  parts.push(...result.notes.map((n) => `  ${n}\n`));
  return `${parts.join('')}\n`;
}

/** The Node-API no-op's ns per call, from the floor suite's result. */
function floorFrom(result: BenchSuiteResult): number | undefined {
  return result.cases.find((c) => c.name.startsWith('Node-API noop()'))?.meanNs;
}

/** Runs the named suites (all when none are named) and returns their results in run order. */
export async function runBench(names: readonly string[], options: RunBenchOptions = {}): Promise<BenchSuiteResult[]> {
  const selected = selectSuites(names);
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const quick = options.quick ?? false;
  if (typeof quick !== 'boolean') throw new TypeError(`quick must be a boolean, got ${typeof quick}`);
  const maxTimeS = options.maxTimeS ?? (quick ? 0.1 : 1);
  if (typeof maxTimeS !== 'number') throw new TypeError(`maxTimeS must be a number, got ${typeof maxTimeS}`);
  if (!(maxTimeS > 0 && maxTimeS <= 600)) {
    throw new RangeError(`maxTimeS must be a positive number of seconds (at most 600), got ${maxTimeS}`);
  }
  const machine = machineInfo();
  const label = options.label === undefined ? defaultLabel(machine) : checkLabel(options.label);
  const progressStream = options.progressStream ?? process.stderr;
  const colour = !options.json && process.stdout.isTTY === true && options.stdout === undefined;

  // Every micro-benchmark is shown beside the floor: from the floor suite when it runs first,
  // otherwise timed once here.
  let floorNs: number | undefined;
  const needsFloor = selected.some((s) => s.name !== 'floor' && s.name !== 'scaling');
  if (needsFloor && selected[0]?.name !== 'floor') {
    const [floor] = await runCases([{ name: 'Node-API noop()', fn: () => native.noop() }], { maxTimeS });
    floorNs = floor?.meanNs;
  }

  const results: BenchSuiteResult[] = [];
  for (const [index, suite] of selected.entries()) {
    let bar: Progress | undefined;
    const status = (text: string) => `${suite.name} (${index + 1}/${selected.length}): ${text}`;
    const suiteOptions: BenchOptions = {
      maxTimeS,
      quick,
      onCase: (c) => {
        if (progressStream.isTTY === true && bar === undefined) {
          progressStream.write(`  ${status(`${c.name}: ${Math.round(c.opsPerSec).toLocaleString('en-US')} ops/s`)}\n`);
        }
      },
      onProgress: (done, total, text) => {
        bar ??= createProgress({ total, label: 'bench', stream: progressStream });
        bar.setTotal(total);
        bar.update(done, status(text));
      },
    };
    let result: BenchSuiteResult;
    try {
      result = await suite.run(suiteOptions);
    } finally {
      (bar as Progress | undefined)?.stop();
    }
    results.push(result);
    if (suite.name === 'floor') floorNs = floorFrom(result) ?? floorNs;
    if (!options.json) stdout(formatSuite(result, suite.name === 'floor' ? undefined : floorNs, colour));
  }

  const record: RunRecord = {
    label,
    date: new Date().toISOString().slice(0, 10),
    quick,
    machine,
    floorNs,
    suites: Object.fromEntries(results.map((r) => [r.suite, r])),
  };
  if (options.outDir !== undefined) {
    const written = await writeRunFiles(options.outDir, record);
    if (!options.json) {
      const shown = written.map((file) => {
        const relative = path.relative(process.cwd(), file);
        return relative.startsWith('..') ? file : relative;
      });
      stdout(`wrote ${shown.join(', ')}\n`);
    }
  }
  // The same object as the .json file: { label, date, quick, machine, floorNs, suites: { <name>: result } }.
  if (options.json) stdout(`${JSON.stringify(record, null, 2)}\n`);
  return results;
}
