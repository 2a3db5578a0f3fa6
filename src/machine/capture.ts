// Copies the files `inspect` reads into a directory (same relative paths), so a user can archive
// it and anyone can run `inspect --root DIR` on it. Symlinks are recreated as links.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MachineFiles, type FileAccess } from './files.js';
import { fsSource } from './fs-source.js';
import { readMachine } from './read.js';

export interface CaptureResult {
  copied: FileAccess[];
  skipped: FileAccess[];
}

export async function captureMachine(dest: string, root = '/'): Promise<CaptureResult> {
  const source = fsSource(root);
  const files = new MachineFiles(source);
  await readMachine(source, files);
  const copied: FileAccess[] = [];
  for (const a of files.log) {
    if (a.status !== 'ok') continue;
    const to = join(dest, a.path);
    if (a.kind === 'dir') await mkdir(to, { recursive: true });
    else {
      await mkdir(dirname(to), { recursive: true });
      if (a.kind === 'link') await symlink(a.target!, to);
      else await writeFile(to, a.text!);
    }
    copied.push(a);
  }
  return { copied, skipped: files.problems() };
}
