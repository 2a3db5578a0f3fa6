// `iova-lab inspect --root DIR` on a capture handed to the page: the archive of the capture folder
// or the folder's files. The same reading, assessment and text as the CLI's, from memory instead
// of the file system. Runs in the worker (and in Node for tests); no DOM here.
import { assessMachine } from '../../src/machine/assess.js';
import {
  CaptureFormatError,
  MAX_CAPTURE_BYTES,
  readCaptureArchive,
  underCaptureRoot,
  type CaptureEntries,
} from '../../src/machine/capture-archive.js';
import { capturedSource } from '../../src/machine/captured-source.js';
import { formatInspection } from '../../src/machine/format.js';
import { readMachine } from '../../src/machine/read.js';
import { inspectionScenario } from '../../src/share/inspect-link.js';
import { checkProfile } from '../../src/share/limits.js';
import { shellQuote } from '../../src/share/scenario-link.js';
import type { PlaygroundResult } from './run.js';

export type CaptureUpload =
  | { kind: 'archive'; name: string; file: Blob }
  /** A folder's files under their paths relative to the folder chosen (webkitRelativePath). */
  | { kind: 'folder'; files: Array<{ path: string; file: Blob }> };

async function entriesOf(upload: CaptureUpload): Promise<CaptureEntries> {
  if (upload.kind === 'archive') {
    return readCaptureArchive(new Uint8Array(await upload.file.arrayBuffer()), upload.name);
  }
  const total = upload.files.reduce((a, f) => a + f.file.size, 0);
  if (total > MAX_CAPTURE_BYTES) {
    throw new CaptureFormatError(`the folder has ${total} bytes; a capture has at most ${MAX_CAPTURE_BYTES}`, -1);
  }
  const files = await Promise.all(
    upload.files.map(async (f) => ({ path: f.path, kind: 'file' as const, text: await f.file.text() })),
  );
  return underCaptureRoot(files, 'the folder');
}

/** The command line that inspects the same capture. */
function commandLine(upload: CaptureUpload, root: string, profile: string | undefined): string {
  const dir = root.replace(/\/$/, '') || '.';
  const unpack = upload.kind === 'archive' ? `tar -xf ${shellQuote(upload.name)} && ` : '';
  const args = ['iova-lab', 'inspect', '--root', dir, ...(profile ? ['--profile', profile] : [])];
  return unpack + args.map(shellQuote).join(' ');
}

/** `inspect` on the capture; `profile` as the CLI's --profile (a bad one is refused with its message). */
export async function runInspect(upload: CaptureUpload, profile?: string): Promise<PlaygroundResult> {
  const given = profile === undefined ? undefined : checkProfile('--profile', profile);
  const { root, entries } = await entriesOf(upload);
  const inspection = assessMachine(await readMachine(capturedSource(entries)), given);
  return {
    sections: [{ id: 'inspection', title: 'inspection', text: formatInspection(inspection) }],
    charts: [],
    commandLine: commandLine(upload, root, given),
    derived: inspectionScenario(inspection),
  };
}
