// The batch interpreter of the TS model: decodes OP_WORDS-word ops (docs/design.md "Batch ops") and
// runs each through the engine's own entry points, so a batched op validates and behaves exactly
// as the same call made alone. Stops at the first failing op and reports how many completed.
import type { BatchResult, Engine } from '../engine.js';
import { OP_WORDS, OpCode } from '../engine.js';
import { Status } from '../errors.js';
import { fail } from './validate.js';

/** A word as an int index; anything past int32 becomes -1 so the range check names it. */
const small = (v: bigint): number => (v > 0x7fffffffn ? -1 : Number(v));

/** Runs one decoded op; returns its result word (0 for ops without one). */
function runOp(engine: Engine, i: number, words: BigUint64Array): bigint {
  const [code, dw, cw, a, b, c] = words;
  const dom = small(dw);
  const cpu = small(cw);
  switch (Number(code) as OpCode) {
    case OpCode.AllocFast:
      return engine.allocFast(dom, cpu, a, b, c !== 0n);
    case OpCode.FreeFast:
      engine.freeFast(dom, cpu, a, b);
      return 0n;
    case OpCode.Alloc:
      return engine.alloc(dom, a, b, c !== 0n);
    case OpCode.Free:
      engine.free(dom, a);
      return 0n;
    case OpCode.Find:
      return engine.find(dom, a)?.[0] ?? 0n;
    case OpCode.Reserve:
      return engine.reserve(dom, a, b);
    case OpCode.Advance:
      engine.advanceClock(a);
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
      return BigInt(engine.createDomain(small(a), b));
    case OpCode.DomainPut:
      engine.putDomain(dom);
      return 0n;
    case OpCode.InjectFailure:
      if (a > 1n) fail(Status.BAD_OP, { op: i, kind: a });
      engine.injectFailure(a === 0n ? 'magazine' : 'iova', small(b));
      return 0n;
    default:
      return fail(Status.BAD_OP, { op: i, opcode: code });
  }
}

/** The TS twin of the C engine's iova_run_batch: every op in order until the first error. */
export function runOps(engine: Engine, ops: BigUint64Array): BatchResult {
  const n = Math.floor(ops.length / OP_WORDS);
  const results = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    try {
      results[i] = runOp(engine, i, ops.subarray(i * OP_WORDS, (i + 1) * OP_WORDS));
    } catch (error) {
      return { results, completed: i, error: error as Error };
    }
  }
  return { results, completed: n };
}
