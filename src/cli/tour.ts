import { performance } from 'node:perf_hooks';
import {
  createProgress,
  formatSeconds,
  renderHtmlReport,
  renderTable,
  validateTraceEventFile,
} from '../report/index.js';
import { describeMachine, machineInfo } from '../experiments/machine.js';
import { combineTraces, renderResultText, toHtmlSection, toJson, verdictTally, wrap } from '../experiments/present.js';
import { experiments } from '../experiments/registry.js';
import { decisionGuide, guideCaveat, type GuideRow } from '../experiments/guide.js';
import { plural } from '../experiments/measure.js';
import type { ExperimentResult, LockTrace } from '../experiments/types.js';
import type { CliCommand } from './command.js';
import { checkWritable, writeOutput } from './output-file.js';
import { experimentOptions } from './run.js';
import { compareWithCpython, renderComparisonText, type CpythonJson } from '../cpython/against.js';

const INTRO =
  'Each experiment below takes one claim from the usual writing about the GIL, measures it on this ' +
  'machine, and says whether the machine agrees. Every figure is measured in this run; every verdict ' +
  'is computed from the table above it.';

const GUIDE_HEADING = 'What should I use?';

/** The guide in the terminal: each kind of work, the recommendation, and the figures behind it. */
export function renderGuideText(guide: readonly GuideRow[], width: number): string {
  return guide
    .map((row) => {
      const indented = (text: string) =>
        wrap(text, width - 4)
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n');
      return `• ${row.workload}\n${indented(`→ ${row.recommendation}`)}\n${indented(`measured: ${row.evidence}`)}\n`;
    })
    .join('\n');
}

function terminalWidth(): number {
  const columns = process.stdout.columns;
  return typeof columns === 'number' && columns >= 40 ? Math.min(columns, 120) : 80;
}

