#!/usr/bin/env node
// The atoll command: a thin launcher for the compiled CLI in dist/ (built by `npm ci`).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`atoll: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
