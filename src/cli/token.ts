import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidError, isNotFound } from '../util/errors.ts';
import { parseDuration } from '../util/duration.ts';
import { rfc3339 } from '../util/time.ts';
import { TokenStore, certificateHash, type TokenInfo } from '../pki/index.ts';
import { parseFlags, type Command } from './command.ts';

const HELP = `Usage: verge token <command> --data-dir DIR [options]

Join tokens let edge nodes join the cluster: a node presents one to get its
certificate. A token is V1.<sha256 of the cluster CA>.<id>.<secret>; only its id
is shown after it is created (the secret is stored hashed). Works whether or not
verge server is running. See docs/joining-nodes.md.

Commands:
  create   make a token and print it
  list     show tokens (never their secrets)
  delete   revoke a token by id

Run 'verge token <command> --help' for its options.`;

const CREATE_HELP = `Usage: verge token create --data-dir DIR [options]

Makes a join token and prints it (once: it cannot be shown again).

Options:
  --data-dir DIR        the server's data directory (required)
  --node NAME           only this node name may join with the token (default: any)
  --ttl D               lifetime, e.g. 30m, 24h, 7d (default 24h)
  --uses N              number of joins it allows (default: unlimited until it expires)
  --description TEXT    shown by 'verge token list'
  -h, --help            this help`;

const LIST_HELP = `Usage: verge token list --data-dir DIR

Shows tokens that are not revoked, with expired and used-up ones until a day
after they expire. Columns: ID NODE USES-LEFT EXPIRES DESCRIPTION.

Options:
  --data-dir DIR        the server's data directory (required)
  -h, --help            this help`;

const DELETE_HELP = `Usage: verge token delete --data-dir DIR ID

Revokes a token: no node can join with it afterwards. Nodes that joined with it
keep their certificates.

Options:
  --data-dir DIR        the server's data directory (required)
  -h, --help            this help`;

const DATA_DIR = { 'data-dir': { type: 'string' } } as const;

export const tokenCommand: Command = {
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'create':
        return create(rest);
      case 'list':
        return list(rest);
      case 'delete':
        return remove(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return sub === undefined ? 2 : 0;
      default:
        console.error(`verge token: unknown command ${JSON.stringify(sub)}\n\n${HELP}`);
        return 2;
    }
  },
};

async function create(args: string[]): Promise<number> {
  const flags = parseFlags(
    'token create',
    args,
    {
      ...DATA_DIR,
      node: { type: 'string' },
      ttl: { type: 'string' },
      uses: { type: 'string' },
      description: { type: 'string' },
    },
    CREATE_HELP,
  );
  if (!flags) return 0;
  noPositionals('token create', flags.positionals, CREATE_HELP);
  const v = flags.values;
  const dataDir = requireDataDir('token create', v['data-dir'], CREATE_HELP);
  const caHash = certificateHash(await readCa(dataDir));
  let uses: number | undefined;
  if (v.uses !== undefined) {
    if (!/^[1-9]\d*$/.test(v.uses)) {
      throw new InvalidError(`--uses: not a whole number of at least 1: ${JSON.stringify(v.uses)}`);
    }
    uses = Number(v.uses);
  }
  using store = TokenStore.open(dataDir);
  const { token } = store.create({
    caHash,
    node: v.node,
    ttlMs: v.ttl === undefined ? undefined : parseDuration(v.ttl, '--ttl'),
    uses,
    description: v.description,
  });
  console.log(token);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const flags = parseFlags('token list', args, DATA_DIR, LIST_HELP);
  if (!flags) return 0;
  noPositionals('token list', flags.positionals, LIST_HELP);
  const dataDir = requireDataDir('token list', flags.values['data-dir'], LIST_HELP);
  await readCa(dataDir);
  using store = TokenStore.open(dataDir);
  const tokens = store.list();
  if (tokens.length === 0) {
    console.error(`No join tokens in ${dataDir}.`);
    return 0;
  }
  console.log(formatTable(tokens, new Date()));
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const flags = parseFlags('token delete', args, DATA_DIR, DELETE_HELP);
  if (!flags) return 0;
  const dataDir = requireDataDir('token delete', flags.values['data-dir'], DELETE_HELP);
  if (flags.positionals.length !== 1) {
    throw new InvalidError(`token delete: give exactly one token ID\n\n${DELETE_HELP}`);
  }
  const id = flags.positionals[0];
  await readCa(dataDir);
  using store = TokenStore.open(dataDir);
  try {
    store.revoke(id);
  } catch (err) {
    if (isNotFound(err)) {
      throw new InvalidError(`token delete: no token ${id} (see verge token list)`, { cause: err });
    }
    throw err;
  }
  console.log(`token ${id} deleted`);
  return 0;
}

/** ID NODE USES-LEFT EXPIRES DESCRIPTION, columns padded as kubectl does. */
export function formatTable(tokens: TokenInfo[], now: Date): string {
  const rows = [
    ['ID', 'NODE', 'USES-LEFT', 'EXPIRES', 'DESCRIPTION'],
    ...tokens.map((t) => [
      t.id,
      t.node ?? '<any>',
      t.usesLeft === undefined ? 'unlimited' : String(t.usesLeft),
      rfc3339(t.expires) + (t.expires.getTime() <= now.getTime() ? ' (expired)' : ''),
      t.description,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

function requireDataDir(command: string, value: string | undefined, help: string): string {
  if (!value) throw new InvalidError(`${command}: --data-dir is required\n\n${help}`);
  return resolve(value);
}

function noPositionals(command: string, positionals: string[], help: string): void {
  if (positionals.length > 0) {
    throw new InvalidError(
      `${command}: unexpected argument ${JSON.stringify(positionals[0])}\n\n${help}`,
    );
  }
}

/** The CA certificate the server made in `<dataDir>/pki`; a clear error when there is none yet. */
async function readCa(dataDir: string): Promise<string> {
  const path = join(dataDir, 'pki', 'ca.crt');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidError(
        `${dataDir} has no cluster CA (${path}): run verge server --data-dir ${dataDir} first`,
        { cause: err },
      );
    }
    throw new InvalidError(`${path}: cannot be read (${(err as Error).message})`, { cause: err });
  }
}
