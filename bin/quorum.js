#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the "prepare" script).
import { runCli } from '../dist/src/cli/index.js';

runCli(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});
