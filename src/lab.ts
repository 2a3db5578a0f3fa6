// The library's entry object: one simulated machine (possible/online CPUs, slab flavour) running
// on either engine. It validates caller values, then delegates; it holds no model state itself.
import type { BatchWindow } from './batch-window.js';
import { IovaDomain } from './domain.js';
import { OP_WORDS, type BatchResult, type Engine, type EngineName, type FailureKind } from './engine.js';
import { DMA_DOMAIN_TYPES, type DmaDomainType, type DmaLayerFacets } from './engine.js';
import type { LabConfig, MagazineMode, SlabGeometry } from './engine.js';
import { InvalidArgumentError, LabConfigError } from './errors.js';
import { DEFAULT_PROFILE, profileByName, resolvePolicy, type KernelProfile } from './policy.js';
import { DMA_DEFAULT_APERTURE_BITS } from './generated/abi.js';
import { toIndex, toU64 } from './numbers.js';
import type { Snapshot } from './snapshot.js';
import { createWasmEngine } from './wasm-engine.js';
import type { WasmLoadOptions } from './wasm/options.js';

/**
 * Options of {@link IovaLab.create} (and of every API that builds a lab).
 * @example `await IovaLab.create({ possibleCpus: 8, profile: 'v6.8' })`
 */
export interface LabOptions {
  /**
   * CPUs the machine could have (the kernel's possible mask), 1 or more.
   * @example `{ possibleCpus: 128 }`
   */
  possibleCpus: number;
  /**
   * CPUs online at start. Default possibleCpus.
   * @example `{ possibleCpus: 128, onlineCpus: 64 }`
   */
  onlineCpus?: number;
  /**
   * The kernel version to model, from v4.7 on ('5.15', 'v6.6', '6.12.3'). Default 'v6.9'.
   * @example `{ profile: '5.15' }`
   */
  profile?: string;
  /**
   * What-if changes on top of the profile, applied in order (an array, even for one).
   * @example `{ policy: ['lazy', 'mag-size=64'] }`
   */
  policy?: readonly string[];
  /**
   * 'named': magazines in iommu_iova_magazine; 'unnamed': in kmalloc-N. Default: the profile's.
   * @example `{ magazines: 'unnamed' }`
   */
  magazines?: MagazineMode;
  /**
   * Slab geometry: 'slub' (high-order slabs) or 'order0'. Default 'slub'.
   * @example `{ slabGeometry: 'order0' }`
   */
  slabGeometry?: SlabGeometry;
  /**
   * 'wasm' (the C model) or 'ts' (the TypeScript reference model); both run every profile. Default 'wasm'.
   * @example `{ engine: 'ts' }`
   */
  engine?: EngineName;
  /**
   * Where the WASM engine comes from (ignored by the 'ts' engine).
   * @example `{ wasm: { wasmUrl: '/assets/iova_model.wasm' } }`
   */
  wasm?: WasmLoadOptions;
  /**
   * The kernel's HZ: flush-queue timers round up to whole jiffies. 1..1000, default 1000.
   * @example `{ hz: 250 }`
   */
  hz?: number;
  /**
   * The DMA layer's version facets (SAC latch, single queue, rounding in the caller). Default: the profile's.
   * @example `{ dmaFacets: { sacLatch: false, singleQueueAvailable: false, roundInCaller: false } }`
   */
  dmaFacets?: DmaLayerFacets;
}

/**
 * Options of {@link IovaLab.createDomain}.
 * @example `lab.createDomain({ granule: 4096, startPfn: 1n })`
 */
export interface DomainOptions {
  /**
   * Bytes, a power of two ≤ 4096. Default 4096.
   * @example `{ granule: 4096 }`
   */
  granule?: number;
  /**
   * Lowest PFN handed out, ≥ 1. Default 1.
   * @example `{ startPfn: 0x100n }`
   */
  startPfn?: number | bigint;
  /**
   * A domain with the DMA layer: strict (DMA), lazy (DMA-FQ) or lazy-single. Default: a plain domain.
   * @example `{ type: 'lazy' }`
   */
  type?: DmaDomainType;
  /**
   * DMA domains: the forced aperture, IOVAs below 2^apertureBits (32..63). Default 48.
   * @example `{ type: 'strict', apertureBits: 39 }`
   */
  apertureBits?: number;
}

function oneOf<T extends string>(what: string, value: T | undefined, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new LabConfigError(`${what} must be one of ${allowed.join(', ')}, got ${String(value)}`, -1);
  }
  return value as T;
}

/**
 * The engine configuration for lab options: defaults filled in, the policy resolved.
 * @throws LabConfigError or InvalidNumberError naming the bad option.
 * @example `labConfig({ possibleCpus: 8, policy: ['lazy'] }).policy.lazy // true`
 */
