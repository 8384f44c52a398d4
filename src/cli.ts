#!/usr/bin/env node
// The `gil-lab` command. All the logic is in ./cli/main.ts so tests can call it in-process.
import { main } from './cli/main.js';

// `gil-lab ... | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
