// Encodes operations into the 6-word batch layout both engines execute (docs/design.md).
import { OP_WORDS, OpCode, type BatchResult } from './engine.js';

export type BatchOp =
  | { op: 'allocFast'; domain: number; cpu: number; size: bigint; limitPfn: bigint; flushRcache: boolean }
  | { op: 'freeFast'; domain: number; cpu: number; pfn: bigint; size: bigint }
  | { op: 'alloc'; domain: number; size: bigint; limitPfn: bigint; sizeAligned: boolean }
  | { op: 'free'; domain: number; pfn: bigint }
  | { op: 'find'; domain: number; pfn: bigint }
  | { op: 'reserve'; domain: number; lo: bigint; hi: bigint }
  | { op: 'advance'; ms: bigint }
  | { op: 'cpuOffline'; cpu: number }
  | { op: 'cpuOnline'; cpu: number }
  | { op: 'flush'; domain: number }
  | { op: 'createDomain'; granule: number; startPfn: bigint }
  | { op: 'putDomain'; domain: number }
  | { op: 'injectFailure'; kind: 'magazine' | 'iova'; nth: number };

function words(op: BatchOp): [OpCode, number, number, bigint, bigint, bigint] {
  switch (op.op) {
    case 'allocFast': return [OpCode.AllocFast, op.domain, op.cpu, op.size, op.limitPfn, op.flushRcache ? 1n : 0n];
    case 'freeFast': return [OpCode.FreeFast, op.domain, op.cpu, op.pfn, op.size, 0n];
    case 'alloc': return [OpCode.Alloc, op.domain, 0, op.size, op.limitPfn, op.sizeAligned ? 1n : 0n];
    case 'free': return [OpCode.Free, op.domain, 0, op.pfn, 0n, 0n];
    case 'find': return [OpCode.Find, op.domain, 0, op.pfn, 0n, 0n];
    case 'reserve': return [OpCode.Reserve, op.domain, 0, op.lo, op.hi, 0n];
    case 'advance': return [OpCode.Advance, 0, 0, op.ms, 0n, 0n];
    case 'cpuOffline': return [OpCode.CpuOffline, 0, op.cpu, 0n, 0n, 0n];
    case 'cpuOnline': return [OpCode.CpuOnline, 0, op.cpu, 0n, 0n, 0n];
    case 'flush': return [OpCode.Flush, op.domain, 0, 0n, 0n, 0n];
    case 'createDomain': return [OpCode.DomainCreate, 0, 0, BigInt(op.granule), op.startPfn, 0n];
    case 'putDomain': return [OpCode.DomainPut, op.domain, 0, 0n, 0n, 0n];
    case 'injectFailure': return [OpCode.InjectFailure, 0, 0, op.kind === 'magazine' ? 0n : 1n, BigInt(op.nth), 0n];
  }
}

/**
 * Encodes ops into the words {@link IovaLab.runBatch} runs.
 * @example `lab.runBatch(encodeOps([{ op: 'advance', ms: 10n }]))`
 */
export function encodeOps(ops: readonly BatchOp[]): BigUint64Array {
  const out = new BigUint64Array(ops.length * OP_WORDS);
  ops.forEach((op, i) => {
    const [code, domain, cpu, a, b, c] = words(op);
    out.set([BigInt(code), BigInt(domain), BigInt(cpu), a, b, c], i * OP_WORDS);
  });
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
