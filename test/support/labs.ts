// Shared helpers for tests that run the same scenario on every engine.
import type { EngineName } from '../../src/engine.js';
import { IovaLab, type LabOptions } from '../../src/lab.js';
import { cacheByName, type CacheName, type Snapshot } from '../../src/snapshot.js';

export { LIMIT32 } from './constants.js';

export const ENGINES: EngineName[] = ['wasm', 'ts'];

export function newLab(engine: EngineName, options: Omit<LabOptions, 'engine'>): Promise<IovaLab> {
  return IovaLab.create({ ...options, engine });
}

export function active(s: Snapshot, name: CacheName): number | undefined {
  return cacheByName(s, name)?.activeObjs;
}
