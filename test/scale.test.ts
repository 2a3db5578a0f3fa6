// The memory requirement: 1024 possible CPUs × 1000 domains (12.3 M magazines, 12 GB of
// accounted kernel memory) fit in the WASM heap, an empty magazine costing the model ≤ 16 bytes.
import { describe, expect, it } from 'vitest';
import { cacheByName } from '../src/snapshot.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { onModule, privateModule } from './support/wasm.js';

describe('scale', () => {
  it('1024 CPUs × 1000 domains fit, at most 16 model bytes per eager magazine', async () => {
    const mod = await privateModule(); // its heap is ours alone
    const engine = await createWasmEngine(
      { possibleCpus: 1024, onlineCpus: 1024, magazines: 'named', slabGeometry: 'slub' },
      onModule(mod),
    );
    const heapBefore = mod.HEAPU8.length;
    for (let i = 0; i < 1000; i++) engine.createDomain(4096, 1n);
    const s = engine.snapshot();
    const magazines = cacheByName(s, 'iommu_iova_magazine')!;
    expect(s.magazines.total).toBe(12_288_000);
    expect(magazines.activeObjs).toBe(12_288_000);
    const accountedBytes = magazines.numSlabs * magazines.pagesPerSlab * 4096;
    expect(accountedBytes).toBeGreaterThan(12e9);
    const modelBytes = mod.HEAPU8.length - heapBefore;
    console.log(
      `model heap growth ${modelBytes} B for ${s.magazines.total} magazines (${(modelBytes / s.magazines.total).toFixed(2)} B each); accounted ${accountedBytes} B`,
    );
    expect(modelBytes / s.magazines.total).toBeLessThanOrEqual(16);
    expect(mod.HEAPU8.length).toBeLessThanOrEqual(2 ** 31);
    engine.checkInvariants();
    engine.dispose();
  }, 120_000);
});
