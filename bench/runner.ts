// Runs named benchmark suites and reports them as a table or JSON; shared by `npm run bench`
// (bench/run.ts) and `gil-lab bench`.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suites } from './suites/index.js';
import type { BenchCaseResult, BenchSuite, BenchSuiteResult } from './suite.js';

export interface RunBenchOptions {
  /** Print JSON instead of tables. */
  json?: boolean;
  /** Also write each suite's result to DIR/<suite>.json. */
  outDir?: string;
  /** Seconds per case (benchmark.js maxTime). */
  maxTimeS?: number;
  stdout?: (text: string) => void;
}

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

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model ?? 'unknown',
    logicalCpus: cpus.length,
  };
}

export function formatSuite(result: BenchSuiteResult): string {
  const rows = result.cases.map((c: BenchCaseResult) => [
    c.name,
    Math.round(c.opsPerSec).toLocaleString('en-US'),
    `±${c.rmePercent.toFixed(2)}%`,
    c.meanNs.toFixed(1),
    String(c.samples),
  ]);
  const header = ['case', 'ops/s', 'rme', 'ns/op', 'samples'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    `${result.suite}: ${result.description}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...result.notes.map((n) => `  ${n}`),
    '',
  ].join('\n');
}

/** Runs the named suites (all when none are named). */
export async function runBench(names: readonly string[], options: RunBenchOptions = {}): Promise<BenchSuiteResult[]> {
  const selected = selectSuites(names);
  const stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
  const maxTimeS = options.maxTimeS ?? 1;
  if (!(maxTimeS > 0)) throw new RangeError(`maxTimeS must be a positive number of seconds, got ${maxTimeS}`);
  const results: BenchSuiteResult[] = [];
  for (const suite of selected) {
    const result = await suite.run({ maxTimeS });
    results.push(result);
    if (!options.json) stdout(`${formatSuite(result)}\n`);
    if (options.outDir !== undefined) {
      await mkdir(options.outDir, { recursive: true });
      const file = path.join(options.outDir, `${suite.name}.json`);
      const record = { ...result, machine: machine(), date: new Date().toISOString() };
      await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
    }
  }
  if (options.json) stdout(`${JSON.stringify({ machine: machine(), suites: results }, null, 2)}\n`);
  return results;
}
