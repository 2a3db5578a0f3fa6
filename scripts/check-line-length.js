#!/usr/bin/env node
// House rule: no line in src/ or native/ wider than 120 columns (tabs expand to the next multiple
// of 8, as the kernel style the C code follows). Prints each offender as file:line: width and
// exits 1 if there is any. Part of `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX_COLUMNS = 120;
const TAB_WIDTH = 8;
const ROOTS = ['src', 'native'];
const CHECKED = /\.(ts|js|c|h|mk)$|(^|\/)Makefile$/;
const root = join(import.meta.dirname, '..');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (CHECKED.test(path)) yield path;
  }
}

function columns(line) {
  let width = 0;
  for (const ch of line) width = ch === '\t' ? (Math.floor(width / TAB_WIDTH) + 1) * TAB_WIDTH : width + 1;
  return width;
}

let offenders = 0;
for (const top of ROOTS) {
  for (const path of files(join(root, top))) {
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const width = columns(line);
        if (width <= MAX_COLUMNS) return;
        offenders++;
        console.log(`${relative(root, path)}:${i + 1}: ${width} columns (max ${MAX_COLUMNS})`);
      });
  }
}
if (offenders > 0) {
  console.log(`${offenders} line(s) wider than ${MAX_COLUMNS} columns`);
  process.exit(1);
}
