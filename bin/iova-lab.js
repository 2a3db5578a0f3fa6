#!/usr/bin/env node
// Launcher: the CLI lives in the built package (npm run build → dist/).
import { main } from '../dist/cli/main.js';

// A reader that stops early (`| head`) closes the pipe: that ends the run quietly, like other Unix tools.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv);
