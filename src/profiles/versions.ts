// Kernel version strings as users write them ("5.15", "v6.6", "6.12.3"): parsed, compared and
// printed in one canonical form ("v5.15", "v6.6", "v6.12.3"). The rcache exists from v4.7 on.
import { LabConfigError, Status } from '../errors.js';

export interface KernelVersion {
  major: number;
  minor: number;
  /** The stable release's third number; null for a mainline release such as 6.6. */
  patch: number | null;
}

/** The first release with the IOVA rcache: no profile exists below it. */
export const FIRST_RCACHE_RELEASE: KernelVersion = { major: 4, minor: 7, patch: null };

const VERSION = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?$/;

/** "v6.12.3" for 6.12.3, "v6.6" for 6.6. */
export function versionName(v: KernelVersion): string {
  return `v${v.major}.${v.minor}${v.patch === null ? '' : `.${v.patch}`}`;
}

/** Negative, zero or positive as a is older than, the same release as, or newer than b (patch ignored). */
export function compareReleases(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** A kernel version from 4.7 on; LabConfigError naming the text otherwise. */
export function parseKernelVersion(text: string): KernelVersion {
  const m = VERSION.exec(String(text).trim());
  if (!m) {
    throw new LabConfigError(
      `profile must be a kernel version such as 5.15, v6.6 or 6.12.3, got "${String(text)}"`,
      Status.LAB_CONFIG,
    );
  }
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? null : Number(m[3]) };
  if (compareReleases(v, FIRST_RCACHE_RELEASE) < 0) {
    throw new LabConfigError(
      `profile must be v4.7 or later (the first kernel with the IOVA rcache), got "${text}"`,
      Status.LAB_CONFIG,
    );
  }
  return v;
}

/** The release a mainline tag names: "v5.11" → {5, 11}. For the facet tables' own constants. */
export function release(tag: string): KernelVersion {
  const [major, minor] = tag.slice(1).split('.').map(Number) as [number, number];
  return { major, minor, patch: null };
}
