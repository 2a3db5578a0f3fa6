// The public library surface: re-exports only.
export { IovaLab, createEngine, labConfig } from './lab.js';
export type { LabOptions, DomainOptions } from './lab.js';
export { IovaDomain } from './domain.js';
export type { AllocFastOptions, AllocOptions, IovaRange } from './domain.js';
export { DmaDevice } from './device.js';
export type { AttachOptions, MapOptions } from './device.js';
export { encodeOps } from './batch.js';
export type { BatchOp } from './batch.js';
export type { Engine, EngineName, LabConfig, MagazineMode, SlabGeometry, FailureKind, BatchResult } from './engine.js';
export type { DeviceConfig, DmaBus, DmaDomainType, DmaFacets } from './engine.js';
export { DMA_DOMAIN_TYPES, DMA_FACETS_V6_8, OpCode, OP_WORDS } from './engine.js';
export { CACHE_NAMES, cacheByName } from './snapshot.js';
export type {
  Snapshot, CacheCounters, MagazineCounters, ClassCounters, DomainCounters, CacheName, CpuCounters, FlushQueueCounters,
} from './snapshot.js';
export { loadIovaModule } from './wasm/load.js';
export type { LoadOptions } from './wasm/load.js';
export * from './errors.js';
export {
  KERNEL_PROFILES, PROFILE_NAMES, DEFAULT_PROFILE, POLICY_SPECS, applyPolicySpec, resolvePolicy, validatePolicy,
  profileByName, variantLabel,
} from './policy.js';
export type { RcachePolicy, ProfileName, KernelProfile } from './policy.js';
export { parseTrace, TraceSyntaxError, VALUE_OPS } from './trace/parse.js';
export type { Trace, TraceHeader, TraceOp } from './trace/parse.js';
export { writeTrace, formatOp } from './trace/write.js';
export { replayTrace, TraceReplayError } from './trace/replay.js';
export type { ReplayValue, ReplayResult } from './trace/replay.js';
