// Encodes operations into the batch layout both engines execute: OP_WORDS words per op, operands
// as abi/iova-abi.json declares them for each OpCode.
import { OP_WORDS, OpCode } from './generated/abi.js';

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

export function encodeOps(ops: readonly BatchOp[]): BigUint64Array {
  const out = new BigUint64Array(ops.length * OP_WORDS);
  ops.forEach((op, i) => {
    const [code, domain, cpu, a, b, c] = words(op);
    out.set([BigInt(code), BigInt(domain), BigInt(cpu), a, b, c], i * OP_WORDS);
  });
  return out;
}
