// Kernel cpulists as in /sys/devices/system/cpu/{possible,online}: "0-127", "0-1,3", "0",
// and the strided form "0-15:2/4" (of each group of 4 starting at 0..15, the first 2).
import { IovaLabError } from '../errors.js';

export class CpulistError extends IovaLabError {
  override name = 'CpulistError';
}

/** The CPU ids a cpulist names, ascending and distinct. */
export function parseCpulist(text: string): number[] {
  const ids = new Set<number>();
  const s = text.trim();
  if (s.length === 0) return [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/.exec(part.trim());
    if (!m) throw new CpulistError(`cannot read cpulist "${s}": bad part "${part}"`, -1);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (hi < lo || group < 1 || used < 1 || used > group || hi > 1 << 20) {
      throw new CpulistError(`cannot read cpulist "${s}": bad range "${part}"`, -1);
    }
    for (let base = lo; base <= hi; base += group) {
      for (let c = base; c < base + used && c <= hi; c++) ids.add(c);
    }
  }
  return [...ids].sort((a, b) => a - b);
}
