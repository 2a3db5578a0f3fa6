// The iova-lab command line. Usage errors (bad options, unparsable lines) exit with status 2.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { IovaLabError } from '../errors.js';
import { clipLongWords, clipMessage } from '../share/echo.js';
import { UsageError } from './options.js';
import { OutputError, StdoutClosedError, writeStdout } from './output.js';
import type { ProgressStream } from './progress.js';

type Out = (text: string) => void;

/**
 * Every command, in help order, each loaded from its module only when the program needs it: a run
 * of one command imports that command's code alone (module loading is most of a short run's time).
 */
const COMMANDS: Record<string, (out: Out, progress: ProgressStream) => Promise<Command>> = {
  simulate: async (out, progress) => (await import('./simulate.js')).simulateCommand(out, progress),
  explain: async (out) => (await import('./explain.js')).explainCommand(out),
  replay: async (out, progress) => (await import('./replay.js')).replayCommand(out, progress),
  compare: async (out, progress) => (await import('./compare.js')).compareCommand(out, progress),
  profiles: async (out) => (await import('./profiles.js')).profilesCommand(out),
  inspect: async (out) => (await import('./inspect.js')).inspectCommand(out),
  capture: async (out) => (await import('./capture.js')).captureCommand(out),
  import: async (out) => (await import('./import.js')).importCommand(out),
  record: async (out) => (await import('./record.js')).recordCommand(out),
};

/** The version in package.json (two levels up from both src/cli/ and dist/cli/). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/**
 * `out` gets the report (stdout); `progress` the progress bar, drawn only if it is a TTY (stderr).
 * With `only`, the program holds just that command (enough to parse a command line naming it).
 */
export async function buildProgram(
  out: Out = writeStdout,
  progress: ProgressStream = process.stderr,
  only?: string,
): Promise<Command> {
  const program = new Command('iova-lab')
    .description('userspace lab for the Linux IOVA allocator and its per-CPU magazine cache')
    .version(packageVersion(), '-V, --version', 'print the iova-lab version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const names = only === undefined ? Object.keys(COMMANDS) : [only];
  for (const cmd of await Promise.all(names.map((name) => COMMANDS[name](out, progress)))) {
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
  // argv[2] names the command unless it is an option or help: then the whole program parses it
  const command = argv[2];
  const only = command !== undefined && Object.hasOwn(COMMANDS, command) ? command : undefined;
  try {
    await (await buildProgram(writeStdout, process.stderr, only)).parseAsync(argv);
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
    // the trace modules are loaded here, not up front: most commands never read a trace
    const [{ TraceSyntaxError }, { TraceReplayError }] = await Promise.all([
      import('../trace/parse.js'),
      import('../trace/replay.js'),
    ]);
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
