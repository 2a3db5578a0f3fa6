// The batch interpreter of the TS model: decodes OP_WORDS-word ops (docs/design.md "Batch ops") and
// runs each through the engine's own entry points, so a batched op validates and behaves exactly
// as the same call made alone. Stops at the first failing op and reports how many completed.
import type { BatchRun } from '../batch-window.js';
import type { DmaDomainType, Engine } from '../engine.js';
import { DMA_DOMAIN_TYPES, OP_WORDS, OpCode } from '../engine.js';
import { Status } from '../errors.js';
import { fail } from './validate.js';

/** A word as an int index; anything past int32 becomes -1 so the range check names it. */
const small = (v: bigint): number => (v > 0x7fffffffn ? -1 : Number(v));

/** The DMA layer's state a batch needs beyond the Engine calls: the pending scatter list. */
export interface ScatterList {
  /** SG_SEGMENTS: the nonzero words join the pending list. */
  appendSegments(words: readonly bigint[]): void;
  /** MAP_SG's list, emptied whatever the map does. */
  takeSegments(): bigint[];
}

/** A mask-bits word: anything past 64 becomes 65, so the mask check names it. */
const maskBits = (v: bigint): number => (v > 64n ? 65 : Number(v));

/** Runs one decoded op of the DMA layer; undefined for any other opcode. */
function runDmaOp(engine: Engine, sg: ScatterList, words: BigUint64Array): bigint | undefined {
  const [code, dw, cw, a, b, c] = words;
  const dev = small(dw);
  const cpu = small(cw);
  switch (Number(code) as OpCode) {
    case OpCode.DmaDomainCreate: {
      const type = DMA_DOMAIN_TYPES[small(c)] ?? ('invalid' as DmaDomainType);
      return BigInt(engine.createDmaDomain(small(a), b, type, cw > 64n ? 64 : Number(cw)));
    }
    case OpCode.DeviceAttach: {
      const bus = cw === 0n ? 'pci' : cw === 1n ? 'platform' : ('invalid' as 'pci');
      const masks = { dmaMaskBits: maskBits(a), coherentMaskBits: maskBits(b) };
      return BigInt(engine.attachDevice(dev, { bus, ...masks, forceDac: c !== 0n }));
    }
    case OpCode.Map:
      return engine.map(dev, cpu, a, b, c !== 0n);
    case OpCode.SgSegments:
      sg.appendSegments([dw, cw, a, b, c]);
      return 0n;
    case OpCode.MapSg:
      return engine.mapSg(dev, cpu, sg.takeSegments());
    case OpCode.Unmap:
      engine.unmap(dev, cpu, a, b);
      return 0n;
    default:
      return undefined;
  }
}

/** Word w of the ops as an int index, read from its two 32-bit halves (no BigInt made): as `small`. */
function smallAt(halves: Uint32Array, w: number): number {
  const lo = halves[2 * w];
  return halves[2 * w + 1] !== 0 || lo > 0x7fffffff ? -1 : lo;
}

/** Whether word w of the ops is nonzero, from its two 32-bit halves. */
const nonzeroAt = (halves: Uint32Array, w: number): boolean => (halves[2 * w] | halves[2 * w + 1]) !== 0;

/** Runs op i of `ops`, its words read in place; returns its result word (0 for ops without one).
 * `halves` views the same words as 32-bit halves (little-endian, as every JS engine here is), so
 * opcode, domain, cpu and flags are read without making a BigInt each; PFN and size words are
 * read as bigints only by the ops that take them. */
function runOp(engine: Engine, sg: ScatterList, i: number, ops: BigUint64Array, halves: Uint32Array): bigint {
  const at = i * OP_WORDS;
  const dom = smallAt(halves, at + 1);
  const cpu = smallAt(halves, at + 2);
  switch (smallAt(halves, at) as OpCode) {
    case OpCode.AllocFast:
      return engine.allocFast(dom, cpu, ops[at + 3], ops[at + 4], nonzeroAt(halves, at + 5));
    case OpCode.FreeFast:
      engine.freeFast(dom, cpu, ops[at + 3], ops[at + 4]);
      return 0n;
    case OpCode.Alloc:
      return engine.alloc(dom, ops[at + 3], ops[at + 4], nonzeroAt(halves, at + 5));
    case OpCode.Free:
      engine.free(dom, ops[at + 3]);
      return 0n;
    case OpCode.Find:
      return engine.find(dom, ops[at + 3])?.[0] ?? 0n;
    case OpCode.Reserve:
      return engine.reserve(dom, ops[at + 3], ops[at + 4]);
    case OpCode.Advance:
      engine.advanceClock(ops[at + 3]);
      return 0n;
    case OpCode.CpuOffline:
      engine.cpuOffline(cpu);
      return 0n;
    case OpCode.CpuOnline:
      engine.cpuOnline(cpu);
      return 0n;
    case OpCode.Flush:
      engine.flush(dom);
      return 0n;
    case OpCode.DomainCreate:
      return BigInt(engine.createDomain(smallAt(halves, at + 3), ops[at + 4]));
    case OpCode.DomainPut:
      engine.putDomain(dom);
      return 0n;
    case OpCode.InjectFailure: {
      const kind = ops[at + 3];
      if (kind > 1n) fail(Status.BAD_OP, { op: i, kind });
      engine.injectFailure(kind === 0n ? 'magazine' : 'iova', smallAt(halves, at + 4));
      return 0n;
    }
    default:
      return runDmaOp(engine, sg, ops.subarray(at, at + OP_WORDS)) ?? fail(Status.BAD_OP, { op: i, opcode: ops[at] });
  }
}

/** The TS twin of the C engine's iova_run_batch: the first n ops in order, each result into
 * `results`, until the first error. */
export function runOps(
  engine: Engine,
  sg: ScatterList,
  ops: BigUint64Array,
  n: number,
  results: BigUint64Array,
): BatchRun {
  const halves = new Uint32Array(ops.buffer, ops.byteOffset, ops.length * 2);
  for (let i = 0; i < n; i++) {
    try {
      results[i] = runOp(engine, sg, i, ops, halves);
    } catch (error) {
      return { completed: i, error: error as Error };
    }
  }
  return { completed: n };
}
