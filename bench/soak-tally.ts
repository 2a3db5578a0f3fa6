// What the soak counts while both engines agree: the op mix, DMA ops, errors by class, and the
// mechanisms reached (depot, trims, flush retries, flush-queue timers and full rings, SAC switches).
import type { DmaDomainType } from '../src/engine.js';
import type { Snapshot } from '../src/snapshot.js';
import type { Outcome, StreamOp } from '../test/support/opstream.js';

const DMA_KINDS = new Set<StreamOp['k']>(['createDma', 'attach', 'map', 'mapSg', 'unmap', 'badUnmap', 'dmaBurst']);

/** Per-domain counters the soak sums: a domain's row vanishes when it is put, so its last one is kept. */
const SUMMED = ['flushRetries', 'timerExpiries', 'flushesFull', 'sacSwitched', 'maps', 'unmaps'] as const;
type Summed = (typeof SUMMED)[number];

const byCount = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

export class SoakTally {
  ops = 0;
  dmaOps = 0;
  streams = 0;
  private readonly mix: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private readonly dmaDomains: Record<string, number> = {};
  private readonly sums = Object.fromEntries(SUMMED.map((k) => [k, 0])) as Record<Summed, number>;
  private maxDepot = 0;
  private trims = 0;
  private allocFailures = 0;
  private lastRows = new Map<number, Record<Summed, number>>();
  private last: Snapshot | undefined;

  /** Counts one op both engines agreed on; `snap` is the snapshot after it. */
  op(op: StreamOp, a: Outcome, snap: Snapshot): void {
    this.ops++;
    if (DMA_KINDS.has(op.k)) this.dmaOps++;
    this.mix[op.k] = (this.mix[op.k] ?? 0) + 1;
    if ('error' in a) this.errors[a.error] = (this.errors[a.error] ?? 0) + 1;
    else if ((op.k === 'allocFast' || op.k === 'alloc') && a.value === '0') this.allocFailures++;
    else if (op.k === 'createDma') this.created(op.type);
    if (snap.magazines.depot > this.maxDepot) this.maxDepot = snap.magazines.depot;
    for (const d of snap.domains) this.lastRows.set(d.id, d);
    this.last = snap;
  }

  private created(type: DmaDomainType): void {
    this.dmaDomains[type] = (this.dmaDomains[type] ?? 0) + 1;
  }

  /** Closes a stream: its domains' last counters and its trims join the totals. */
  endStream(): void {
    this.streams++;
    for (const row of this.lastRows.values()) for (const k of SUMMED) this.sums[k] += row[k];
    if (this.last) this.trims += this.last.classes.reduce((sum, c) => sum + c.depotTrims, 0);
    this.lastRows = new Map();
    this.last = undefined;
  }

  lines(): string[] {
    const s = this.sums;
    return [
      `op mix: ${byCount(this.mix)}`,
      `DMA domains created (stream lead and createDma ops): ${byCount(this.dmaDomains)}`,
      `DMA: ${s.maps} maps, ${s.unmaps} unmaps, ${s.timerExpiries} flush-queue timer expiries, ` +
        `${s.flushesFull} full-ring flushes, ${s.sacSwitched} SAC switches`,
      `max depot size (snapshot magazines.depot): ${this.maxDepot}`,
      `depot trims: ${this.trims}`,
      `flush-retries: ${s.flushRetries}`,
      `allocation failures (result 0): ${this.allocFailures}`,
      `errors by class: ${byCount(this.errors)}`,
    ];
  }
}
