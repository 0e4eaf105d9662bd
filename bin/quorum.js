#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the "prepare" script). What the command can start
// early starts first; the rest of the CLI loads meanwhile.
import { warmUp } from '../dist/src/cli/warm-up.js';

warmUp(process.argv.slice(2));
const { runCli } = await import('../dist/src/cli/index.js');
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
