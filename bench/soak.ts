// Differential soak: ≥ 10^6 ops of random streams on wasm vs ts, checking the outcome, the full
// snapshot and both invariant checkers after every op.
// Usage: tsx bench/soak.ts [--seed N] [--ops N] [--policies | --profiles]  (--policies: a random
// kernel profile or what-if policy per stream; --profiles: every kernel profile in turn, one per
// stream; default: the v6.8 lab). Every stream injects magazine and iommu_iova allocation faults.
import fc from 'fast-check';
import type { Snapshot } from '../src/snapshot.js';
import { CONFIG, divergence } from '../test/support/differential.js';
import { stream, type StreamOp } from '../test/support/opstream.js';
import { labConfigArb, profileConfigs } from '../test/support/policy-arb.js';
import { traceOfStream } from '../test/support/trace-of-stream.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`--${name} needs a non-negative integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

const seed = arg('seed', 1);
const target = arg('ops', 1_000_000);
const randomPolicies = process.argv.includes('--policies');
const everyProfile = process.argv.includes('--profiles');
const profiles = profileConfigs(CONFIG);
const profileStreams = new Map<string, number>();
const STREAMS_PER_BATCH = 200;

const mix: Record<string, number> = {};
const errors: Record<string, number> = {};
let ops = 0, streams = 0, maxDepot = 0, trims = 0, flushRetries = 0, allocFailures = 0;
const t0 = performance.now();

for (let batch = 0; ops < target; batch++) {
  const batchSeed = seed * 1_000_003 + batch;
  const samples = fc.sample(stream(250), { seed: batchSeed, numRuns: STREAMS_PER_BATCH });
  const configs = randomPolicies ? fc.sample(labConfigArb, { seed: batchSeed, numRuns: STREAMS_PER_BATCH }) : [];
  for (const [i, s] of samples.entries()) {
    if (ops >= target) break;
    const profile = everyProfile ? profiles[streams % profiles.length] : undefined;
    if (profile) profileStreams.set(profile.name, (profileStreams.get(profile.name) ?? 0) + 1);
    const config = profile?.config ?? configs[i] ?? CONFIG;
    let last: Snapshot | undefined;
    const retries = new Map<number, number>(); // per domain: counters vanish when a domain is put
    const diff = await divergence(s, config, undefined, undefined, (op: StreamOp, a, _b, snap) => {
      mix[op.k] = (mix[op.k] ?? 0) + 1;
      if ('error' in a) errors[a.error] = (errors[a.error] ?? 0) + 1;
      else if ((op.k === 'allocFast' || op.k === 'alloc') && a.value === '0') allocFailures++;
      if (snap.magazines.depot > maxDepot) maxDepot = snap.magazines.depot;
      for (const d of snap.domains) retries.set(d.id, d.flushRetries);
      last = snap;
    });
    if (diff !== null) {
      console.error(`DIVERGENCE in stream ${streams} (batch seed ${seed * 1_000_003 + Math.floor(streams / STREAMS_PER_BATCH)}):\n${diff}`);
      console.error('--- stream as trace ---\n' + (await traceOfStream(s, config)));
      process.exit(1);
    }
    ops += s.length;
    streams++;
    if (last) trims += last.classes.reduce((sum, c) => sum + c.depotTrims, 0);
    for (const r of retries.values()) flushRetries += r;
  }
}

const secs = (performance.now() - t0) / 1000;
const mode = randomPolicies ? ' (random profiles/policies)' : everyProfile ? ' (every kernel profile in turn)' : '';
console.log(`soak: seed ${seed}, ${ops} ops in ${streams} streams${mode}, no divergence`);
if (everyProfile) console.log(`streams per profile: ${[...profileStreams].map(([n, c]) => `${n} ${c}`).join(', ')}`);
console.log(`op mix: ${Object.entries(mix).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(`max depot size (snapshot magazines.depot): ${maxDepot}`);
console.log(`depot trims: ${trims}`);
console.log(`flush-retries: ${flushRetries}`);
console.log(`allocation failures (result 0): ${allocFailures}`);
console.log(`errors by class: ${Object.entries(errors).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
console.log(`wall time: ${secs.toFixed(1)} s (${Math.round(ops / secs)} ops/s)`);
