// Reads a machine's files from a source (the file system under a root, or a capture in memory)
// and keeps a log of every path it touched and how that went, so `capture` copies exactly what
// `inspect` reads and `inspect` can name every file it could not read.
import type { FileSource } from './file-source.js';

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

const codeOf = (e: unknown): string | undefined => (e as { code?: unknown }).code as string | undefined;
const statusOf = (e: unknown): FileStatus => (codeOf(e) === 'ENOENT' ? 'missing' : 'unreadable');
const errText = (e: unknown): string => codeOf(e) ?? String(e);
const basename = (path: string): string => path.replace(/\/+$/, '').split('/').pop() ?? path;

export class MachineFiles {
  readonly log: FileAccess[] = [];
  constructor(readonly source: FileSource) {}

  private note(a: FileAccess): FileAccess {
    this.log.push(a);
    return a;
  }

  async text(path: string): Promise<string | undefined> {
    try {
      const t = await this.source.readText(path);
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
      const names = (await this.source.readDir(path)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
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
      const target = await this.source.readLink(path);
      if (target === null) return null;
      this.note({ path, kind: 'link', status: 'ok', target: basename(target) });
      return basename(target);
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
