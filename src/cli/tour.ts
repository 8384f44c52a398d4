import type { CliCommand } from './command.js';

export const tourCommand: CliCommand = {
  name: 'tour',
  summary: 'every experiment at a small size, with a narrative report',
  usage: 'tour',
  options: {},
  allowPositionals: false,
  run({ stdout, help }) {
    // Until the experiments exist there is nothing to tour; say so rather than pretend.
    stdout('gil-lab: the tour is not built yet in this version.\n\n');
    stdout(help());
    return 1;
  },
};
