/**
 * The `layernas` command line. Every command is one file in ./commands exporting a yargs CommandModule and is
 * listed here explicitly. Errors: a LayernasError prints `error [CODE]: message` on stderr and exits with
 * `exitCodeFor` (2 = bad input, 1 = runtime failure); usage errors exit 2; anything else is a bug (stack, exit 1).
 */
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { dataLocations } from '../core/locations.js';
import { exitCodeFor, LayernasError } from '../core/errors.js';
import { costCommand } from './commands/cost.js';
import { zooCommand } from './commands/zoo.js';
import { profileCommand } from './commands/profile.js';
import { workerCommand } from './commands/worker.js';
import { verifyCommand } from './commands/verify.js';
import { targetsCommand } from './commands/targets.js';
import { searchCommand } from './commands/search.js';
import { benchmarkCommand } from './commands/benchmark.js';
import { designCommand } from './commands/design.js';
import { exportCommand } from './commands/export.js';
import { trainCommand } from './commands/train.js';

/** the package version (package.json next to the sources or the compiled files) */
export function layernasVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(dataLocations().packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface CliIo {
  readonly stderr: (text: string) => void;
}

const defaultIo: CliIo = { stderr: (t) => process.stderr.write(t) };

/** Runs the CLI on `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const cli = yargs([...argv])
    .scriptName('layernas')
    .usage('$0 <command> [options]')
    .command(costCommand)
    .command(zooCommand)
    .command(profileCommand)
    .command(workerCommand)
    .command(verifyCommand)
    .command(targetsCommand)
    .command(searchCommand)
    .command(benchmarkCommand)
    .command(designCommand)
    .command(exportCommand)
    .command(trainCommand)
    .demandCommand(1, 'give a command (see --help)')
    .strict()
    .help()
    .alias('h', 'help')
    .version(layernasVersion())
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns) : null)
    .exitProcess(false)
    .fail((message: string | null, error: Error | undefined) => {
      // validation failures (unknown command/option, missing argument) come with a message and no error
      if (error) throw error;
      throw new LayernasError('USAGE', `${message ?? 'invalid usage'}\nrun 'layernas --help' for the commands and options`);
    });
  try {
    await cli.parseAsync();
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof LayernasError) {
    io.stderr(`error [${e.code}]: ${e.message}\n`);
    return exitCodeFor(e);
  }
  io.stderr(`internal error (a bug in layernas, please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
