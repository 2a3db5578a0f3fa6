// Reading slab statistics as a machine prints them: one `slabtop -o` row, one /proc/slabinfo
// line, or a whole /proc/slabinfo file, whose "# name <active_objs> …" header says which column
// is which (the columns are looked up by name, not by position).
import { IovaLabError } from '../errors.js';
import { clip } from '../share/echo.js';

export class SlabLineParseError extends IovaLabError {
  override name = 'SlabLineParseError';
}

export interface SlabLine {
  format: 'slabtop' | 'slabinfo';
  name: string;
  activeObjs: number;
  numObjs: number;
  /** Bytes. slabtop prints "0.06K"; this is the real object size that rounds to it (64). */
  objSize: number;
  objPerSlab: number;
  numSlabs: number;
  pagesPerSlab?: number;
}

const fail = (msg: string): never => {
  throw new SlabLineParseError(msg, -1);
};

function count(what: string, token: string | undefined, line: string): number {
  if (token === undefined || !/^\d+$/.test(token)) fail(`cannot read ${what} from line: ${clip(line.trim())}`);
  const n = Number(token);
  if (!Number.isSafeInteger(n)) {
    fail(`${what} ${clip(token!)} is beyond the exact integer range in line: ${clip(line.trim())}`);
  }
  return n;
}

/**
 * The object size behind a slabtop size such as "0.06K": slab objects are multiples of 8 bytes,
 * so pick the multiple of 8 that slabtop would print the same way, preferring a multiple of 64
 * (cache-line aligned caches such as iommu_iova). A kmalloc-N cache is N bytes whatever is printed.
 */
export function realObjSize(printed: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(printed);
  if (!m) return fail(`cannot read OBJ SIZE "${clip(printed)}"`);
  const kmalloc = /^kmalloc-(\d+)(k?)$/.exec(name);
  if (kmalloc) return count('kmalloc size', kmalloc[1], name) * (kmalloc[2] ? 1024 : 1);
  const unit = m[2].toUpperCase();
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[unit as '' | 'K' | 'M' | 'G'];
  // a size in bytes is printed whole: "64.5" is not a size, and is refused rather than rounded
  if (unit === '') return count('OBJ SIZE', m[1], printed);
  const decimals = m[1].split('.')[1]?.length ?? 0;
  const half = (0.5 / 10 ** decimals) * mult;
  const lo = Math.ceil((Number(m[1]) * mult - half) / 8) * 8;
  const fits: number[] = [];
  for (let b = Math.max(8, lo); b < Number(m[1]) * mult + half; b += 8) {
    if ((b / mult).toFixed(decimals) === Number(m[1]).toFixed(decimals)) fits.push(b);
  }
  return fits.find((b) => b % 64 === 0) ?? fits[0] ?? Math.round(Number(m[1]) * mult);
}

/** Rejects what no slab allocator can show: more active objects than objects, zero-sized objects. */
function checked(l: SlabLine, line: string): SlabLine {
  if (l.activeObjs > l.numObjs) {
    fail(`${l.name}: ${l.activeObjs} active objects exceed the ${l.numObjs} objects in line: ${clip(line.trim())}`);
  }
  if (l.objSize === 0) fail(`${l.name}: object size 0 in line: ${clip(line.trim())}`);
  if (l.objPerSlab === 0) fail(`${l.name}: 0 objects per slab in line: ${clip(line.trim())}`);
  return l;
}

function slabtopRow(t: string[], line: string): SlabLine {
  // OBJS ACTIVE USE OBJ_SIZE SLABS OBJ/SLAB CACHE_SIZE NAME
  if (t.length < 8) fail(`a slabtop row has 8 columns, got ${t.length}: ${clip(line.trim())}`);
  const name = t.slice(7).join(' ');
  return checked(
    {
      format: 'slabtop',
      numObjs: count('OBJS', t[0], line),
      activeObjs: count('ACTIVE', t[1], line),
      objSize: realObjSize(t[3], name),
      numSlabs: count('SLABS', t[4], line),
      objPerSlab: count('OBJ/SLAB', t[5], line),
      name,
    },
    line,
  );
}

