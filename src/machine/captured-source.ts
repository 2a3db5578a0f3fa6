// A captured machine held in memory: the entries of a capture archive or of a folder chosen in a
// browser, under their paths relative to the capture's root. Reads behave as the file system's
// would on the unpacked capture: parent directories exist, links resolve relative to their directory.
import { FileSourceError, type FileSource } from './file-source.js';

export type CapturedEntry =
  | { path: string; kind: 'file'; text: string }
  | { path: string; kind: 'dir' }
  | { path: string; kind: 'link'; target: string };

/** At most this many links in a row, as the kernel's own limit on nested symlinks. */
const MAX_LINK_HOPS = 40;

/** f's value as a promise, a throw as a rejection (reads fail as the file system's do: asynchronously). */
const settled = <T>(f: () => T): Promise<T> => new Promise((ok) => ok(f()));
const parentOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));
const clean = (path: string): string =>
  path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');

export function capturedSource(entries: Iterable<CapturedEntry>): FileSource {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const dirs = new Map<string, Set<string>>([['', new Set()]]);
  const addToParent = (path: string): void => {
    for (let p = path; p !== ''; p = parentOf(p)) {
      const parent = parentOf(p);
      if (!dirs.has(parent)) dirs.set(parent, new Set());
      dirs.get(parent)!.add(p.slice(parent.length === 0 ? 0 : parent.length + 1));
    }
  };
  for (const e of entries) {
    const path = clean(e.path);
    if (path === '') continue;
    addToParent(path);
    if (e.kind === 'file') files.set(path, e.text);
    else if (e.kind === 'link') links.set(path, e.target);
    else if (!dirs.has(path)) dirs.set(path, new Set());
  }

  /** The path with every link among its components followed (the last one too when `followLast`). */
  const resolve = (path: string, followLast: boolean): string => {
    let parts = clean(path).split('/');
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const here = parts.slice(0, i + 1).join('/');
      const target = links.get(here);
      if (target === undefined || (i === parts.length - 1 && !followLast)) continue;
      if (++hops > MAX_LINK_HOPS || target.startsWith('/')) throw new FileSourceError('ELOOP', path);
      const joined: string[] = [];
      for (const p of [...parts.slice(0, i), ...target.split('/'), ...parts.slice(i + 1)]) {
        if (p === '..') joined.pop();
        else if (p !== '' && p !== '.') joined.push(p);
      }
      parts = joined;
      i = -1; // the target may itself run through links
    }
    return parts.join('/');
  };

  return {
    readText: (path) =>
      settled(() => {
        const p = resolve(path, true);
        const text = files.get(p);
        if (text !== undefined) return text;
        throw new FileSourceError(dirs.has(p) ? 'EISDIR' : 'ENOENT', path);
      }),
    readDir: (path) =>
      settled(() => {
        const p = resolve(path, true);
        const names = dirs.get(p);
        if (names) return [...names];
        throw new FileSourceError(files.has(p) ? 'ENOTDIR' : 'ENOENT', path);
      }),
    readLink: (path) =>
      settled(() => {
        const p = resolve(path, false);
        const target = links.get(p);
        if (target !== undefined) return target;
        if (files.has(p) || dirs.has(p)) return null as string | null;
        throw new FileSourceError('ENOENT', path);
      }),
  };
}
