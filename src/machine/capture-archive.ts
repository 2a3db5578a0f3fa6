// A capture as the playground receives it: the `iova-lab capture` folder packed with tar (gzipped
// or not), or the folder's files one by one. Either way the entries sit under the capture's root,
// found as the folder holding its sys/ and proc/.
import { IovaLabError } from '../errors.js';
import type { CapturedEntry } from './captured-source.js';
import { readTar, TarFormatError } from './tar.js';

export class CaptureFormatError extends IovaLabError {
  override name = 'CaptureFormatError';
}

/** A capture is a few hundred KiB; more than this is not one. */
export const MAX_CAPTURE_BYTES = 64 * 2 ** 20;

const isGzip = (b: Uint8Array): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_CAPTURE_BYTES) {
      await reader.cancel();
      throw new CaptureFormatError(`the capture unpacks to more than ${MAX_CAPTURE_BYTES} bytes`, -1);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The entries of a capture, relative to its root, and that root's path in the archive or folder ("" or "dir/"). */
export interface CaptureEntries {
  root: string;
  entries: CapturedEntry[];
}

/** The entries of a .tar or .tar.gz archive of a capture. */
export async function readCaptureArchive(bytes: Uint8Array, name: string): Promise<CaptureEntries> {
  if (bytes.length > MAX_CAPTURE_BYTES) {
    throw new CaptureFormatError(`${name} has ${bytes.length} bytes; a capture has at most ${MAX_CAPTURE_BYTES}`, -1);
  }
  let tar: Uint8Array;
  try {
    tar = isGzip(bytes) ? await gunzip(bytes) : bytes;
  } catch (e) {
    if (e instanceof CaptureFormatError) throw e;
    throw new CaptureFormatError(`${name} is not a readable gzip file`, -1, e);
  }
  try {
    return underCaptureRoot(readTar(tar), name);
  } catch (e) {
    if (e instanceof TarFormatError) throw new CaptureFormatError(`${name}: ${e.message}`, -1, e);
    throw e;
  }
}

/** The root's path inside the entries' paths ("" or "dir/"): the shallowest folder holding sys or proc. */
function captureRoot(paths: string[]): string | undefined {
  let best: string | undefined;
  for (const path of paths) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    const i = parts.findIndex((p) => p === 'sys' || p === 'proc');
    if (i < 0) continue;
    const root = parts
      .slice(0, i)
      .map((p) => `${p}/`)
      .join('');
    if (best === undefined || root.length < best.length) best = root;
  }
  return best;
}

/** The entries under the capture's root, with paths relative to it; an error naming `name` when none is found. */
export function underCaptureRoot(entries: CapturedEntry[], name: string): CaptureEntries {
  const normal = entries.map((e) => ({ ...e, path: e.path.replace(/^(\.\/|\/)+/, '') }));
  const root = captureRoot(normal.map((e) => e.path));
  if (root === undefined) {
    throw new CaptureFormatError(`${name} holds no sys/ or proc/ folder: is it what \`iova-lab capture\` wrote?`, -1);
  }
  const inside = normal.filter((e) => e.path.startsWith(root)).map((e) => ({ ...e, path: e.path.slice(root.length) }));
  return { root, entries: inside };
}
