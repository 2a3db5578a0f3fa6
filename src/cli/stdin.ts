// Reading a command's input without trusting its size: whole but capped (explain: slabtop /
// slabinfo output is small), or line by line (import: a recording of any length).
import { UsageError } from '../share/usage-error.js';

/** `source` as one string; past `maxBytes` it is refused while reading, the limit named. */
export async function readCapped(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  what: string,
  maxBytes: number,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const c of source) {
    bytes += c.length;
    if (bytes > maxBytes) {
      throw new UsageError(`${what} larger than ${maxBytes / 2 ** 20} MiB (the limit of ${maxBytes} bytes).`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The lines of `source` (UTF-8, split on \n or \r\n, as split(/\r?\n/) would), one at a time:
 * never the whole text. A line past `maxChars` is refused with `tooLong(line number)`.
 */
export async function* lines(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxChars: number,
  tooLong: (line: number) => Error,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let carry = '';
  let n = 0;
  for await (const chunk of source) {
    const text = carry + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      n++;
      yield text.slice(start, nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxChars) throw tooLong(n + 1);
  }
  yield carry + decoder.decode();
}