export const tourCommand: CliCommand = {
  name: 'tour',
  summary: 'every experiment at a small size, with a narrative report',
  usage:
    'tour [--size small|medium|large] [--workers N] [--html FILE.html] [--trace FILE.json] [--json]\n' +
    '               [--against-cpython [PYTHON]]',
  options: {
    size: { type: 'string' },
    workers: { type: 'string' },
    html: { type: 'string' },
    trace: { type: 'string' },
    json: { type: 'boolean' },
    'against-cpython': { type: 'string' },
  },
  allowPositionals: false,
  async run({ values, stdout, stderr }) {
    const htmlFile = typeof values.html === 'string' ? checkWritable(values.html, '--html', '.html') : undefined;
    const traceFile = typeof values.trace === 'string' ? checkWritable(values.trace, '--trace', '.json') : undefined;
    const json = values.json === true;
    const base = experimentOptions(values, {});
    const machine = machineInfo();
    const width = terminalWidth();
    const colour = !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const started = performance.now();

    if (!json) {
      stdout(`gil-lab tour: threads or processes, and why?\n`);
      stdout(`measured on ${describeMachine(machine)}; --size ${base.size}, --workers ${base.workers}\n\n`);
      stdout(`${wrap(INTRO, width)}\n`);
    }
    const python = typeof values['against-cpython'] === 'string' ? values['against-cpython'] : undefined;
    const done: { index: number; result: ExperimentResult; cpython?: CpythonJson }[] = [];
    const failures: string[] = [];
    for (const [index, experiment] of experiments.entries()) {
      const heading = `${index + 1}/${experiments.length} ${experiment.name}`;
      const progress = createProgress({ total: 1, label: heading });
      let result: ExperimentResult;
      try {
        result = await experiment.run({
          ...base,
          trace: experiment.traceable,
          sweep: false,
          onStep: (status, stepsDone, total) => {
            progress.setTotal(total);
            progress.update(stepsDone, status);
          },
        });
      } catch (error) {
        progress.stop();
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${experiment.name}: ${message}`);
        stderr(`gil-lab tour: ${experiment.name} failed: ${message}\n`);
        continue;
      } finally {
        progress.stop();
      }
      // Each twin right after its model run, so that both see the same machine load.
      const cpython = python === undefined ? undefined : await compareWithCpython(experiment, result, python);
      done.push({ index, result, ...(cpython ? { cpython } : {}) });
      if (json) continue;
      stdout(`\n${'━'.repeat(Math.min(width, 80))}\n${heading}\n\n`);
      stdout(`${wrap(experiment.question, width)}\n\n${wrap(`Claim: ${experiment.claim}`, width)}\n`);
      stdout(`${wrap(`In CPython: ${experiment.inCpython}`, width)}\n\n${wrap(experiment.narrative, width)}\n\n`);
      stdout(renderResultText(experiment, result, { width, colour }));
      if (cpython) stdout(`\n${renderComparisonText(cpython, { colour, wrap: (text) => wrap(text, width) })}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const guideInput = {
      results: new Map(done.map(({ index, result }) => [experiments[index]!.name, result.rows])),
      cpus: machine.cpus,
      size: base.size,
    };
    const guide = decisionGuide(guideInput);
    let summary = `This machine ${verdictTally(done.map(({ result }) => result.verdict))}`;
    if (failures.length > 0) summary += `; ${plural(failures.length, 'experiment')} failed to run`;

    if (json) {
      stdout(
        `${JSON.stringify(
          {
            machine,
            seconds,
            experiments: done.map(({ index, result, cpython }) =>
              toJson(experiments[index]!, result, machine, cpython),
            ),
            failures,
            summary,
            guide,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const rows = done.map(({ index, result, cpython }) => ({
        experiment: experiments[index]!.name,
        agrees: result.verdict.holds === null ? '– not testable' : result.verdict.holds ? '✔ yes' : '✘ no',
        ...(cpython
          ? {
              cpython: cpython.skipped
                ? 'skipped'
                : cpython.agrees === null
                  ? '–'
                  : cpython.agrees
                    ? '✔ agrees'
                    : '✘ differs',
            }
          : {}),
        seconds: result.elapsedSeconds,
      }));
      stdout(`\n${'━'.repeat(Math.min(width, 80))}\nSummary\n\n`);
      const columns = [
        'experiment',
        'agrees',
        ...(python === undefined ? [] : [{ key: 'cpython', header: 'model vs CPython' }]),
        { key: 'seconds', format: (v: unknown) => formatSeconds(v as number) },
      ];
      stdout(`${renderTable(columns, rows, { colour })}\n`);
      stdout(`\n${wrap(`${summary}; the tour took ${seconds.toFixed(1)} s.`, width)}\n`);
      stdout(`\n${'━'.repeat(Math.min(width, 80))}\n${GUIDE_HEADING}\n\n${renderGuideText(guide, width)}`);
      stdout(`\n${wrap(guideCaveat(guideInput), width)}\n`);
    }

    if (htmlFile !== undefined) {
      const page = renderHtmlReport({
        title: 'gil-lab tour: threads or processes, and why?',
        intro: INTRO,
        machine: {
          cpus: machine.cpus,
          model: machine.model,
          node: machine.node,
          platform: `${machine.platform} ${machine.arch}`,
          memory: `${machine.memoryGiB} GiB`,
          size: base.size,
          workers: base.workers,
          'tour time': `${seconds.toFixed(1)} s`,
        },
        sections: done.map(({ index, result, cpython }) => toHtmlSection(experiments[index]!, result, cpython)),
        summary: `${summary}.`,
        guide: { heading: GUIDE_HEADING, rows: guide, caveat: guideCaveat(guideInput) },
      });
      writeOutput(htmlFile, page, '--html');
      if (!json) stdout(`wrote ${htmlFile}\n`);
    }
    if (traceFile !== undefined) {
      const traces: { experiment: string; trace: LockTrace }[] = done.flatMap(({ index, result }) =>
        (result.traces ?? []).map((trace) => ({ experiment: experiments[index]!.name, trace })),
      );
      const file = combineTraces(traces, { tour: true, machine: describeMachine(machine) });
      const validation = validateTraceEventFile(file);
      if (!validation.valid) throw new Error(`the lock trace did not validate: ${validation.errors.join('; ')}`);
      writeOutput(traceFile, JSON.stringify(file), '--trace');
      if (!json) stdout(`wrote ${traceFile} (${validation.trackCount} thread tracks; open it in ui.perfetto.dev)\n`);
    }
    return failures.length === 0 ? 0 : 1;
  },
};
