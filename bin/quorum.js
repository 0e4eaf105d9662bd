#!/usr/bin/env node
// Runs the compiled, bundled CLI (built by `npm install` through the "prepare" script; src/cli/main.ts).
import '../dist/cli/quorum.js';
