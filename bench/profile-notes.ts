// What the profiles showed (perf on the native runner; node --perf-prof + perf inject on the WASM
// batch; node --cpu-prof on the JS paths), for BENCHMARKS.md. Update when the profile changes.

const LIMITS: Record<string, string> = {
  churn:
    'the earlier profile of the copying batch found ~21% of its time moving data the native runner never ' +
    'moves (memcpy of ops into the heap and results out: 14.5%; page faults and zeroing of fresh JS arrays: ' +
    '6.4%); the zero-copy window removes that. The rest is TurboFan code for the same C, which the annotated ' +
    'profile showed spilling values around calls, reloading the memory base after calls and checking the stack ' +
    'on every loop back-edge: fixed costs that weigh most on the workload with the least C work per op (not ' +
    'profiled again after the window and -flto).',
  other:
    "the WASM batch runs in place in the window, so what is left is the generated code's fixed costs (see " +
    "the churn note); the run's noise (the twin ratio) shows how much of a miss the machine's load can explain.",
  live:
    'the TS tree is an ordered treap with O(log n) insert, remove and neighbour lookup; the time is the rcache ' +
    'fast path and BigInt arithmetic per allocation.',
  ts:
    'the earlier node --cpu-prof of the TS model found 29% of churn in its batch loop building a subarray ' +
    'per op and destructuring it (now read word by word in place) and, on domain init/put, creating and ' +
    'collecting one CpuRcache object per CPU and class and one empty PFN array per magazine (now per-class ' +
    'loaded/prev arrays and one shared empty array). What remains is the rcache fast path and BigInt PFN ' +
    'arithmetic per op (not profiled again).',
  perop:
    'each per-op call crosses the JS⇄WASM boundary once, with bigint arguments; a result is read from the transfer buffer.',
  trace:
    'replayTraceStream holds no op: about a third is reading lines (tokens and numbers from character codes), a tenth encoding into the batch window, under a tenth the @<line> bookkeeping, a sixth the C work.',
  load: 'wall time on a machine shared with other jobs (see the load average above); compare the CPU time.',
  tsbig: 'every domain allocates 1024×6×2 Magazine objects (empty ones share one PFN array).',
  seed: 'init allocates every per-CPU magazine of every domain (128×6×2 per domain).',
  big: 'every domain allocates 1024×6×2 magazines, so the heap scales with the lab.',
};

const KEYS: [RegExp, string][] = [
  [/churn/, 'churn'],
  [/every other workload/, 'other'],
  [/live IOVAs/, 'live'],
  [/^TS model/, 'ts'],
  [/per-op/, 'perop'],
  [/trace/, 'trace'],
  [/\(TS\) as before/, 'tsbig'],
  [/as before/, 'load'],
  [/seed/, 'seed'],
];

/** What limits target `name` (used when it is missed). */
export function limitOf(name: string): string {
  return LIMITS[KEYS.find(([re]) => re.test(name))?.[1] ?? 'big'];
}

export const PROFILE_NOTES = `## Profile evidence (earlier optimisation round)

Workload 1 (same-CPU churn), share of the samples in the batch's own code:

| | before | after |
|---|---|---|
| native (perf; before cc -O2, after cc -O3) | find_iova 24.1%, alloc_iova_fast 17.6%, find_iova_exact 10.5%, domain_reserve 9.7%, order_base_2_ 7.6%, free_fast_v 6.7%, alloc_fast_v 5.6%, free_iova_fast 5.3%, the four *_reserve calls 4.2% | alloc_iova_fast 29.1% (hint lookup inlined), iova_run_batch 26.2%, domain_reserve 16.2%, free_iova_fast 12.6%, find_iova_walk 11.9% |
| WASM batch (perf + V8 jitdump) | find_iova_exact 45%, memcpy in/out 11%, alloc_iova_fast 11%, free_fast_v 9%, order_base_2_ 7%, domain_reserve 6%, iova_run_batch 5%, slab_reserve 3% | iova_run_batch 21.6%, free_fast_v 20.8%, alloc_iova_fast 18.9%, memcpy in/out 14.5%, find_iova_walk 11.0%, domain_reserve 6.7%, page faults and zeroing of fresh JS arrays 6.4% |

- Each churn pair did three tree descents for one PFN (validate the free, free it, and the
  magazine pop's lookup). The annotated WASM descent was a branchless chain per level
  (\`imul $0x28\`, load, compare, \`cmovne\`, load): clang turns the if/else into \`select\`, and
  V8 serialises it, where gcc's branches let the CPU run ahead. Fixes: a one-node lookup hint
  (two of the three descents become a compare), a branch-preserving descent, 32-byte nodes (a
  shift, not a multiply), lzcnt for order_base_2, inline headroom checks, and op chunks of 4096
  copied into the heap so the C loop reads them from cache.
- Workload 4 (slow path) was 97% alloc_iova: every step of the gap walk was a fresh root-to-leaf
  search (tree_prev). A descending cursor makes the walk O(steps + depth); a 500-pair stream went
  from 2.0 s to 0.37 s natively; the walk is still 97.7% of native time, now spent on the steps
  themselves.
- Bounds checks: none in the annotated code (V8 uses guard pages for wasm32 memory); 64-bit PFN
  arithmetic maps 1:1 to x64 instructions.
- Flags, CPU-time A/B on workload 1 (9 alternating rounds): -O3/-O3 0.56, -O2/-O2 0.60 (gcc -O2 is
  10-20% slower; WASM unchanged); -flto on both: both faster, ratio unchanged (0.56 vs 0.57), not
  adopted; -msimd128: +9% WASM in two runs, about the noise here, not adopted (needs SIMD in every target browser);
  no memory growth (-sINITIAL_MEMORY=512MB): no measurable change, and growth is needed for big labs.
- Per-op: node --cpu-prof put 40% of a workload 1 per-op run in the JS loop itself. Two causes:
  every Engine call built its error-description object before checking the status (now only on
  failure: 9.2 M → 13.7 M ops/s), and the benchmark's decoder read all six words of each op as
  bigints (six allocations per op) where a caller holds opcode, domain, cpu and flag as numbers
  (now read as the low 32 bits: 13.9 M → 25.4 M ops/s, against 31.7 M for the batch).
- Trace replay went op by op through the Engine methods, and parseTrace made five closures, a
  regex split and a BigInt from a string per line (5.5 s per 10^6 lines under tsx). Now: one
  scanner over the text, number tokens parsed from char codes, repeated values share a bigint,
  and the replay runs batches of 4096 ops.
`;
