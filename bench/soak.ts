// Differential soak: ≥ 10^6 ops of random streams on wasm vs ts, checking the outcome, the full
// snapshot and both invariant checkers after every op.
// Usage: tsx bench/soak.ts [--seed N] [--ops N] [--policies | --profiles V1,V2,..]
//   --policies: a random kernel profile or what-if policy per stream instead of the default lab;
//   --profiles: --ops ops under each listed kernel version in turn (e.g. v4.7,v5.11,v6.0), one
//   summary line each (its design and ops).
import fc from 'fast-check';
import type { LabConfig } from '../src/engine.js';
import { profileByName } from '../src/policy.js';
import type { Snapshot } from '../src/snapshot.js';
import { CONFIG, divergence } from '../test/support/differential.js';
import { stream, type StreamOp } from '../test/support/opstream.js';
import { labConfigArb } from '../test/support/policy-arb.js';
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
const profilesAt = process.argv.indexOf('--profiles');
const profiles = profilesAt < 0 ? [] : (process.argv[profilesAt + 1] ?? '').split(',').filter(Boolean);
if (profilesAt >= 0 && profiles.length === 0) {
  console.error('--profiles needs a comma-separated list of kernel versions');
  process.exit(2);
}
/** The lab config of a kernel version, as the library resolves it. */
function versionConfig(version: string): LabConfig {
  const p = profileByName(version);
  return { ...CONFIG, magazines: p.magazines, profile: p.name, policy: { ...p.policy } };
}
const STREAMS_PER_BATCH = 200;

const mix: Record<string, number> = {};
const errors: Record<string, number> = {};
let ops = 0,
  streams = 0,
  maxDepot = 0,
  trims = 0,
  flushRetries = 0,
  allocFailures = 0;
const t0 = performance.now();

const runs = profiles.length
  ? profiles.map((v) => ({ version: v, config: versionConfig(v) }))
  : [{ version: '', config: CONFIG }];
const perVersion: string[] = [];
for (const run of runs) {
  const opsBefore = ops;
  for (let batch = 0; ops - opsBefore < target; batch++) {
    const batchSeed = seed * 1_000_003 + batch;
    const samples = fc.sample(stream(250), { seed: batchSeed, numRuns: STREAMS_PER_BATCH });
    const configs = randomPolicies ? fc.sample(labConfigArb, { seed: batchSeed, numRuns: STREAMS_PER_BATCH }) : [];
    for (const [i, s] of samples.entries()) {
      if (ops - opsBefore >= target) break;
      const config = configs[i] ?? run.config;
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
        console.error(
          `DIVERGENCE in stream ${streams} (batch seed ${seed * 1_000_003 + Math.floor(streams / STREAMS_PER_BATCH)}):\n${diff}`,
        );
        console.error('--- stream as trace ---\n' + (await traceOfStream(s, config)));
        process.exit(1);
      }
      ops += s.length;
      streams++;
      if (last) trims += last.classes.reduce((sum, c) => sum + c.depotTrims, 0);
      for (const r of retries.values()) flushRetries += r;
    }
  }
  if (run.version) {
    const p = profileByName(run.version);
    perVersion.push(`${p.name} (design ${p.design}): ${ops - opsBefore} ops, every result and snapshot equal`);
  }
}

const secs = (performance.now() - t0) / 1000;
console.log(
  `soak: seed ${seed}, ${ops} ops in ${streams} streams${randomPolicies ? ' (random profiles/policies)' : ''}, no divergence`,
);
for (const line of perVersion) console.log(`  ${line}`);
console.log(
  `op mix: ${Object.entries(mix)
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
console.log(`max depot size (snapshot magazines.depot): ${maxDepot}`);
console.log(`depot trims: ${trims}`);
console.log(`flush-retries: ${flushRetries}`);
console.log(`allocation failures (result 0): ${allocFailures}`);
console.log(
  `errors by class: ${
    Object.entries(errors)
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  }`,
);
console.log(`wall time: ${secs.toFixed(1)} s (${Math.round(ops / secs)} ops/s)`);