export function labConfig(options: LabOptions): LabConfig {
  if (typeof options !== 'object' || options === null) {
    throw new LabConfigError(`lab options must be an object, got ${String(options)}`, -1);
  }
  const possibleCpus = toIndex('possibleCpus', options.possibleCpus);
  const profile = profileByName(options.profile ?? DEFAULT_PROFILE);
  if (options.policy !== undefined && !Array.isArray(options.policy)) {
    throw new LabConfigError(`policy must be an array of specs, got ${JSON.stringify(options.policy)}`, -1);
  }
  return {
    possibleCpus,
    onlineCpus: options.onlineCpus === undefined ? possibleCpus : toIndex('onlineCpus', options.onlineCpus),
    magazines: oneOf('magazines', options.magazines, ['named', 'unnamed'], profile.magazines),
    slabGeometry: oneOf('slabGeometry', options.slabGeometry, ['slub', 'order0'], 'slub'),
    profile: profile.name,
    policy: resolvePolicy(profile.name, options.policy ?? []),
    ...(options.hz === undefined ? {} : { hz: toIndex('hz', options.hz) }),
    dmaFacets: options.dmaFacets === undefined ? dmaFacetsOf(profile.dma) : { ...options.dmaFacets },
  };
}

/** The engines' DMA facets of a kernel profile (the forcedac option is not modelled: forceDac always applies). */
function dmaFacetsOf(dma: KernelProfile['dma']): DmaLayerFacets {
  return { sacLatch: dma.sacLatch, singleQueueAvailable: dma.singleFlushQueue, roundInCaller: dma.roundInCaller };
}

/** @internal An engine by name, for code (tests, CLI, benchmarks) that drives engines directly. */
export async function createEngine(name: EngineName, config: LabConfig, wasm?: WasmLoadOptions): Promise<Engine> {
  if (name === 'wasm') return createWasmEngine(config, wasm);
  // loaded on first use: a WASM-only program (most CLI runs) never parses the TS model's modules
  const { createModelEngine } = await import('./model/lab.js');
  return createModelEngine(config);
}

// Releases the engine of a lab nobody disposed once the lab is unreachable.
const unreclaimed = new FinalizationRegistry<Engine>((engine) => engine.dispose());

/**
 * One simulated machine: possible and online CPUs, a slab flavour, a kernel rcache design, on
 * the WASM or the TypeScript engine. Release it with `dispose()` (or `using`); a lab never
 * disposed is released when the garbage collector reclaims it.
 *
 * @example
 * ```ts
 * import { IovaLab, cacheByName } from 'iova-lab';
 * const lab = await IovaLab.create({ possibleCpus: 128 });
 * lab.createDomain();
 * console.log(cacheByName(lab.snapshot(), 'iommu_iova_magazine')?.activeObjs); // 1536
 * lab.dispose();
 * ```
 */
export class IovaLab implements Disposable {
  /** @internal The engine behind this lab. */
  readonly engine: Engine;
  private isDisposed = false;

  private constructor(engine: Engine) {
    this.engine = engine;
    unreclaimed.register(this, engine, this);
  }

  /**
   * A new lab.
   * @throws LabConfigError or InvalidNumberError naming a bad option; WasmLoadError when the
   *   WASM engine cannot be loaded.
   * @example `const lab = await IovaLab.create({ possibleCpus: 8, engine: 'ts' });`
   */
  static async create(options: LabOptions): Promise<IovaLab> {
    const engine = oneOf('engine', options.engine, ['wasm', 'ts'], 'wasm');
    return new IovaLab(await createEngine(engine, labConfig(options), options.wasm));
  }

  /**
   * The configuration the engine runs, defaults filled in.
   * @example `lab.config.onlineCpus`
   */
  get config(): LabConfig {
    return this.engine.config;
  }

  /**
   * Whether dispose() has run.
   * @example `lab.disposed // false`
   */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /**
   * init_iova_domain + iova_domain_init_rcaches; with a type, also the DMA layer
   * (iommu_dma_init_domain, and iommu_dma_init_fq for lazy types).
   * @throws GranuleError, StartPfnError, AllocationFailedError, DomainTypeError, ApertureError,
   *   InvalidNumberError or DisposedError.
   * @example `const nvme = lab.createDomain({ type: 'lazy' });`
   */
  createDomain(options: DomainOptions = {}): IovaDomain {
    const granule = toIndex('granule', options.granule ?? 4096);
    const startPfn = toU64('startPfn', options.startPfn ?? 1n);
    const type = options.type === undefined ? undefined : oneOf('type', options.type, DMA_DOMAIN_TYPES);
    const bits = toIndex('apertureBits', options.apertureBits ?? DMA_DEFAULT_APERTURE_BITS);
    if (options.apertureBits !== undefined && !type) {
      throw new LabConfigError(`apertureBits needs a DMA domain type, got apertureBits ${bits} without one`, -1);
    }
    const id = type
      ? this.engine.createDmaDomain(granule, startPfn, type, bits)
      : this.engine.createDomain(granule, startPfn);
    return IovaDomain.attach(this, id);
  }

