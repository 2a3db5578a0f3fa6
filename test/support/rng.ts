// The one seeded random generator of the tests and benchmarks: the workloads' own PRNG
// (src/workloads), so a seed means the same sequence everywhere.
import { seededRandom } from '../../src/workloads/index.js';

export { seededRandom };

/** A seeded source of integers in [0, n). */
export function randomInt(seed: number): (n: number) => number {
  const next = seededRandom(seed);
  return (n) => Math.floor(next() * n);
}
