/**
 * Runs `verge edge` as a real process for end-to-end tests, and reads what it
 * stored (after it stopped: the agent holds its database exclusively).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';

const VERGE = fileURLToPath(new URL('../../bin/verge', import.meta.url));

export interface EdgeProcess {
  child: ChildProcess;
  output: string[];
  /** Resolves with the first output line (from index `from` on) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

export function startEdge(args: string[], env: Record<string, string> = {}): EdgeProcess {
  const child = spawn(VERGE, ['edge', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VERGE_LOG_LEVEL: process.env.VERGE_LOG_LEVEL ?? 'warn', ...env },
  });
  const output: string[] = [];
  const waiters: Array<{ re: RegExp; from: number; resolve: (l: string) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      for (const w of [...waiters]) {
        if (output.length - 1 >= w.from && w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }
  return {
    child,
    output,
    exited,
    waitFor(re, timeoutMs = 30_000, from = 0) {
      const found = output.slice(from).find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`verge edge did not print ${re} in ${timeoutMs} ms:\n${output.join('\n')}`),
          );
        }, timeoutMs);
        waiters.push({
          re,
          from,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(`verge edge exited (${code}) before printing ${re}:\n${output.join('\n')}`),
          );
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `verge edge` to completion (for joins that must fail). */
export function runEdge(args: string[]): { code: number | null; output: string } {
  const r = spawnSync(VERGE, ['edge', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, VERGE_LOG_LEVEL: 'warn' },
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Runs `verge ARGS...`, which must succeed; returns its stdout. */
export function verge(args: string[]): string {
  const r = spawnSync(VERGE, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`verge ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** `verge token create ...`: returns the token. */
export function createToken(dataDir: string, extra: string[] = []): string {
  return verge(['token', 'create', '--data-dir', dataDir, ...extra])
    .trim()
    .split('\n')
    .pop()!
    .trim();
}

/** What an (idle) edge data dir holds: `Kind/ns/name` -> resourceVersion. */
export function edgeInventory(dataDir: string): Map<string, string> {
  const db = new DatabaseSync(join(dataDir, 'edge.db'), { readOnly: true });
  try {
    const rows = db
      .prepare('SELECT kind, namespace, name, resource_version FROM objects')
      .all() as Array<{ kind: string; namespace: string; name: string; resource_version: string }>;
    return new Map(rows.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r.resource_version]));
  } finally {
    db.close();
  }
}

/** An edge's stored object (read-only open; the agent must be stopped). */
export function edgeObject(dataDir: string, key: string): Record<string, unknown> | undefined {
  const [kind, namespace, ...rest] = key.split('/');
  const db = new DatabaseSync(join(dataDir, 'edge.db'), { readOnly: true });
  try {
    const row = db
      .prepare('SELECT value FROM objects WHERE kind = ? AND namespace = ? AND name = ?')
      .get(kind!, namespace!, rest.join('/')) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as Record<string, unknown>) : undefined;
  } finally {
    db.close();
  }
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
