// The library's entry object: one simulated machine (possible/online CPUs, slab flavour) running
// on either engine. It validates caller numbers, then delegates; it holds no model state itself.
import type { LoadOptions } from './wasm/load.js';
import type {
  BatchResult, DmaDomainType, DmaFacets, Engine, EngineName, FailureKind, LabConfig, MagazineMode, SlabGeometry,
} from './engine.js';
import { DMA_DOMAIN_TYPES } from './engine.js';
import { IovaDomain } from './domain.js';
import { LabConfigError } from './errors.js';
import { DEFAULT_PROFILE, profileByName, resolvePolicy, type ProfileName } from './policy.js';
import { createModelEngine } from './model/lab.js';
import { DMA_DEFAULT_APERTURE_BITS } from './generated/abi.js';
import { toIndex, toU64 } from './numbers.js';
import type { Snapshot } from './snapshot.js';
import { createWasmEngine } from './wasm-engine.js';

export interface LabOptions {
  possibleCpus: number;
  /** Defaults to possibleCpus. */
  onlineCpus?: number;
  /** The kernel's rcache design to model. Default 'v6.8'. */
  profile?: ProfileName;
  /** What-if changes on top of the profile, applied in order: 'lazy', 'mag-size=64', … (src/policy.ts). */
  policy?: readonly string[];
  /** 'named': magazines in iommu_iova_magazine; 'unnamed': in kmalloc-N. Default: the profile's. */
  magazines?: MagazineMode;
  /** Default 'slub'. */
  slabGeometry?: SlabGeometry;
  /** Default 'wasm'. */
  engine?: EngineName;
  /** How to load the WASM module (browsers: bytes or URL and the glue's factory). */
  wasm?: LoadOptions;
  /** The kernel's HZ: flush-queue timers round up to whole jiffies. 1..1000, default 1000. */
  hz?: number;
  /** The DMA layer's version facets (SAC latch, single queue, rounding in the caller). Default v6.8's. */
  dmaFacets?: DmaFacets;
}

export interface DomainOptions {
  /** Bytes, a power of two ≤ 4096. Default 4096. */
  granule?: number;
  /** Lowest PFN handed out, ≥ 1. Default 1. */
  startPfn?: number | bigint;
  /** A domain with the DMA layer: strict (DMA), lazy (DMA-FQ) or lazy-single. Default: a plain domain. */
  type?: DmaDomainType;
  /** DMA domains: the forced aperture, IOVAs below 2^apertureBits (32..63). Default 48. */
  apertureBits?: number;
}

function oneOf<T extends string>(what: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new LabConfigError(`${what} must be one of ${allowed.join(', ')}, got ${String(value)}`, -1);
  return value;
}

export function labConfig(options: LabOptions): LabConfig {
  const possibleCpus = toIndex('possibleCpus', options.possibleCpus);
  const profile = profileByName(options.profile ?? DEFAULT_PROFILE);
  return {
    possibleCpus,
    onlineCpus: options.onlineCpus === undefined ? possibleCpus : toIndex('onlineCpus', options.onlineCpus),
    magazines: oneOf('magazines', options.magazines, ['named', 'unnamed'], profile.magazines),
    slabGeometry: oneOf('slabGeometry', options.slabGeometry, ['slub', 'order0'], 'slub'),
    profile: profile.name,
    policy: resolvePolicy(profile.name, options.policy ?? []),
    ...(options.hz === undefined ? {} : { hz: toIndex('hz', options.hz) }),
    ...(options.dmaFacets === undefined ? {} : { dmaFacets: { ...options.dmaFacets } }),
  };
}

/** An engine by name, for code (tests, CLI, benchmarks) that drives engines directly. */
export async function createEngine(name: EngineName, config: LabConfig, wasm?: LoadOptions): Promise<Engine> {
  return name === 'wasm' ? createWasmEngine(config, wasm) : createModelEngine(config);
}

export class IovaLab implements Disposable {
  private readonly domains = new Set<IovaDomain>();
  private disposed = false;

  private constructor(readonly engine: Engine) {}

  static async create(options: LabOptions): Promise<IovaLab> {
    const engine = oneOf('engine', options.engine, ['wasm', 'ts'], 'wasm');
    return new IovaLab(await createEngine(engine, labConfig(options), options.wasm));
  }

  get config(): LabConfig {
    return this.engine.config;
  }

  /** init_iova_domain + iova_domain_init_rcaches; with a type, also the DMA layer (iommu_dma_init_domain). */
  createDomain(options: DomainOptions = {}): IovaDomain {
    const granule = toIndex('granule', options.granule ?? 4096);
    const startPfn = toU64('startPfn', options.startPfn ?? 1n);
    const type = options.type === undefined ? undefined : oneOf('type', options.type, DMA_DOMAIN_TYPES, 'strict');
    const bits = toIndex('apertureBits', options.apertureBits ?? DMA_DEFAULT_APERTURE_BITS);
    if (options.apertureBits !== undefined && !type) {
      throw new LabConfigError(`apertureBits needs a DMA domain type, got apertureBits ${bits} without one`, -1);
    }
    const id = type ? this.engine.createDmaDomain(granule, startPfn, type, bits) : this.engine.createDomain(granule, startPfn);
    const domain = new IovaDomain(this.engine, id, (d) => this.domains.delete(d));
    this.domains.add(domain);
    return domain;
  }

  /** Move virtual time forward, running every trim work that falls due. */
  advanceClock(ms: number | bigint): void {
    this.engine.advanceClock(toU64('ms', ms));
  }

  /** CPU hotplug "dead": flushes that CPU's magazines in every domain. */
  cpuOffline(cpu: number): void {
    this.engine.cpuOffline(toIndex('cpu', cpu));
  }

  cpuOnline(cpu: number): void {
    this.engine.cpuOnline(toIndex('cpu', cpu));
  }

  /** Make the nth next allocation of that kind fail (1 = the next one). */
  injectFailure(kind: FailureKind, nth: number): void {
    this.engine.injectFailure(oneOf('kind', kind, ['magazine', 'iova'], kind), toIndex('nth', nth));
  }

  /** Run encoded ops (see encodeOps) inside the engine in one call. */
  runBatch(ops: BigUint64Array): BatchResult {
    return this.engine.runBatch(ops);
  }

  snapshot(): Snapshot {
    return this.engine.snapshot();
  }

  checkInvariants(): void {
    this.engine.checkInvariants();
  }

  /** Puts every domain and releases the engine. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.engine.dispose();
    for (const d of [...this.domains]) d.markPut();
    this.disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
