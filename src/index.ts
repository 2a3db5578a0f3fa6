// The public library surface, shared by the Node and browser entries (node.ts, browser.ts):
// re-exports only. Internals (engines, FFI, loader, error helpers) are deliberately absent.

// Labs and domains are Disposable: these declarations (the same as TypeScript's ESNext.Disposable
// lib and @types/node declare) let the published types compile in projects without that lib.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
}
export { IovaLab, labConfig } from './lab.js';
export type { LabOptions, DomainOptions } from './lab.js';
export { IovaDomain } from './domain.js';
export type { AllocFastOptions, AllocOptions, IovaRange } from './domain.js';
export { DmaDevice } from './device.js';
export type { AttachOptions, MapOptions } from './device.js';
export { encodeOps, batchResultToJson } from './batch.js';
export type { BatchOp, BatchResultJson } from './batch.js';
export type { BatchWindow, BatchRun } from './batch-window.js';
export type { EngineName, LabConfig, MagazineMode, SlabGeometry, FailureKind, BatchResult } from './engine.js';
export type { DeviceConfig, DmaBus, DmaDomainType, DmaLayerFacets } from './engine.js';
export { DMA_DOMAIN_TYPES, DMA_FACETS_V6_8, OpCode, OP_WORDS } from './engine.js';
export { CACHE_NAMES, cacheByName } from './snapshot.js';
export type {
  Snapshot,
  CacheCounters,
  SlabCounters,
  MagazineCounters,
  ClassCounters,
  DomainCounters,
  CacheName,
  CpuCounters,
  FlushQueueCounters,
} from './snapshot.js';
export { snapshotToJson } from './report/json.js';
export type { JsonReport, JsonCache, DomainTotals } from './report/json.js';
export { preloadWasm } from './wasm/preload.js';
export type { WasmLoadOptions, WasmModule, UrlLike } from './wasm/options.js';
export {
  IovaLabError,
  LabConfigError,
  DisposedError,
  UnknownDomainError,
  GranuleError,
  StartPfnError,
  CpuRangeError,
  CpuOfflineError,
  CpuStateError,
  SizeError,
  LimitError,
  ReserveRangeError,
  NotAllocatedError,
  DoubleFreeError,
  SizeClassError,
  OutOfMemoryError,
  AllocationFailedError,
  InvariantError,
  BadOpError,
  NonTerminatingWalkError,
  InvalidNumberError,
  InvalidArgumentError,
  WasmLoadError,
  MissingDependencyError,
  Status,
  UnknownDeviceError,
  DomainTypeError,
  ApertureError,
  DmaMaskError,
  BusError,
  OffsetError,
  NotDmaDomainError,
  SegmentsError,
  QueuedError,
  DmaConfigError,
  ClockOverflowError,
  DomainLimitError,
} from './errors.js';
export {
  KERNEL_PROFILES,
  PROFILE_NAMES,
  DEFAULT_PROFILE,
  POLICY_SPECS,
  applyPolicySpec,
  resolvePolicy,
  validatePolicy,
  profileByName,
  variantLabel,
} from './policy.js';
export { DESIGN_NAMES, FACET_RELEASES, resolveKernel } from './profiles/designs.js';
export type { DesignName, DmaFacets, FacetRelease } from './profiles/designs.js';
export type { RcachePolicy, ProfileName, KernelProfile } from './policy.js';
export { parseTrace, parseTraceStream, TraceSyntaxError, VALUE_OPS } from './trace/parse.js';
export type { Trace, TraceHeader, TraceOp } from './trace/parse.js';
export { writeTrace, formatOp } from './trace/write.js';
export { replayTrace, replayTraceStream, replayResultToJson, TraceReplayError } from './trace/replay.js';
export type {
  ReplayValue,
  ReplayResult,
  ReplayOptions,
  ReplayResultJson,
  StreamReplayOptions,
  StreamReplayResult,
} from './trace/replay.js';