/** Field positions of a /proc/slabinfo line, from its header (version 2.1 layout when absent). */
export interface SlabinfoColumns {
  active: number;
  num: number;
  size: number;
  perSlab: number;
  pages: number;
  /** Position of num_slabs counted after the "slabdata" word. */
  numSlabsAfterSlabdata: number;
}

export const SLABINFO_V21: SlabinfoColumns = {
  active: 1,
  num: 2,
  size: 3,
  perSlab: 4,
  pages: 5,
  numSlabsAfterSlabdata: 2,
};

/** The columns a "# name <active_objs> <num_objs> …" header names. */
export function slabinfoColumns(header: string): SlabinfoColumns {
  const t = header.replace(/^#\s*/, '').trim().split(/\s+/);
  const at = (field: string): number => {
    const i = t.indexOf(`<${field}>`);
    if (i < 0) fail(`the /proc/slabinfo header has no <${field}> column: ${header.trim()}`);
    return i;
  };
  const slabdata = t.indexOf('slabdata');
  return {
    active: at('active_objs'),
    num: at('num_objs'),
    size: at('objsize'),
    perSlab: at('objperslab'),
    pages: at('pagesperslab'),
    numSlabsAfterSlabdata: slabdata >= 0 ? at('num_slabs') - slabdata : SLABINFO_V21.numSlabsAfterSlabdata,
  };
}

function slabinfoLine(t: string[], line: string, c: SlabinfoColumns): SlabLine {
  const need = Math.max(c.active, c.num, c.size, c.perSlab, c.pages) + 1;
  if (t.length < need) fail(`a /proc/slabinfo line has at least ${need} fields, got ${t.length}: ${clip(line.trim())}`);
  const slabdata = t.indexOf('slabdata');
  return checked(
    {
      format: 'slabinfo',
      name: t[0],
      activeObjs: count('active_objs', t[c.active], line),
      numObjs: count('num_objs', t[c.num], line),
      objSize: count('objsize', t[c.size], line),
      objPerSlab: count('objperslab', t[c.perSlab], line),
      pagesPerSlab: count('pagesperslab', t[c.pages], line),
      numSlabs: slabdata >= 0 ? count('num_slabs', t[slabdata + c.numSlabsAfterSlabdata], line) : 0,
    },
    line,
  );
}

/** Parse a `slabtop -o` row or a /proc/slabinfo line (2.1 columns unless given). */
export function parseSlabLine(line: string, columns: SlabinfoColumns = SLABINFO_V21): SlabLine {
  const t = line
    .trim()
    .split(/\s+/)
    .filter((x) => x.length > 0);
  if (t.length === 0) fail('empty line: expected a slabtop or /proc/slabinfo line');
  return /^\d+$/.test(t[0]) ? slabtopRow(t, line) : slabinfoLine(t, line, columns);
}

const isSlabinfoHeader = (l: string): boolean => /^#\s*name\s/.test(l.trim());
const isSlabtopHeader = (l: string): boolean => /^\s*OBJS\s+ACTIVE\s/.test(l);
const isBanner = (l: string): boolean => /^\s*slabinfo - version:/.test(l) || /^\s*Active \/ Total/.test(l);

/**
 * Every cache line of a slabtop or /proc/slabinfo text, keyed by cache name. A slabinfo header
 * fixes the columns of the lines after it. `wanted` limits which caches are parsed (others may be
 * in any state); a line naming a wanted cache that does not parse is an error naming it.
 */
export function parseSlabText(text: string, wanted?: (name: string) => boolean): Map<string, SlabLine> {
  let columns = SLABINFO_V21;
  const out = new Map<string, SlabLine>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim().length === 0 || isBanner(raw) || isSlabtopHeader(raw)) continue;
    if (isSlabinfoHeader(raw)) {
      columns = slabinfoColumns(raw);
      continue;
    }
    const t = raw.trim().split(/\s+/);
    const name = /^\d+$/.test(t[0]) ? t.slice(7).join(' ') : t[0];
    if (wanted && !wanted(name)) continue;
    const line = parseSlabLine(raw, columns);
    if (out.has(line.name)) fail(`cache ${line.name} appears twice (second time: ${raw.trim()})`);
    out.set(line.name, line);
  }
  return out;
}
