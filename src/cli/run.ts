import { createProgress, validateTraceEventFile } from '../report/index.js';
import { machineInfo, describeMachine } from '../experiments/machine.js';
import { parseCliOptions, resolveOptions } from '../experiments/options.js';
import { combineTraces, renderResultSvg, renderResultText, toJson, wrap } from '../experiments/present.js';
import { experimentNames, experiments, findExperiment } from '../experiments/registry.js';
import type { Experiment, ExperimentOptions } from '../experiments/types.js';
import { CommandFailure, UsageError, type CliCommand, type CommandContext } from './command.js';
import { checkWritable, writeOutput } from './output-file.js';
import { compareWithCpython, renderComparisonText } from '../cpython/against.js';
import { experimentHelp, refuseUnusedOptions } from './experiment-help.js';

/** The experiment named on the command line, or a UsageError listing the valid names. */
export function experimentArgument(positionals: readonly string[]): Experiment {
  const [name, ...extra] = positionals;
  if (name === undefined) {
    throw new UsageError(`run needs an experiment name; valid experiments: ${experimentNames().join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`run takes one experiment, got also: ${extra.join(' ')}`);
  try {
    return findExperiment(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses the experiment options of the command line; bad values are usage errors (exit 2). */
export function experimentOptions(
  values: CommandContext['values'],
  extra: Partial<ExperimentOptions>,
): ExperimentOptions {
  try {
    return resolveOptions({ ...parseCliOptions(values), ...extra });
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

// convoy runs up to 4 CPU-bound threads under the lock and gives them 10 s to be running before it
// measures (src/experiments/convoy.ts). A thread waiting for the lock asks the holder to drop it only
// after one switch interval, so the k-th thread starts about (k - 1) intervals in: an interval of
// 10 s / 4 or more fails after the deadline, which cannot be known any earlier than this.
const CONVOY_CPU_THREADS = 4;
const CONVOY_START_DEADLINE_MS = 10_000;

/** Refuses option values with which an experiment cannot work, before it runs (exit 2). */
export function refuseUnworkable(experiment: Experiment, options: ExperimentOptions): void {
  const interval = options.switchIntervalMs;
  if (experiment.name === 'convoy' && interval !== undefined && options.policy !== 'none') {
    const most = Math.floor(CONVOY_START_DEADLINE_MS / CONVOY_CPU_THREADS) - 1;
    if (interval > most) {
      throw new UsageError(
        `--switch-interval-ms ${interval} cannot work for convoy: its ${CONVOY_CPU_THREADS} CPU-bound threads each wait up to ` +
          `one switch interval for the lock and must all be running within ${CONVOY_START_DEADLINE_MS / 1000} s; use at most ${most}`,
      );
    }
  }
}

function terminalWidth(): number {
  const columns = process.stdout.columns;
  return typeof columns === 'number' && columns >= 40 ? columns : 80;
}

export function traceableNames(): string {
  return experiments
    .filter((experiment) => experiment.traceable)
    .map((experiment) => experiment.name)
    .join(', ');
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run one experiment and print its measurements and verdict',
  usage:
    'run <experiment> [--workers N] [--policy cpython|legacy|fifo|none]\n' +
    '               [--switch-interval-ms X] [--size small|medium|large] [--kernel K]\n' +
    '               [--json] [--trace FILE.json] [--svg FILE.svg] [--against-cpython [PYTHON]]\n' +
    'Each experiment takes only the options it uses: `gil-lab run <experiment> --help` lists them.',
  options: {
    workers: { type: 'string' },
    policy: { type: 'string' },
    'switch-interval-ms': { type: 'string' },
    size: { type: 'string' },
    kernel: { type: 'string' },
    json: { type: 'boolean' },
    trace: { type: 'string' },
    svg: { type: 'string' },
    'against-cpython': { type: 'string' },
  },
  allowPositionals: true,
  help(positionals) {
    return positionals.length === 0 ? undefined : experimentHelp(experimentArgument(positionals), terminalWidth());
  },
  async run({ values, positionals, stdout }) {
    // Everything is checked before the experiment starts.
    const experiment = experimentArgument(positionals);
    refuseUnusedOptions(experiment, values);
    const json = values.json === true;
    const traceFile = typeof values.trace === 'string' ? checkWritable(values.trace, '--trace', '.json') : undefined;
    const svgFile = typeof values.svg === 'string' ? checkWritable(values.svg, '--svg', '.svg') : undefined;
    if (traceFile !== undefined && !experiment.traceable) {
      throw new UsageError(
        `${experiment.name} runs no threads under a lock, so it has no lock trace; --trace works with: ${traceableNames()}`,
      );
    }
    const colour = !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const progress = createProgress({ total: 1, label: experiment.name });
    const options = experimentOptions(values, {
      // Traces feed the timelines in the terminal report and the SVG too; --json alone needs none.
      trace: experiment.traceable && (!json || traceFile !== undefined || svgFile !== undefined),
      // The speedup chart needs every mode at 1..N workers.
      sweep: svgFile !== undefined && experiment.name === 'cpu-bound',
      onStep: (status, done, total) => {
        progress.setTotal(total);
        progress.update(done, status);
      },
    });

    refuseUnworkable(experiment, options);

    let result;
    try {
      result = await experiment.run(options);
    } catch (error) {
      // As in `tour`: one line saying what failed, not a stack trace.
      throw new CommandFailure(`${experiment.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      progress.stop();
    }
    const machine = machineInfo();
    // The twin runs right after the model, in the same command, so both see the same machine load.
    const python = values['against-cpython'];
    const cpython = typeof python === 'string' ? await compareWithCpython(experiment, result, python) : undefined;
    if (json) {
      stdout(`${JSON.stringify(toJson(experiment, result, machine, cpython), null, 2)}\n`);
    } else {
      const width = terminalWidth();
      stdout(`${experiment.name}: ${wrap(experiment.question, width - experiment.name.length - 2)}\n`);
      stdout(`measured on ${describeMachine(machine)}; ${result.elapsedSeconds.toFixed(1)} s\n\n`);
      stdout(`${wrap(`Claim: ${experiment.claim}`, width)}\n${wrap(`In CPython: ${experiment.inCpython}`, width)}\n\n`);
      stdout(renderResultText(experiment, result, { width, colour }));
      if (cpython) stdout(`\n${renderComparisonText(cpython, { colour, wrap: (text) => wrap(text, width) })}`);
    }
    if (traceFile !== undefined) {
      const traces = (result.traces ?? []).map((trace) => ({ experiment: experiment.name, trace }));
      const file = combineTraces(traces, { experiment: experiment.name, machine: describeMachine(machine) });
      const validation = validateTraceEventFile(file);
      if (!validation.valid) throw new Error(`the lock trace did not validate: ${validation.errors.join('; ')}`);
      writeOutput(traceFile, JSON.stringify(file), '--trace');
      if (!json) stdout(`\nwrote ${traceFile} (${validation.trackCount} thread tracks; open it in ui.perfetto.dev)\n`);
    }
    if (svgFile !== undefined) {
      writeOutput(svgFile, renderResultSvg(experiment, result), '--svg');
      if (!json) stdout(`wrote ${svgFile}\n`);
    }
    return 0;
  },
};
