import { renderTable } from '../report/index.js';
import { experiments } from '../experiments/registry.js';
import type { CliCommand } from './command.js';

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'the experiments and the questions they answer',
  usage: 'list [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: false,
  run({ values, stdout }) {
    const rows = experiments.map((experiment) => ({
      name: experiment.name,
      question: experiment.question,
      claim: experiment.claim,
    }));
    if (values.json === true) {
      stdout(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      stdout(`${renderTable(['name', 'question'], rows)}\n`);
      stdout('Run one with `gil-lab run <name>`, or all of them with `gil-lab tour`.\n');
    }
    return 0;
  },
};
