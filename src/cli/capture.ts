// `iova-lab capture [DIR]`: copy the files inspect reads into DIR for `inspect --root DIR`.
import { Command } from 'commander';
import { captureMachine } from '../machine/capture.js';
import { checkOutputDir, errnoOf, OutputError } from './output.js';

export function captureCommand(out: (text: string) => void): Command {
  return new Command('capture')
    .description('copy the files inspect reads (same relative paths) into DIR, to archive and send')
    .argument('[dir]', 'destination directory', 'iova-lab-capture')
    .option('--root <dir>', 'capture from a copy under DIR instead of /', '/')
    .action(async (dir: string, o: { root: string }) => {
      checkOutputDir('capture DIR', dir);
      let r;
      try {
        r = await captureMachine(dir, o.root);
      } catch (e) {
        // a full disk or a file in the way mid-copy: say so, keep what was copied
        throw new OutputError(`cannot capture into ${dir} (${errnoOf(e)}); what was copied before stays there`);
      }
      const files = r.copied.filter((a) => a.kind !== 'dir').length;
      out(`captured ${files} files and links into ${dir}\n`);
      for (const s of r.skipped) out(`not captured: /${s.path} (${s.status}${s.error ? `: ${s.error}` : ''})\n`);
      out(`read it back with: iova-lab inspect --root ${dir}\n`);
      // the archive keeps the links under /sys/kernel/slab; the playground reads it as it is
      out(`to send it or open it in the playground: tar -czf capture.tar.gz ${dir}\n`);
    });
}
