// /proc/version → the kernel release and the profile that describes it (src/profiles resolves
// any release from v4.7 on to its rcache design).
import type { ProfileName } from '../policy.js';
import { compareReleases, FIRST_RCACHE_RELEASE, versionName } from '../profiles/versions.js';

export interface KernelVersion {
  major: number;
  minor: number;
  release: string;
}

/** "Linux version 6.8.0-45-generic (…)" → 6.8; undefined when the text names no version. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = /Linux version ((\d+)\.(\d+)\S*)/.exec(text);
  return m ? { release: m[1], major: Number(m[2]), minor: Number(m[3]) } : undefined;
}

/** The profile of a running kernel ("v6.8"); undefined before v4.7 (no rcache). */
export function profileForKernel(v: Pick<KernelVersion, 'major' | 'minor'>): ProfileName | undefined {
  const release = { major: v.major, minor: v.minor, patch: null };
  return compareReleases(release, FIRST_RCACHE_RELEASE) < 0 ? undefined : versionName(release);
}
