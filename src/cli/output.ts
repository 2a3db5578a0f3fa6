// Where the CLI's output goes, checked before a run and written so that a failure is a clean
// message: output paths (--plot, --timeline-out, import -o, capture DIR) are checked up front,
// a failed file write says what was already printed, and stdout is written synchronously so a
// closed pipe (`| head -1`) stops the command at the next write instead of after the whole run.
import { accessSync, constants, statSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './options.js';

/** A write that failed after the run (full disk, closed stdout): exit status 1, no stack trace. */
export class OutputError extends Error {}

/** Standard output was closed by its reader (EPIPE): the command stops quietly. */
export class StdoutClosedError extends Error {}

/** The errno code of a failed file operation (ENOSPC, EPIPE, …), else its message. */
export function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** `dir` exists, is a directory and is writable; `of` names the path it is asked for. */
function checkWritableDir(flag: string, dir: string, of: string): void {
  const st = statOrNull(dir);
  const what = dir === of ? `"${dir}"` : `"${dir}" (for "${of}")`;
  if (!st) throw new UsageError(`${flag}: directory ${what} does not exist.`);
  if (!st.isDirectory()) throw new UsageError(`${flag}: ${what} is not a directory.`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: directory ${what} is not writable.`);
  }
}

/** A file the command will write: its directory exists and is writable, and it is not a directory. */
export function checkOutputFile(flag: string, path: string): void {
  const st = statOrNull(path);
  if (st?.isDirectory()) throw new UsageError(`${flag}: "${path}" is a directory; name a file.`);
  if (st) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new UsageError(`${flag}: "${path}" is not writable.`);
    }
    return;
  }
  checkWritableDir(flag, dirname(resolve(path)), path);
}

/** A directory the command will fill: it is one and writable, or its parent is (it is created). */
export function checkOutputDir(flag: string, dir: string): void {
  const st = statOrNull(dir);
  if (st && !st.isDirectory()) throw new UsageError(`${flag}: "${dir}" exists and is not a directory.`);
  if (st) checkWritableDir(flag, dir, dir);
  else checkWritableDir(flag, dirname(resolve(dir)), dir);
}

/** Writes a file the run produced; `kept` says what the user still has when it fails. */
export async function writeOutputFile(path: string, text: string, kept: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new OutputError(`cannot write ${path} (${errnoOf(e)}); ${kept}`);
  }
}

const sleep = new Int32Array(new SharedArrayBuffer(4));

/** Writes to a file descriptor synchronously, waiting out a full non-blocking pipe (EAGAIN). */
export function writeFdSync(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  while (buf.length > 0) {
    let n: number;
    try {
      n = writeSync(fd, buf);
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'EAGAIN') {
        Atomics.wait(sleep, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') throw new StdoutClosedError('standard output was closed');
      throw new OutputError(`cannot write to standard output (${code})`);
    }
    buf = buf.subarray(n);
  }
}

/** The CLI's report writer: stdout, synchronously. */
export const writeStdout = (text: string): void => writeFdSync(1, text);
