// Hotplug refusals are symmetric on both engines: onlining an online CPU and offlining an offline
// one are the same kind of error (CpuStateError), each with its own status and a message saying
// which state the CPU is already in, and neither changes the lab.
import { describe, expect, it } from 'vitest';
import { CpuStateError, Status } from '../src/errors.js';
import type { IovaLab } from '../src/lab.js';
import { ENGINES, newLab } from './support/labs.js';

/** The error `call` throws; the lab's snapshot is the same before and after. */
function refusal(lab: IovaLab, call: () => void): CpuStateError {
  const before = lab.snapshot();
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(CpuStateError);
  expect(lab.snapshot()).toEqual(before);
  return thrown as CpuStateError;
}

describe.each(ENGINES)('%s engine: hotplug refusals', (engine) => {
  it('onlining an online CPU says "already online"; offlining an offline one "already offline"', async () => {
    using lab = await newLab(engine, { possibleCpus: 4 });
    lab.cpuOffline(3);
    const online = refusal(lab, () => lab.cpuOnline(2));
    const offline = refusal(lab, () => lab.cpuOffline(3));
    expect([online.status, offline.status]).toEqual([Status.CPU_ALREADY_ONLINE, Status.CPU_ALREADY_OFFLINE]);
    expect(online.message).toBe('CPU is already online: cpu 2');
    expect(offline.message).toBe('CPU is already offline: cpu 3');
    lab.cpuOnline(3); // both refusals left the lab as it was: the CPU comes back
    expect(lab.snapshot().onlineCpus).toBe(4);
  });

  // With one CPU online, offlining can be refused for either cause; each has its own status.
  it('with one CPU online: an offline CPU is "already offline", the online one is the last', async () => {
    using lab = await newLab(engine, { possibleCpus: 2, onlineCpus: 1 });
    const offline = refusal(lab, () => lab.cpuOffline(1));
    const last = refusal(lab, () => lab.cpuOffline(0));
    expect([offline.status, last.status]).toEqual([Status.CPU_ALREADY_OFFLINE, Status.LAST_ONLINE_CPU]);
    expect(offline.message).toBe('CPU is already offline: cpu 1');
    expect(last.message).toBe('the last online CPU stays online: cpu 0');
    expect(refusal(lab, () => lab.cpuOnline(0)).message).toBe('CPU is already online: cpu 0');
  });
});
