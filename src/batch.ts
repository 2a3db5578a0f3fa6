// Encodes operations into the batch layout both engines execute: OP_WORDS words per op, operands
// as abi/iova-abi.json declares them for each OpCode (src/generated/batch-ops.ts).
import type { BatchResult } from './engine.js';
import { OP_WORDS } from './generated/abi.js';
import { opWords, type BatchOp } from './generated/batch-ops.js';

export type { BatchOp };

/**
 * Encodes ops into the words {@link IovaLab.runBatch} runs (OP_WORDS words per op).
 * @throws RangeError or TypeError for an operand that is not an integer (or a bigint where one is due).
 * @example `lab.runBatch(encodeOps([{ op: 'advance', ms: 10n }]))`
 */
export function encodeOps(ops: readonly BatchOp[]): BigUint64Array {
  const out = new BigUint64Array(ops.length * OP_WORDS);
  ops.forEach((op, i) => out.set(opWords(op), i * OP_WORDS));
  return out;
}

/** The JSON form of a {@link BatchResult}: 64-bit words as decimal strings, as the CLI's --json. */
export interface BatchResultJson {
  /** One decimal string per op run. @example `["1048575", "0"]` */
  results: string[];
  /** How many ops ran. @example `2` */
  completed: number;
  /** The failed op's error, when one failed. @example `{ name: 'SizeError', message: '…', status: -9 }` */
  error?: { name: string; message: string; status?: number };
}

/**
 * A batch result as plain JSON-safe data.
 * @example `JSON.stringify(batchResultToJson(lab.runBatch(ops)))`
 */
export function batchResultToJson(r: BatchResult): BatchResultJson {
  const json: BatchResultJson = { results: Array.from(r.results, String), completed: r.completed };
  if (r.error) {
    const status = (r.error as { status?: unknown }).status;
    json.error = { name: r.error.name, message: r.error.message, ...(typeof status === 'number' ? { status } : {}) };
  }
  return json;
}
