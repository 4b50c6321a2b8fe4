/**
 * Entry point of `verge`. One registry of commands, each in its own file,
 * loaded only when it runs (so `verge edge` on a small machine does not load
 * the API server, and the other way round); this is the only place that ends
 * the process with an exit code.
 */
import { errorMessage, isVergeError } from '../util/errors.ts';
import type { Command } from './command.ts';

interface Entry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const commands: Entry[] = [
  {
    name: 'server',
    summary: 'run the control plane (Kubernetes API server)',
    load: async () => (await import('./server.ts')).serverCommand,
  },
  {
    name: 'edge',
    summary: 'run the edge agent on a node',
    load: async () => (await import('./edge.ts')).edgeCommand,
  },
  {
    name: 'token',
    summary: 'create, list and delete join tokens for edge nodes',
    load: async () => (await import('./token.ts')).tokenCommand,
  },
  {
    name: 'up',
    summary: 'run Verge locally for a first look (control plane and this machine as an edge node)',
    load: async () => (await import('./up.ts')).upCommand,
  },
  {
    name: 'version',
    summary: 'print the Verge version and the Kubernetes API version it serves',
    load: async () => (await import('./version.ts')).versionCommand,
  },
];

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
  if (name === '--version') return (await import('./version.ts')).versionCommand.run([]);
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) {
    console.error(`verge: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  return (await entry.load()).run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`verge: ${isVergeError(err) ? err.message : errorMessage(err)}`);
  if (!isVergeError(err) && process.env.VERGE_DEBUG) console.error(err);
  process.exitCode = 1;
}
