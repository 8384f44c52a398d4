import { UsageError, type CliCommand } from './command.js';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run one experiment and print its measurements and verdict',
  usage:
    'run <experiment> [--workers N] [--policy cpython|legacy|fifo|none]\n' +
    '               [--switch-interval-ms X] [--size small|medium|large]\n' +
    '               [--json] [--trace FILE.json] [--svg FILE.svg]',
  options: {
    workers: { type: 'string' },
    policy: { type: 'string' },
    'switch-interval-ms': { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean' },
    trace: { type: 'string' },
    svg: { type: 'string' },
  },
  allowPositionals: true,
  run({ positionals }) {
    const [experiment] = positionals;
    if (experiment === undefined) throw new UsageError('run needs an experiment name (see `gil-lab list`)');
    // No experiments are registered yet, so every name is unknown.
    throw new UsageError(`unknown experiment '${experiment}'; no experiments are built yet (see \`gil-lab list\`)`);
  },
};
