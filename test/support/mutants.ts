// Deliberately broken TS engines, each one rule away from the model, for proving that the
// differential property fails, shrinks and leaves a replayable counterexample. Nothing in
// src/model is edited; each mutant overrides one method of the real model.
import type { FailureKind, LabConfig } from '../../src/engine.js';
import { ModelEngine } from '../../src/model/lab.js';
import { checkCpuInRange, checkDomain } from '../../src/model/validate.js';
import type { Snapshot } from '../../src/snapshot.js';

/**
 * The mutant's online-CPU view is off by one: it boots with the last CPU offline (the model is
 * built with onlineCpus - 1) while snapshot() still reports the true onlineCpus.
 */
export class OffByOneCpuEngine extends ModelEngine {
  private readonly reportedOnline: number;
  constructor(config: LabConfig) {
    super({ ...config, onlineCpus: config.onlineCpus - 1 });
    this.reportedOnline = config.onlineCpus;
  }
  override snapshot(): Snapshot {
    return { ...super.snapshot(), onlineCpus: this.reportedOnline };
  }
}

/** The depot trim keeps one magazine more than the kernel does. */
export class LazyTrimEngine extends ModelEngine {
  protected override depotTrimThreshold(): number {
    return super.depotTrimThreshold() + 1;
  }
}

/** Injected iommu_iova allocation failures never fire (magazine injections still do). */
export class DeafToIovaFaultsEngine extends ModelEngine {
  override injectFailure(kind: FailureKind, nth: number): void {
    if (kind !== 'iova') super.injectFailure(kind, nth);
  }
}

/** free_cpu_cached_iovas of one domain and CPU gives nothing back (the hotplug path still does). */
export class KeepsCpuCacheEngine extends ModelEngine {
  override freeCpuCachedIovas(domain: number, cpu: number): void {
    checkDomain(this.domains, domain); // the checks still run, so only the effect is missing
    checkCpuInRange(this.config.possibleCpus, cpu);
  }
}

export const MUTANTS: [string, (c: LabConfig) => ModelEngine][] = [
  ['online-CPU view off by one', (c) => new OffByOneCpuEngine(c)],
  ['depot trim threshold off by one', (c) => new LazyTrimEngine(c)],
];
