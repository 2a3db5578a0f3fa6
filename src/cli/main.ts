// The iova-lab command line. Usage errors (bad options, unparsable lines) exit with status 2.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { IovaLabError } from '../errors.js';
import { clipLongWords, clipMessage } from '../share/echo.js';
import { TraceSyntaxError } from '../trace/parse.js';
import { TraceReplayError } from '../trace/replay.js';
import { captureCommand } from './capture.js';
import { compareCommand } from './compare.js';
import { explainCommand } from './explain.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { profilesCommand } from './profiles.js';
import { recordCommand } from './record.js';
import { replayCommand } from './replay.js';
import { UsageError } from './options.js';
import { OutputError, StdoutClosedError, writeStdout } from './output.js';
import type { ProgressStream } from './progress.js';
import { simulateCommand } from './simulate.js';

/** The version in package.json (two levels up from both src/cli/ and dist/cli/). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** `out` gets the report (stdout); `progress` the progress bar, drawn only if it is a TTY (stderr). */
export function buildProgram(
  out: (text: string) => void = writeStdout,
  progress: ProgressStream = process.stderr,
): Command {
  const program = new Command('iova-lab')
    .description('userspace lab for the Linux IOVA allocator and its per-CPU magazine cache')
    .version(packageVersion(), '-V, --version', 'print the iova-lab version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const cmd of [
    simulateCommand(out, progress),
    explainCommand(out),
    replayCommand(out, progress),
    compareCommand(out, progress),
    profilesCommand(out),
    inspectCommand(out),
    captureCommand(out),
    importCommand(out),
    recordCommand(out),
  ]) {
    program.addCommand(cmd.exitOverride());
  }
  // commander repeats a bad value whole in its message: keep any long run of it short
  const clipErrors = (cmd: Command): void => {
    cmd.configureOutput({ outputError: (text, write) => write(clipLongWords(text)) });
    cmd.commands.forEach(clipErrors);
  };
  clipErrors(program);
  return program;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (or the help / version text)
      return e.exitCode === 0 ? 0 : 2;
    }
    // The reader went away (`| head`): the run ends quietly, like other Unix tools.
    if (e instanceof StdoutClosedError) return 0;
    if (e instanceof OutputError) {
      process.stderr.write(`iova-lab: ${clipMessage(e.message)}\n`);
      return 1;
    }
    if (e instanceof TraceReplayError) {
      // the trace was well-formed but the engine rejected an op
      process.stderr.write(`iova-lab: ${clipMessage(e.message)}\n`);
      return 1;
    }
    if (e instanceof UsageError || e instanceof IovaLabError || e instanceof TraceSyntaxError) {
      process.stderr.write(`iova-lab: ${clipMessage(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`iova-lab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

// `node dist/cli/main.js …` runs it directly; bin/iova-lab.js imports main() instead.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
