// The file system under a root ("/" for the machine this runs on, or a captured copy).
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSource } from './file-source.js';

export function fsSource(root: string): FileSource {
  return {
    readText: (path) => readFile(join(root, path), 'utf8'),
    readDir: (path) => readdir(join(root, path)),
    readLink: async (path) => ((await lstat(join(root, path))).isSymbolicLink() ? readlink(join(root, path)) : null),
  };
}
