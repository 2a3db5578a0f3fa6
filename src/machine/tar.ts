// Reads a tar archive (ustar, with GNU long names and pax path headers, as GNU tar and bsdtar
// write them) into entries: regular files, directories and symlinks; other kinds are skipped.
import { IovaLabError } from '../errors.js';
import type { CapturedEntry } from './captured-source.js';

export class TarFormatError extends IovaLabError {
  override name = 'TarFormatError';
}

const BLOCK = 512;
const utf8 = new TextDecoder('utf-8');

const fail = (msg: string): never => {
  throw new TarFormatError(msg, -1);
};

function field(h: Uint8Array, at: number, len: number): string {
  const bytes = h.subarray(at, at + len);
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** A numeric field: octal text, or big-endian base-256 when the top bit is set (GNU, large sizes). */
function number(h: Uint8Array, at: number, len: number, offset: number): number {
  if (h[at] & 0x80) {
    let n = h[at] & 0x7f;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + h[i];
    return n;
  }
  const text = field(h, at, len).trim();
  if (!/^[0-7]*$/.test(text)) fail(`not a tar archive: bad number "${text}" in the header at byte ${offset}`);
  return text === '' ? 0 : parseInt(text, 8);
}

function checkSum(h: Uint8Array, offset: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  if (sum !== number(h, 148, 8, offset)) fail(`not a tar archive: the header at byte ${offset} has a bad checksum`);
}

/** The records of a pax extended header: "<len> <key>=<value>\n" each. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = utf8.decode(data);
  for (const line of text.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

export function readTar(bytes: Uint8Array): CapturedEntry[] {
  const out: CapturedEntry[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  for (let at = 0; at < bytes.length;) {
    if (at + BLOCK > bytes.length) {
      if (bytes.subarray(at).some((b) => b !== 0)) fail(`the tar archive ends inside the header at byte ${at}`);
      break;
    }
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break; // the end-of-archive blocks
    checkSum(h, at);
    const size = number(h, 124, 12, at);
    const type = String.fromCharCode(h[156]);
    const dataAt = at + BLOCK;
    if (dataAt + size > bytes.length) fail(`the tar archive ends inside the entry at byte ${at}`);
    const data = bytes.subarray(dataAt, dataAt + size);
    at = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') longName = field(data, 0, data.length);
    else if (type === 'K') longLink = field(data, 0, data.length);
    else if (type === 'x') {
      const pax = paxRecords(data);
      longName = pax.get('path') ?? longName;
      longLink = pax.get('linkpath') ?? longLink;
    } else {
      const prefix = field(h, 345, 155);
      const path = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      const target = longLink ?? field(h, 157, 100);
      longName = longLink = undefined;
      if (type === '0' || type === '\0' || type === '7') out.push({ path, kind: 'file', text: utf8.decode(data) });
      else if (type === '5') out.push({ path, kind: 'dir' });
      else if (type === '2') out.push({ path, kind: 'link', target });
    }
  }
  return out;
}
