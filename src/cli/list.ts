import type { CliCommand } from './command.js';

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'the experiments and the questions they answer',
  usage: 'list [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: false,
  run({ values, stdout }) {
    // No experiments are registered yet; the experiments registry replaces this list.
    const experiments: { name: string; question: string }[] = [];
    if (values.json === true) {
      stdout(`${JSON.stringify(experiments, null, 2)}\n`);
    } else if (experiments.length === 0) {
      stdout('gil-lab: no experiments are built yet in this version.\n');
    }
    return 0;
  },
};
