// Encodes operations into the batch layout both engines execute: OP_WORDS words per op, operands
// as abi/iova-abi.json declares them for each OpCode (src/generated/batch-ops.ts).
import { OP_WORDS } from './generated/abi.js';
import { opWords, type BatchOp } from './generated/batch-ops.js';

export type { BatchOp };

export function encodeOps(ops: readonly BatchOp[]): BigUint64Array {
  const out = new BigUint64Array(ops.length * OP_WORDS);
  ops.forEach((op, i) => out.set(opWords(op), i * OP_WORDS));
  return out;
}
