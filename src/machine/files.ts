// Reads a machine's files under a root ("/" for the live machine, or a captured copy) and keeps a
// log of every path it touched and how that went, so `capture` copies exactly what `inspect`
// reads and `inspect` can name every file it could not read.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

export type FileStatus = 'ok' | 'missing' | 'unreadable';

export interface FileAccess {
  /** Path relative to the root, with "/" separators (e.g. "proc/slabinfo"). */
  path: string;
  kind: 'file' | 'link' | 'dir';
  status: FileStatus;
  /** The error text when not ok. */
  error?: string;
  /** For links: the target's basename (sysfs slab aliases point into the same directory). */
  target?: string;
  /** For files: the text read (capture writes it back rather than copying: sysfs and procfs
   * files report sizes that copying tools cannot trust). */
  text?: string;
}

const statusOf = (e: unknown): FileStatus =>
  (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
const errText = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

export class MachineFiles {
  readonly log: FileAccess[] = [];
  constructor(readonly root: string) {}

  private note(a: FileAccess): FileAccess {
    this.log.push(a);
    return a;
  }

  async text(path: string): Promise<string | undefined> {
    try {
      const t = await readFile(join(this.root, path), 'utf8');
      this.note({ path, kind: 'file', status: 'ok', text: t });
      return t;
    } catch (e) {
      this.note({ path, kind: 'file', status: statusOf(e), error: errText(e) });
      return undefined;
    }
  }

  /** Directory entries (sorted), or undefined when the directory cannot be listed. */
  async list(path: string): Promise<string[] | undefined> {
    try {
      const names = (await readdir(join(this.root, path))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      this.note({ path, kind: 'dir', status: 'ok' });
      return names;
    } catch (e) {
      this.note({ path, kind: 'dir', status: statusOf(e), error: errText(e) });
      return undefined;
    }
  }

  /** The basename a symlink points to; null when the path is a plain directory or file; undefined when absent. */
  async link(path: string): Promise<string | null | undefined> {
    try {
      const st = await lstat(join(this.root, path));
      if (!st.isSymbolicLink()) return null;
      const target = basename(await readlink(join(this.root, path)));
      this.note({ path, kind: 'link', status: 'ok', target });
      return target;
    } catch (e) {
      if (statusOf(e) === 'missing') return undefined;
      this.note({ path, kind: 'link', status: 'unreadable', error: errText(e) });
      return undefined;
    }
  }

  /** Files that could not be read (each named once). */
  problems(): FileAccess[] {
    return this.log.filter((a) => a.status !== 'ok');
  }
}
