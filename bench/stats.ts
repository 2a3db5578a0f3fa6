// Small statistics for the benchmark: medians, per-round ratios and their ranges.

export interface Rep {
  cpuNs: number;
  wallNs: number;
}

/** The median (upper median for an even count). */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new RangeError('median of no values');
  return [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
}

/** Repetition 0 is the cold one; the rest are the steady state. */
export const steady = (reps: Rep[]): Rep[] => reps.slice(1);

/** When a measurement has enough steady repetitions: at least 3 totalling minNs of CPU, or
 * at least 1 totalling maxNs (the slow workloads, whose single repetition takes seconds). */
export function enoughReps(reps: Rep[], minNs: number, maxNs: number): boolean {
  const cpu = steady(reps).reduce((s, r) => s + r.cpuNs, 0);
  return (reps.length >= 4 && cpu >= minNs) || (reps.length >= 2 && cpu >= maxNs);
}

export interface Spread {
  med: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** "0.56 (0.52–0.60)": a median ratio and its range over the rounds. */
export const fmtSpread = (s: Spread): string => `${s.med.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
