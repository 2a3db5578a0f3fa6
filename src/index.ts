// The public library surface: re-exports only.
export { IovaLab, createEngine, labConfig } from './lab.js';
export type { LabOptions, DomainOptions } from './lab.js';
export { IovaDomain } from './domain.js';
export type { AllocFastOptions, AllocOptions, IovaRange } from './domain.js';
export { encodeOps } from './batch.js';
export type { BatchOp } from './batch.js';
export type { Engine, EngineName, LabConfig, MagazineMode, SlabGeometry, FailureKind, BatchResult } from './engine.js';
export { OpCode, OP_WORDS } from './engine.js';
export { CACHE_NAMES, cacheByName } from './snapshot.js';
export type { Snapshot, CacheCounters, MagazineCounters, ClassCounters, DomainCounters, CacheName } from './snapshot.js';
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
