// What the profiles showed (perf on the native runner; node --perf-prof + perf inject on the WASM
// batch; node --cpu-prof on the JS paths), for BENCHMARKS.md. Update when the profile changes.
import { BASELINE_COMMIT } from './scale-ab.js';

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
  ab:
    'cold costs of a fresh instance, not the work: warm, the seed batch takes the same time before and now (see ' +
    '"Scale rows, before and now" below); a cold one runs first in Liftoff code, where the policy-driven and DMA-aware ' +
    'C of today is slower, and the loader now validates the bytes before instantiating them.',
  abcli:
    'start-up: the CLI now loads 48 ES modules where the baseline loaded 51 (110 before this round), but it compiles ' +
    'a 64 KB WASM module instead of 52 KB (the DMA layer) and instantiates it cold (see below).',
  abbig:
    'its 1000 domain inits are C work that did not change; throwaway A/B runs measured it at 0.95–1.02 of before ' +
    '(see below), so a ratio above 1 here is within what the machine varies.',
  tsbig:
    'every domain allocates 1024×6×2 Magazine objects (empty ones share one PFN array); the TS model would ' +
    'refuse a domain (OutOfMemoryError) once its estimate of the bytes the lab holds passed its 1.5 GiB budget ' +
    '(src/model/budget.ts): at 1024 CPUs that is the 1,639th domain, so this lab of 1000 fits.',
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
  [/`iova-lab simulate/, 'abcli'],
  [/1024×1000 init \(WASM\) in a lab/, 'abbig'],
  [/now \/ before/, 'ab'],
  [/seed/, 'seed'],
];

/** What limits target `name` (used when it is missed). */
export function limitOf(name: string): string {
  return LIMITS[KEYS.find(([re]) => re.test(name))?.[1] ?? 'big'];
}

export const PROFILE_NOTES = `## Scale rows, before and now

Measured with throwaway A/B scripts (not part of the bench) on this machine at a load average of 6–12: the tree of
${BASELINE_COMMIT} and this one, alternating fresh node processes, 8–30 rounds, CPU medians.

- \`iova-lab simulate --preset seed\`, whole process (20 rounds): 135 ms before, 168 ms at the merge of the DMA layer
  (+24 %; +23–29 % in four runs), which loaded 110 ES modules where the baseline loaded 51 — Node's ESM loader costs
  about 0.6 ms of CPU per module here. Now the CLI imports only the command it runs, and the TS model
  (\`--engine ts\`), trace, timeline, playground-link and workload modules only when a run uses them: 48 modules,
  137 ms (1.01–1.03 of before in three runs). \`simulate --cpus 1024 --domains 1000\` (12 rounds): 392 ms before, 422 ms at the
  merge, 389 ms now.
- Seed preset in a lab (the bench row): warm (fresh lab, module already hot, median of 12) the batch takes 3.3 ms
  now against 3.4 ms before, the 159 domain inits 1.50 against 1.46 ms; the work did not get slower. Cold, in a fresh
  process, the row costs about 10 % more: instantiating a fresh instance (glue factory 0.70 vs 0.59 ms, plus 0.3 ms
  for WebAssembly.validate in the loader) and running the batch in Liftoff code for the first time (+9 % with
  --liftoff-only too, so not TurboFan compile time).
- 1024 × 1000 in a lab: no difference (medians 0.95–1.02 of before in four runs); its 1000 domain inits are C work
  that did not change.

## Profile evidence (earlier optimisation round)

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
