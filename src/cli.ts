#!/usr/bin/env node
// The `gil-lab` command. All the logic is in ./cli/main.ts so tests can call it in-process.
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
