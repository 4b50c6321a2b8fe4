import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidError } from '../util/errors.ts';

/**
 * One `verge` subcommand. `run` resolves to the process exit code. Names and
 * summaries live in main.ts's registry, which loads a command's module only
 * when it runs (an edge agent never loads the API server).
 */
export interface Command {
  run(args: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Config<O extends Options> = {
  args: string[];
  options: O;
  allowPositionals: true;
  strict: true;
};
export type Flags<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

/**
 * Parses a command's flags with node:util's parser, turning its errors into
 * `InvalidError` (printed as `verge: ...`, exit 1). Prints `help` and returns
 * undefined when asked for it.
 */
export function parseFlags<const O extends Options>(
  command: string,
  args: string[],
  options: O,
  help: string,
): Flags<O> | undefined {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(help);
    return undefined;
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new InvalidError(`${command}: ${(cause as Error).message}\n\n${help}`, { cause });
  }
}
