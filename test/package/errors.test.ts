// Bad library arguments get the same named error on both engines, names are explicit strings,
// trace errors are IovaLabErrors carrying the engine's error, and results have a JSON form.
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import {
  batchResultToJson,
  encodeOps,
  IovaLab,
  IovaLabError,
  InvalidArgumentError,
  LabConfigError,
  NotAllocatedError,
  parseTrace,
  replayResultToJson,
  replayTrace,
  TraceReplayError,
  TraceSyntaxError,
} from '../../src/index.js';
import { ENGINES } from '../support/labs.js';

describe.each(ENGINES)('bad arguments on the %s engine', (engine) => {
  it('a policy given as a string is a LabConfigError naming it', async () => {
    const p = IovaLab.create({ possibleCpus: 2, engine, policy: 'lazy' as unknown as string[] });
    await expect(p).rejects.toBeInstanceOf(LabConfigError);
    await expect(p).rejects.toThrow('"lazy"');
  });

  it('a batch of the wrong type or length is an InvalidArgumentError; the lab is unchanged', async () => {
    const lab = await IovaLab.create({ possibleCpus: 2, engine });
    const before = lab.snapshot();
    expect(() => lab.runBatch([1n, 2n] as unknown as BigUint64Array)).toThrow(InvalidArgumentError);
    expect(() => lab.runBatch(new BigUint64Array(7))).toThrow(/got 7 words/);
    expect(lab.snapshot()).toEqual(before);
    lab.dispose();
  });

  it('an undefined or unknown fault kind is an InvalidArgumentError naming it', async () => {
    const lab = await IovaLab.create({ possibleCpus: 2, engine });
    expect(() => lab.injectFailure(undefined as unknown as 'iova', 1)).toThrow(InvalidArgumentError);
    expect(() => lab.injectFailure('disk' as 'iova', 1)).toThrow(/got disk/);
    lab.dispose();
  });

  it('a trace error is a TraceReplayError with the engine error as cause', async () => {
    const e = await replayTrace(parseTrace('cpus 1\ndomain 0 4096 1\nslow-free 0 0x10\n'), engine).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(TraceReplayError);
    expect(e).toBeInstanceOf(IovaLabError);
    const r = e as TraceReplayError;
    expect(r.cause).toBeInstanceOf(NotAllocatedError);
    expect(r.status).toBe((r.cause as NotAllocatedError).status);
    expect(r.line).toBe(3);
  });
});

describe('error names', () => {
  it('every exported error class names itself with a string equal to its export name', () => {
    const classes = Object.entries(api).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error);
    expect(classes.length).toBeGreaterThan(20);
    for (const [exported, Cls] of classes) {
      const e = Reflect.construct(Cls as new (...a: unknown[]) => Error, ['m', 0, 'x']);
      expect(e.name, exported).toBe(exported);
      expect(e, exported).toBeInstanceOf(IovaLabError);
    }
    expect(new TraceSyntaxError(4, 'a number', 'x').name).toBe('TraceSyntaxError');
  });
});

describe('results as JSON', () => {
  it('batch and replay results use decimal strings for 64-bit values and the CLI field names', async () => {
    const lab = await IovaLab.create({ possibleCpus: 2, engine: 'ts' });
    const r = lab.runBatch(
      encodeOps([
        { op: 'createDomain', granule: 4096, startPfn: 1n },
        { op: 'allocFast', domain: 0, cpu: 0, size: 1n, limitPfn: 0xffffffffffn, flushRcache: true },
        { op: 'free', domain: 0, pfn: 5n },
      ]),
    );
    const json = JSON.parse(JSON.stringify(batchResultToJson(r)));
    expect(json.completed).toBe(2);
    expect(json.results).toEqual(['0', '1099511627775', '0']); // domain 0, the top PFN under the limit, not run
    expect(json.error).toMatchObject({ name: 'NotAllocatedError', status: (r.error as IovaLabError).status });
    lab.dispose();

    const replay = await replayTrace(parseTrace('cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\n'), 'ts');
    const rj = JSON.parse(JSON.stringify(replayResultToJson(replay)));
    expect(rj.values).toEqual([{ line: 3, op: 'alloc', pfn: String(0xfffff) }]);
    expect(rj.snapshot.totals.domains).toBe(1);
    expect(typeof rj.snapshot.caches[0].cacheSizeBytes).toBe('string');
  });
});
