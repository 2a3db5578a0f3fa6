// A fast line tokenizer for trace files: token boundaries instead of substrings, numbers scanned
// from character codes, so reading a line allocates nothing. Same tokens as trim() + split(/\s+/).
import { U64_MAX } from '../numbers.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
import { TraceSyntaxError } from './errors.js';

/** The characters that String.prototype.trim and /\s/ both treat as white space. */
function isSpace(c: number): boolean {
  if (c <= 0x7f) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Token [s, e) as a number: exact below 2^53, NaN when NUM would reject it, Infinity when it
 * is a valid number too long for that (the caller then takes the BigInt path). */
function scanNumber(text: string, s: number, e: number): number {
  let v = 0;
  if (e - s > 2 && text.charCodeAt(s) === 0x30 && (text.charCodeAt(s + 1) | 0x20) === 0x78) {
    for (let i = s + 2; i < e; i++) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) return NaN;
      v = v * 16 + d;
    }
    return e - s - 2 <= 13 ? v : Infinity;
  }
  if (e === s) return NaN;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return e - s <= 15 ? v : Infinity;
}

// More than any valid line has (map-sg: 3 + up to IOVA_SG_MAX_SEGMENTS); only the count matters past that.
const MAX_TOKENS = 1100;

/** One line at a time over a piece of text: token boundaries instead of substrings, numbers as
 * plain numbers below 2^53, so reading a line allocates nothing. Same tokens as trim() + split(/\s+/). */
export class LineReader {
  line = 0;
  count = 0;
  private readonly starts = new Int32Array(MAX_TOKENS);
  private readonly ends = new Int32Array(MAX_TOKENS);
  private bodyStart = 0;
  private bodyEnd = 0;
  /** The value of the last u64 token at or past 2^53. */
  big = 0n;

  constructor(private text: string) {}

  /** Reads lines of another piece of the same trace (a streamed chunk). */
  reset(text: string): void {
    this.text = text;
  }

  /** Tokenises [start, end) minus any # comment. */
  read(line: number, start: number, end: number, hash: number): void {
    const text = this.text;
    if (hash >= start && hash < end) end = hash;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    this.line = line;
    this.bodyStart = start;
    this.bodyEnd = end;
    let n = 0;
    for (let i = start; i < end;) {
      const s = i;
      while (i < end && !isSpace(text.charCodeAt(i))) i++;
      if (n < MAX_TOKENS) {
        this.starts[n] = s;
        this.ends[n] = i;
      }
      n++;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
    }
    this.count = n;
  }

  tok(i: number): string | undefined {
    return i < this.count ? this.text.slice(this.starts[i], this.ends[i]) : undefined;
  }

  /** Token i, as the interned constant when it is one of `words` (no slice, no string hashing
   * in the USAGE lookup that follows). */
  word(i: number, words: readonly string[]): string | undefined {
    const s = this.starts[i],
      len = this.ends[i] - s;
    if (i < this.count) for (const w of words) if (w.length === len && this.text.startsWith(w, s)) return w;
    return this.tok(i);
  }

  /** The line read last, trimmed, without its comment. */
  body(): string {
    return this.text.slice(this.bodyStart, this.bodyEnd);
  }

  fail(expected: string): never {
    throw new TraceSyntaxError(this.line, expected, this.body());
  }

  private scan(i: number, what: string): number {
    if (i >= this.count) this.fail(`${what} as a decimal or 0x hex number`);
    const v = scanNumber(this.text, this.starts[i], this.ends[i]);
    if (Number.isNaN(v)) this.fail(`${what} as a decimal or 0x hex number`);
    return v;
  }

  private bigToken(i: number, what: string): bigint {
    const v = BigInt(this.tok(i)!);
    if (v > U64_MAX) this.fail(`${what} below 2^64`);
    return v;
  }

  /** Token i as a 64-bit operand: its value when below 2^53 (exact), else NaN with the value in `big`. */
  u64(i: number, what: string): number {
    const v = this.scan(i, what);
    if (v !== Infinity) return v;
    const b = this.bigToken(i, what);
    if (b <= MAX_SAFE) return Number(b); // long only by leading zeros
    this.big = b;
    return NaN;
  }

  small(i: number, what: string): number {
    let v = this.scan(i, what);
    if (v === Infinity) v = Number(this.bigToken(i, what)); // long only by leading zeros, or too big
    if (v > 0x7fffffff) this.fail(`${what} below 2^31`);
    return v;
  }
}
