import { describe, expect, it } from 'vitest';
import { parseTrace, TraceSyntaxError } from '../../src/trace/parse.js';
import { writeTrace } from '../../src/trace/write.js';

const VALID = `# a small trace
cpus 4 online 2
magazines unnamed
domain 7 4096 1      # trace id 7
alloc 7 0 4 0xfffff
alloc-noflush 7 1 0x10 1048575
free 7 0 0xffffc 4
slow-alloc 7 8 0xfffff 1
slow-free 7 0x100
reserve 7 0x10 0x1f
tick 100
offline 1
online 1
flush 7
inject magazine 2
inject iova 0
put 7
`;

function syntaxError(text: string): TraceSyntaxError {
  try {
    parseTrace(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceSyntaxError);
    return e as TraceSyntaxError;
  }
  throw new Error('expected a TraceSyntaxError');
}

describe('parseTrace', () => {
  it('parses a valid file with comments and hex numbers', () => {
    const t = parseTrace(VALID);
    expect(t.header).toEqual({ possibleCpus: 4, onlineCpus: 2, magazines: 'unnamed', policy: [] });
    expect(t.ops.map((o) => o.op)).toEqual([
      'domain',
      'alloc',
      'alloc-noflush',
      'free',
      'slow-alloc',
      'slow-free',
      'reserve',
      'tick',
      'offline',
      'online',
      'flush',
      'inject',
      'inject',
      'put',
    ]);
    expect(t.ops[0]).toEqual({ line: 4, op: 'domain', id: 7, granule: 4096, startPfn: 1n });
    expect(t.ops[1]).toEqual({ line: 5, op: 'alloc', id: 7, cpu: 0, size: 4n, limitPfn: 0xfffffn });
    expect(t.ops[2]).toMatchObject({ size: 16n, limitPfn: 1048575n });
    expect(t.ops[4]).toMatchObject({ op: 'slow-alloc', aligned: true });
    expect(t.ops[6]).toMatchObject({ lo: 16n, hi: 31n });
    expect(t.ops[11]).toEqual({ line: 15, op: 'inject', kind: 'magazine', nth: 2 });
    expect(t.ops[12]).toEqual({ line: 16, op: 'inject', kind: 'iova', nth: 0 });
  });
  it('defaults online to possible and leaves magazines, profile and policy to the lab', () => {
    expect(parseTrace('cpus 8\n').header).toEqual({ possibleCpus: 8, onlineCpus: 8, policy: [] });
  });
  it('reads a kernel profile and policy specs, and writes them back', () => {
    const t = parseTrace('cpus 8\nprofile v4.7\npolicy lazy\npolicy mag-size=64\ndomain 0 4096 1\n');
    expect(t.header).toEqual({ possibleCpus: 8, onlineCpus: 8, profile: 'v4.7', policy: ['lazy', 'mag-size=64'] });
    expect(parseTrace(writeTrace(t)).header).toEqual(t.header);
  });
  it('round-trips through writeTrace', () => {
    const t = parseTrace(VALID);
    const again = parseTrace(writeTrace(t));
    expect(again.header).toEqual(t.header);
    expect(again.ops.map(({ line: _l, ...o }) => o)).toEqual(t.ops.map(({ line: _l, ...o }) => o));
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ['missing cpus line', 'domain 0 4096 1\n', 1, /cpus/],
    ['empty file', '# nothing\n', 1, /cpus/],
    ['online above possible', 'cpus 2 online 3\n', 1, /online CPU count/],
    ['unknown op', 'cpus 2\nfrobnicate 1\n', 2, /an op/],
    ['wrong arg count', 'cpus 2\ndomain 0 4096 1\nalloc 0 0 4\n', 3, /alloc <id> <cpu> <size> <limit_pfn>/],
    ['bad number', 'cpus 2\ndomain 0 4096 1\nalloc 0 0 four 0xfffff\n', 3, /size/],
    ['bad hex', 'cpus 2\ndomain 0 4096 1\nfree 0 0 0xzz 1\n', 3, /pfn/],
    ['cpu out of range', 'cpus 2\ndomain 0 4096 1\nalloc 0 2 1 100\n', 3, /cpu in \[0, 1\]/],
    ['unknown domain', 'cpus 2\ndomain 0 4096 1\n\n# c\nflush 1\n', 5, /domain id 1/],
    ['domain used after put', 'cpus 2\ndomain 0 4096 1\nput 0\nslow-free 0 5\n', 4, /domain id 0/],
    ['domain id reused', 'cpus 2\ndomain 0 4096 1\ndomain 0 4096 1\n', 3, /not used before/],
    ['aligned not 0|1', 'cpus 2\ndomain 0 4096 1\nslow-alloc 0 1 100 2\n', 3, /aligned as 0 or 1/],
    ['bad magazines mode', 'cpus 2\nmagazines maybe\n', 2, /named\|unnamed/],
    ['magazines after an op', 'cpus 2\ndomain 0 4096 1\nmagazines named\n', 3, /before any op/],
    ['second cpus line', 'cpus 2\ncpus 4\n', 2, /single "cpus"/],
    ['profile before the rcache', 'cpus 2\nprofile v4.6\n', 2, /profile <kernel version>.*v4\.7 or later.*v4\.6/],
    ['profile that is no version', 'cpus 2\nprofile latest\n', 2, /profile <kernel version>.*"latest"/],
    ['profile after a policy', 'cpus 2\npolicy lazy\nprofile v6.7\n', 3, /before any "policy"/],
    ['unknown policy', 'cpus 2\npolicy turbo\n', 2, /policy spec .*turbo/],
    ['policy value out of range', 'cpus 2\npolicy mag-size=5000\n', 2, /mag-size .*at most 1023, got "5000"/],
    ['policies that clash', 'cpus 2\npolicy mag-size=8\npolicy dynamic=16\n', 3, /dynamic .*at most 8 .*got "16"/],
    ['policy after an op', 'cpus 2\ndomain 0 4096 1\npolicy lazy\n', 3, /before any op/],
    ['unknown failure kind', 'cpus 2\ninject slab 1\n', 2, /failure kind \(magazine or iova\)/],
    ['inject without nth', 'cpus 2\ninject iova\n', 2, /inject <kind> <nth>/],
    ['negative nth', 'cpus 2\ninject iova -1\n', 2, /nth/],
    ['number above 2^64', 'cpus 2\ntick 0x10000000000000000\n', 2, /below 2\^64/],
  ];
  it.each(bad)('rejects %s with the line number', (_name, text, line, expected) => {
    const e = syntaxError(text);
    expect(e.line).toBe(line);
    expect(e.expected).toMatch(expected);
    expect(e.message).toContain(`line ${line}`);
  });
});
