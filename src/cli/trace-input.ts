// A trace file, or stdin for "-", as bytes read as they are used (replay, compare --trace): never
// the whole text. Node-only; scenario.ts (which the playground's worker loads) imports it lazily.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../share/usage-error.js';

export interface TraceInput {
  /** The bytes; a failed read throws the UsageError "cannot read trace …". */
  bytes: AsyncIterable<Uint8Array>;
  /** The file's size; undefined for stdin. */
  size?: number;
  /** Bytes read so far. */
  bytesRead(): number;
}

export const cannotReadTrace = (file: string, e: unknown): UsageError =>
  new UsageError(`cannot read trace ${file}: ${e instanceof Error ? e.message : String(e)}`);

/** Opens `file` (its size known before a byte is read), or takes stdin for "-". */
export async function openTraceInput(file: string, stdin: AsyncIterable<Uint8Array>): Promise<TraceInput> {
  let source = stdin;
  let size: number | undefined;
  if (file !== '-') {
    size = await stat(file).then(
      (st) => st.size,
      (e: unknown) => {
        throw cannotReadTrace(file, e);
      },
    );
    source = createReadStream(file, { highWaterMark: 1 << 20 });
  }
  let read = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of source) {
        read += chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw cannotReadTrace(file, e);
    }
  }
  return { bytes: counted(), size, bytesRead: () => read };
}
