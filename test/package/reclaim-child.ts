// Run by reclaim.test.ts as `node --expose-gc --import tsx`: drops labs and domains without
// dispose(), collects garbage, and prints what the engines were asked to release.
import type { EngineName } from '../../src/engine.js';
import { IovaLab } from '../../src/lab.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const engine = (process.argv[2] ?? 'wasm') as EngineName;

async function collectUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) {
    gc();
    await new Promise((ok) => setTimeout(ok, 5));
  }
}

let droppedLabReleased = 0;
let disposedLabReleased = 0;
const put: number[] = [];

// A lab nobody disposes: its engine is released once the lab is unreachable.
await (async () => {
  const lab = await IovaLab.create({ possibleCpus: 4, engine });
  lab.createDomain();
  const release = lab.engine.dispose.bind(lab.engine);
  lab.engine.dispose = () => {
    droppedLabReleased++;
    release();
  };
})();

// A lab disposed explicitly: released exactly once, not again by the collector.
await (async () => {
  const lab = await IovaLab.create({ possibleCpus: 4, engine });
  const release = lab.engine.dispose.bind(lab.engine);
  lab.engine.dispose = () => {
    disposedLabReleased++;
    release();
  };
  lab.dispose();
})();

// A live lab whose domain is dropped: the domain is put, the lab stays usable.
const keeper = await IovaLab.create({ possibleCpus: 4, engine });
const putDomain = keeper.engine.putDomain.bind(keeper.engine);
keeper.engine.putDomain = (id: number) => {
  put.push(id);
  putDomain(id);
};
(() => {
  const d = keeper.createDomain();
  d.freeFast(0, d.allocFast(0, 1, 0xfffffn), 1);
})();
const kept = keeper.createDomain();

await collectUntil(() => droppedLabReleased > 0 && put.length > 0);
console.log(
  JSON.stringify({
    droppedLabReleased,
    disposedLabReleased,
    put,
    liveDomains: keeper.snapshot().domains.map((d) => d.id),
    kept: kept.id,
  }),
);
