// The interface both engines implement: the WASM-backed C model and the pure-TS model.
// Ids are small integers; PFNs are bigint. Every method throws an IovaLabError subclass
// (src/errors.ts) on bad input and then leaves the model unchanged.
import type { RcachePolicy } from './policy.js';
import type { BatchWindow } from './batch-window.js';
import type { Snapshot } from './snapshot.js';
import type { EngineOps } from './generated/engine-ops.js';

/**
 * Where magazines live: 'named' in iommu_iova_magazine (v6.7+), 'unnamed' in kmalloc-N.
 * @example `const m: MagazineMode = 'named';`
 */
export type MagazineMode = 'named' | 'unnamed';
/**
 * Slab geometry: 'slub' (high-order slabs) or 'order0' (one page per slab).
 * @example `const g: SlabGeometry = 'order0';`
 */
export type SlabGeometry = 'slub' | 'order0';
/**
 * The engine: 'wasm' (the C model) or 'ts' (the TypeScript reference model).
 * @example `const e: EngineName = 'ts';`
 */
export type EngineName = 'wasm' | 'ts';
/**
 * What an injected failure fails: a magazine allocation or an IOVA node allocation.
 * @example `const k: FailureKind = 'magazine';`
 */
export type FailureKind = 'magazine' | 'iova';
/**
 * strict: DMA (unmaps free at once); lazy: DMA-FQ with per-CPU queues; lazy-single: one shared queue.
 * @example `lab.createDomain({ type: 'lazy' as DmaDomainType })`
 */
export type DmaDomainType = 'strict' | 'lazy' | 'lazy-single';
/**
 * Every {@link DmaDomainType}, in order.
 * @example `DMA_DOMAIN_TYPES.includes('lazy') // true`
 */
export const DMA_DOMAIN_TYPES: readonly DmaDomainType[] = ['strict', 'lazy', 'lazy-single'];
/**
 * A device's bus: PCI devices try a 32-bit IOVA first (the SAC trick), platform devices do not.
 * @example `domain.attachDevice({ dmaMaskBits: 64, bus: 'platform' })`
 */
export type DmaBus = 'pci' | 'platform';

/**
 * What differs between kernel versions in the DMA layer.
 * @example `{ dmaFacets: { ...DMA_FACETS_V6_8, sacLatch: false } }`
 */
export interface DmaLayerFacets {
  /**
   * v6.6+: the first failed 32-bit attempt switches the device to the full range for good.
   * @example `{ ...DMA_FACETS_V6_8, sacLatch: false }`
   */
  sacLatch: boolean;
  /**
   * v6.7+: the one shared 32768-entry queue (lazy-single).
   * @example `{ ...DMA_FACETS_V6_8, singleQueueAvailable: false }`
   */
  singleQueueAvailable: boolean;
  /**
   * Before v5.17: the DMA layer rounds to a power of two itself, not alloc_iova_fast.
   * @example `{ ...DMA_FACETS_V6_8, roundInCaller: true }`
   */
  roundInCaller: boolean;
}
/**
 * The DMA layer facets of v6.8 (the SAC latch, the single queue, rounding in alloc_iova_fast).
 * @example `await IovaLab.create({ possibleCpus: 4, dmaFacets: DMA_FACETS_V6_8 })`
 */
export const DMA_FACETS_V6_8: Readonly<DmaLayerFacets> = {
  sacLatch: true,
  singleQueueAvailable: true,
  roundInCaller: false,
};

/**
 * A device as the engines attach it (the library fills in the defaults).
 * @example `{ bus: 'pci', dmaMaskBits: 64, coherentMaskBits: 32, forceDac: false }`
 */
export interface DeviceConfig {
  /** The device's bus. @example `'pci'` */
  bus: DmaBus;
  /** dma_mask: the device addresses 2^dmaMaskBits bytes (1..64). @example `64` */
  dmaMaskBits: number;
  /** coherent_dma_mask, in bits (1..64). @example `32` */
  coherentMaskBits: number;
  /** iommu.forcedac=1: no 32-bit attempt. @example `false` */
  forceDac: boolean;
}

/**
 * The resolved engine configuration {@link labConfig} builds from {@link LabOptions}.
 * @example `labConfig({ possibleCpus: 4 }).onlineCpus // 4`
 */
export interface LabConfig {
  /** CPUs the machine could have. @example `8` */
  possibleCpus: number;
  /** CPUs online at start. @example `8` */
  onlineCpus: number;
  /** Where magazines live. @example `'named'` */
  magazines: MagazineMode;
  /** Slab geometry. @example `'slub'` */
  slabGeometry: SlabGeometry;
  /** The kernel version the policy came from (a label; the policy is what the engines run). @example `'v6.8'` */
  profile?: string;
  /**
   * The rcache design to run. Default: the v6.9 policy (src/policy.ts).
   * @example `resolvePolicy('v6.8', ['lazy'])`
   */
  policy?: RcachePolicy;
  /** The kernel's HZ (flush-queue timers round up to whole jiffies), 1..1000. Default 1000. @example `250` */
  hz?: number;
  /** The DMA layer's version facets. Default: v6.8's. @example `DMA_FACETS_V6_8` */
  dmaFacets?: DmaLayerFacets;
}

/** Batch opcodes and the words per op, declared in abi/iova-abi.json. */
export { OpCode, OP_WORDS } from './generated/abi.js';

/**
 * What {@link IovaLab.runBatch} did.
 * @example `const { results, completed, error } = lab.runBatch(encodeOps(ops));`
 */
export interface BatchResult {
  /** One word per op: the pfn / domain id it returned, 0 for ops without a result. @example `r.results[0]` */
  results: BigUint64Array;
  /**
   * How many ops ran; fewer than asked means op `completed` failed with `error`.
   * @example `r.completed === ops.length`
   */
  completed: number;
  /** The IovaLabError subclass op `completed` threw, when a run stopped early. @example `r.error?.name` */
  error?: Error;
}

/** An engine: the operations (EngineOps, declared in abi/iova-abi.json) and what is not one C call. */
export interface Engine extends EngineOps {
  readonly name: EngineName;
  readonly config: LabConfig;
  /** Runs encoded ops; results go into `out` (at least one word per op) when given, so repeated
   * calls need not allocate. Built on a batch window of the engine's own. */
  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult;
  /** A reusable transfer window of capacityOps ops (see BatchWindow for its lifetime rule). */
  batchWindow(capacityOps: number): BatchWindow;
  snapshot(): Snapshot;
  /** Throws InvariantError naming the first broken invariant. */
  checkInvariants(): void;
  dispose(): void;
}
