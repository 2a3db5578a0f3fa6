// An out-of-range policy field names the bound it passed ("at most N" / "at least N"), whether it
// comes as a spec through the library, the trace "policy" line or the CLI, or as a policy object
// given to either engine. The bounds are the design doc's Validation table.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/lab.js';
import { LabConfigError } from '../src/errors.js';
import { resolvePolicy, validatePolicy, type RcachePolicy } from '../src/policy.js';
import { parseTrace, TraceSyntaxError } from '../src/trace/parse.js';
import { run } from './support/cli.js';
import { CONFIG } from './support/differential.js';

/** [spec, policy field, a value past the bound, the bound as the message must name it] */
const PAST: [string, keyof RcachePolicy, number, string][] = [
  ['mag-size', 'magazineSize', 5000, 'at most 1023'],
  ['mag-size', 'magazineSize', 0, 'at least 1'],
  ['depot-cap', 'depotCap', 2 ** 20 + 1, 'at most 1048576'],
  ['trim-delay', 'trimDelayMs', 2 ** 30 + 1, 'at most 1073741824'],
  ['trim-threshold', 'trimThreshold', 2 ** 32 - 1, 'at most 4294967294'],
  ['rcache-array', 'rcacheArrayBytes', 8193, 'at most 8192'],
  // v6.9 magazines hold 127 PFNs: dynamic magazines cannot start larger
  ['dynamic', 'dynamicInitial', 128, 'at most 127'],
];

describe('an out-of-range policy spec names its bound', () => {
  it.each(PAST)('library: %s (%s) = %d', (spec, _field, value, bound) => {
    expect(() => resolvePolicy('v6.9', [`${spec}=${value}`])).toThrow(new RegExp(`policy ${spec} must be ${bound}`));
  });

  it.each(PAST)('trace "policy" line: %s (%s) = %d', (spec, _field, value, bound) => {
    const parse = (): unknown => parseTrace(`cpus 2\npolicy ${spec}=${value}\n`);
    expect(parse).toThrow(TraceSyntaxError);
    expect(parse).toThrow(bound);
  });

  it.each(PAST)('CLI --policy: %s (%s) = %d', (spec, _field, value, bound) => {
    const r = run(['simulate', '--cpus', '2', '--policy', `${spec}=${value}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bound}`);
    expect(r.stderr).toContain(`"${value}"`);
  });

  it('a value of more digits than any number the lab reads still names the bound, echoed as written', () => {
    const huge = '123456789012345678901234567890';
    expect(() => resolvePolicy('v6.9', [`depot-cap=${huge}`])).toThrow(
      `at most 1048576 (0 = unbounded), got "${huge}"`,
    );
  });

  it('leading zeros are read exactly', () => {
    expect(resolvePolicy('v6.9', ['mag-size=0000000000000000064']).magazineSize).toBe(64);
  });
});

describe('an out-of-range policy object names its bound on both engines', () => {
  const base = resolvePolicy('v6.9');
  it.each(PAST)('validatePolicy: %s (%s = %d)', (_spec, field, value, bound) => {
    expect(() => validatePolicy({ ...base, [field]: value })).toThrow(new RegExp(`${field} must be ${bound}`));
  });

  it.each(['wasm', 'ts'] as const)('%s engine', async (engine) => {
    for (const [, field, value, bound] of PAST) {
      const create = createEngine(engine, { ...CONFIG, policy: { ...base, [field]: value } });
      await expect(create).rejects.toThrow(LabConfigError);
      await expect(create).rejects.toThrow(`${field} must be ${bound}`);
    }
  });

  it('a field that is no integer says which integers it takes', () => {
    expect(() => validatePolicy({ ...base, depotCap: 1.5 })).toThrow('depotCap must be an integer in [0, 1048576]');
  });
});
