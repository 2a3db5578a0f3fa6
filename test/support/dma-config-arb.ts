// Random lab configs for DMA streams, shared by the DMA differential test and the soak: HZ (the
// flush-queue timers round up to whole jiffies of it), online CPUs, and the DMA layer's facets,
// random or a kernel profile's.
import fc from 'fast-check';
import type { DmaLayerFacets, LabConfig } from '../../src/engine.js';
import { CONFIG } from './differential.js';

/** Every combination of the DMA layer's version facets. */
export const dmaFacetsArb: fc.Arbitrary<DmaLayerFacets> = fc.record({
  sacLatch: fc.boolean(),
  singleQueueAvailable: fc.boolean(),
  roundInCaller: fc.boolean(),
});

/** `base` with a random HZ and online CPUs, and the given facets (default: any mix). */
export const dmaConfigArb = (
  base: LabConfig = CONFIG,
  facets: fc.Arbitrary<DmaLayerFacets> = dmaFacetsArb,
): fc.Arbitrary<LabConfig> =>
  fc
    .record({
      hz: fc.constantFrom(1000, 1000, 250, 100, 300),
      dmaFacets: facets,
      onlineCpus: fc.constantFrom(4, 4, 2),
    })
    .map((c) => ({ ...base, ...c }));
