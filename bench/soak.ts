// Differential soak: ≥ 10^6 ops of random streams on wasm vs ts, checking the outcome, the full
// snapshot and both invariant checkers after every op. Every stream starts with a DMA domain and
// a device, then mixes DMA ops (domains of every type, devices, maps, map-sgs, unmaps on any CPU)
// with the rcache ops, clock advances (flush-queue timers, trims), CPU hotplug and injected faults.
// Usage: tsx bench/soak.ts [--seed N] [--ops N] [--policies | --profiles V1,V2,..] [--types T1,T2,..]
//   --ops: ops per run; one run per listed profile (default: the default lab) × DMA domain type
//   (default: every type), the type of each stream's first DMA domain;
//   --policies: a random kernel profile or what-if policy per stream instead of the default lab;
//   --profiles: runs under each listed kernel version (its policy and DMA facets), one line each.
import fc from 'fast-check';
import { DMA_DOMAIN_TYPES, type DmaDomainType, type LabConfig } from '../src/engine.js';
import { labConfig } from '../src/lab.js';
import { profileByName } from '../src/policy.js';
import { profileTitle } from '../src/profiles/designs.js';
import { CONFIG, divergence } from '../test/support/differential.js';
import { dmaConfigArb } from '../test/support/dma-config-arb.js';
import { dmaStream } from '../test/support/opstream.js';
import { labConfigArb } from '../test/support/policy-arb.js';
import { traceOfStream } from '../test/support/trace-of-stream.js';
import { SoakTally } from './soak-tally.js';

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

function list(name: string): string[] | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const items = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  if (items.length === 0) {
    console.error(`--${name} needs a comma-separated list`);
    process.exit(2);
  }
  return items;
}

const seed = arg('seed', 1);
const target = arg('ops', 1_000_000);
const randomPolicies = process.argv.includes('--policies');
const profiles = list('profiles') ?? [];
const types = (list('types') ?? DMA_DOMAIN_TYPES) as DmaDomainType[];
for (const t of types) {
  if (!DMA_DOMAIN_TYPES.includes(t)) {
    console.error(`--types: ${t} is not one of ${DMA_DOMAIN_TYPES.join(', ')}`);
    process.exit(2);
  }
}
const STREAMS_PER_BATCH = 200;
const STREAM_LENGTH = 250;

/** The lab configs of a run: a kernel version's (its DMA facets too), random policies, or the default lab. */
function runConfigs(version: string): fc.Arbitrary<LabConfig> {
  if (version) {
    const config = labConfig({ possibleCpus: CONFIG.possibleCpus, profile: version });
    return dmaConfigArb(config, fc.constant(config.dmaFacets!));
  }
  return randomPolicies ? labConfigArb.chain((c) => dmaConfigArb(c)) : dmaConfigArb(CONFIG);
}

const tally = new SoakTally();
const perRun: string[] = [];
const t0 = performance.now();
for (const [v, version] of (profiles.length ? profiles : ['']).entries()) {
  const title = version ? profileTitle(profileByName(version)) : randomPolicies ? 'random policies' : 'default lab';
  for (const [t, type] of types.entries()) {
    const [opsBefore, dmaBefore, streamsBefore] = [tally.ops, tally.dmaOps, tally.streams];
    for (let batch = 0; tally.ops - opsBefore < target; batch++) {
      // other streams in each run (profile × lead type)
      const batchSeed = seed * 1_000_003 + (v * types.length + t) * 65_537 + batch;
      const runs = fc.sample(fc.tuple(runConfigs(version), dmaStream(STREAM_LENGTH, [type])), {
        seed: batchSeed,
        numRuns: STREAMS_PER_BATCH,
      });
      for (const [i, [config, s]] of runs.entries()) {
        if (tally.ops - opsBefore >= target) break;
        const diff = await divergence(s, config, undefined, undefined, (op, a, _b, snap) => tally.op(op, a, snap));
        if (diff !== null) {
          console.error(`DIVERGENCE under ${title}, ${type}, batch seed ${batchSeed}, stream ${i}:\n${diff}`);
          console.error('--- stream as trace ---\n' + (await traceOfStream(s, config)));
          process.exit(1);
        }
        tally.endStream();
      }
    }
    const [ops, dma, streams] = [tally.ops - opsBefore, tally.dmaOps - dmaBefore, tally.streams - streamsBefore];
    const line = `${title}, ${type}: ${ops} ops (${dma} DMA) in ${streams} streams, every result and snapshot equal`;
    console.error(line); // progress; the summary repeats it
    perRun.push(line);
  }
}

const secs = (performance.now() - t0) / 1000;
console.log(
  `soak: seed ${seed}, ${tally.ops} ops (${tally.dmaOps} DMA ops) in ${tally.streams} streams, ` +
    `${perRun.length} runs, no divergence, no invariant failure`,
);
for (const line of perRun) console.log(`  ${line}`);
for (const line of tally.lines()) console.log(line);
console.log(`wall time: ${secs.toFixed(1)} s (${Math.round(tally.ops / secs)} ops/s)`);
