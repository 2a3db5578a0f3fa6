#!/usr/bin/env node
// Launcher: the CLI lives in the built package (npm run build → dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