  /**
   * Move virtual time forward, running every trim work that falls due.
   * @throws InvalidNumberError or DisposedError.
   * @example `lab.advanceClock(10_000);`
   */
  advanceClock(ms: number | bigint): void {
    this.engine.advanceClock(toU64('ms', ms));
  }

  /**
   * CPU hotplug "dead": flushes that CPU's magazines in every domain.
   * @throws CpuRangeError, CpuStateError, InvalidNumberError or DisposedError.
   * @example `lab.cpuOffline(3);`
   */
  cpuOffline(cpu: number): void {
    this.engine.cpuOffline(toIndex('cpu', cpu));
  }

  /**
   * Bring a CPU back online.
   * @throws CpuRangeError, CpuStateError, InvalidNumberError or DisposedError.
   * @example `lab.cpuOnline(3);`
   */
  cpuOnline(cpu: number): void {
    this.engine.cpuOnline(toIndex('cpu', cpu));
  }

  /**
   * Make the nth next allocation of that kind fail (1 = the next one).
   * @throws InvalidArgumentError for a kind other than 'magazine' or 'iova'; InvalidNumberError.
   * @example `lab.injectFailure('magazine', 1);`
   */
  injectFailure(kind: FailureKind, nth: number): void {
    if (kind !== 'magazine' && kind !== 'iova') {
      throw new InvalidArgumentError(`failure kind must be 'magazine' or 'iova', got ${String(kind)}`, -1);
    }
    this.engine.injectFailure(kind, toIndex('nth', nth));
  }

  /**
   * Run encoded ops (see encodeOps) inside the engine in one call. Pass `out` (a BigUint64Array of
   * at least one word per op) to have the results written there instead of into a new array.
   * For the fastest path, encode straight into a {@link batchWindow} instead.
   * @throws InvalidArgumentError when `ops` is not a BigUint64Array of whole ops; RangeError when
   *   `out` is too short; engine errors are returned in the result, not thrown.
   * @example `const r = lab.runBatch(encodeOps([{ op: 'advance', ms: 10n }]));`
   */
  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    if (!(ops instanceof BigUint64Array)) {
      throw new InvalidArgumentError(`a batch must be a BigUint64Array (see encodeOps), got ${typeName(ops)}`, -1);
    }
    if (ops.length % OP_WORDS !== 0) {
      throw new InvalidArgumentError(`a batch holds ${OP_WORDS} words per op, got ${ops.length} words`, -1);
    }
    if (out !== undefined && !(out instanceof BigUint64Array)) {
      throw new InvalidArgumentError(`a batch's output must be a BigUint64Array, got ${typeName(out)}`, -1);
    }
    return this.engine.runBatch(ops, out);
  }

  /**
   * A reusable transfer window of capacityOps ops: encode ops straight into `ops` (OP_WORDS words
   * each, as encodeOps lays them out), `run(n)`, read `results` in place. On the WASM engine both
   * live in the module's heap, so nothing is copied or allocated per run. Lifetime rule: fetch
   * `ops`/`results` from the window again after every run (a run may grow the WASM memory, which
   * detaches older views); results stay valid until the next run. Dispose the window when done
   * (the lab's dispose frees it too).
   * @throws RangeError when capacityOps is not an integer in [1, 2^22]; DisposedError; OutOfMemoryError.
   * @example
   * ```ts
   * const w = lab.batchWindow(2);
   * w.ops.set(encodeOps([{ op: 'advance', ms: 10n }, { op: 'advance', ms: 5n }]));
   * const { completed } = w.run(2);
   * w.dispose();
   * ```
   */
  batchWindow(capacityOps: number): BatchWindow {
    return this.engine.batchWindow(capacityOps);
  }

  /**
   * Every counter of the lab right now.
   * @throws DisposedError.
   * @example `lab.snapshot().magazines.total`
   */
  snapshot(): Snapshot {
    return this.engine.snapshot();
  }

  /**
   * Check the model's invariants.
   * @throws InvariantError naming the first broken invariant; DisposedError.
   * @example `lab.checkInvariants();`
   */
  checkInvariants(): void {
    this.engine.checkInvariants();
  }

  /**
   * Puts every domain and releases the engine. Idempotent.
   * @example `lab.dispose();`
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.engine.dispose();
    this.isDisposed = true;
    unreclaimed.unregister(this);
  }

  /** The same as dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** What a value is, for an error message: its constructor's name, or the value itself. */
function typeName(v: unknown): string {
  return v === null || typeof v !== 'object' ? String(v) : (v.constructor?.name ?? 'object');
}
