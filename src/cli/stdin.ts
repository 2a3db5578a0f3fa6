// Standard input as one string, refused once it passes a byte limit (it cannot be read twice, so
// it is held whole; the limit keeps that bounded).
import { UsageError } from './options.js';

export async function readStdin(maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of process.stdin) {
    bytes += (c as Buffer).length;
    if (bytes > maxBytes) throw new UsageError(`standard input is larger than the limit of ${maxBytes} bytes.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
