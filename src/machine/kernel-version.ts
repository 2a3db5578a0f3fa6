// /proc/version → the kernel release and the rcache profile that describes it.
// (A local mapping; the profile table itself is src/policy.ts.)
import type { ProfileName } from '../policy.js';

export interface KernelVersion { major: number; minor: number; release: string }

/** "Linux version 6.8.0-45-generic (…)" → 6.8; undefined when the text names no version. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = /Linux version ((\d+)\.(\d+)\S*)/.exec(text);
  return m ? { release: m[1]!, major: Number(m[2]), minor: Number(m[3]) } : undefined;
}

/**
 * The profile whose rcache matches a kernel: named magazines from 6.9 (v6.8 profile), the trimmed
 * depot list with the rcache array in kmalloc-1k in 6.7–6.8, 127-PFN magazines from 6.0, the
 * original design from 4.7; undefined before 4.7 (no rcache).
 */
export function profileForKernel(v: Pick<KernelVersion, 'major' | 'minor'>): ProfileName | undefined {
  const at = v.major * 1000 + v.minor;
  if (at >= 6009) return 'v6.8';
  if (at >= 6007) return 'v6.7';
  if (at >= 6000) return 'v6.0';
  if (at >= 4007) return 'v4.7';
  return undefined;
}
