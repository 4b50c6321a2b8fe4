/**
 * Entry point of `verge`. One registry of commands, each in its own file; this is
 * the only place that ends the process with an exit code.
 */
import { errorMessage, isVergeError } from '../util/errors.ts';
import type { Command } from './command.ts';
import { versionCommand } from './version.ts';
import { upCommand } from './up.ts';
import { serverCommand } from './server.ts';
import { tokenCommand } from './token.ts';
import { edgeCommand } from './edge.ts';

const commands: Command[] = [serverCommand, edgeCommand, tokenCommand, upCommand, versionCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'verge: Kubernetes-native edge computing in one program.',
    '',
    'Usage: verge <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'verge <command> --help' for a command's options.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version') return versionCommand.run([]);
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`verge: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`verge: ${isVergeError(err) ? err.message : errorMessage(err)}`);
  if (!isVergeError(err) && process.env.VERGE_DEBUG) console.error(err);
  process.exitCode = 1;
}
