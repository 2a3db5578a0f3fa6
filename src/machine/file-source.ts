// Where a machine's files come from: the file system under a root (the CLI, fs-source.ts) or a
// capture held in memory (the playground, captured-source.ts). `inspect` reads both the same way.

/** Paths are relative to the machine's root, with "/" separators (e.g. "proc/slabinfo"). */
export interface FileSource {
  /** A file's text. */
  readText(path: string): Promise<string>;
  /** A directory's entry names, in any order. */
  readDir(path: string): Promise<string[]>;
  /** A symlink's target as stored; null when the path exists and is no link. */
  readLink(path: string): Promise<string | null>;
}

/** A failed read, with the errno-style code the file system would give ('ENOENT', 'EACCES', …). */
export class FileSourceError extends Error {
  override name = 'FileSourceError';
  constructor(
    readonly code: string,
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
  }
}
