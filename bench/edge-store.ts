/**
 * Edge database benchmark (src/edge/local-store.ts, src/edge/outbox.ts). Prints one
 * JSON object per measurement on stdout, a readable line per measurement on stderr.
 *
 *   node bench/edge-store.ts [--quick]
 *
 * For synchronous FULL (the default) and NORMAL, in the same run:
 * 1. LocalStore.apply of 10,000 1 KiB ConfigMaps, one per apply and 100 per apply,
 *    against raw node:sqlite transactions of one and of 100 single-row INSERTs with
 *    the same settings (WAL, exclusive locking): `ratio` = store rate / raw rate.
 *    The raw rows are a pre-serialized string in a table with no index; the store
 *    also validates, serializes, looks up the current version (no-op check) and
 *    keeps a unique (kind, namespace, name) index.
 * 2. inventory() of the 10,000 objects, against the raw SELECT of the same columns;
 *    list() of them all; the file size.
 * 3. Outbox put+ack pairs/s (two transactions each), against raw single-row INSERT
 *    transactions (`ratio` = transactions/s of put+ack over raw transactions/s).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LocalStore, openEdgeDatabase, type LocalChange } from '../src/edge/local-store.ts';
import { Outbox } from '../src/edge/outbox.ts';
import { silentLogger } from '../src/util/log.ts';
import { machine, percentile, report } from './report.ts';

const quick = process.argv.includes('--quick');
const count = quick ? 2_000 : 10_000;
const seconds = quick ? 1 : 3;
const dir = mkdtempSync(join(tmpdir(), 'verge-bench-edge-'));
let fileNo = 0;
const nextPath = (): string => join(dir, `e${fileNo++}.db`);
const log = silentLogger();

function configMap(i: number, rv: number): LocalChange {
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `cm-${String(i).padStart(5, '0')}`,
      namespace: `ns${i % 10}`,
      uid: `6f1c2a1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(rv),
    },
    data: { v: '' },
  };
  // Pad to 1 KiB of JSON.
  object.data.v = 'x'.repeat(1024 - JSON.stringify(object).length);
  return { type: 'put', kind: 'ConfigMap', object };
}

const value = JSON.stringify((configMap(0, 1) as { object: unknown }).object);

/** Raw node:sqlite: `rows` transactions of `perTx` single-row INSERTs. Rows/s. */
function raw(sync: 'FULL' | 'NORMAL', perTx: number, rows: number): number {
  const path = nextPath();
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync};
    CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO t (key, value) VALUES (?, ?)');
  const start = performance.now();
  for (let i = 0; i < rows; i += perTx) {
    db.exec('BEGIN IMMEDIATE');
    for (let j = i; j < i + perTx; j++) insert.run(`ConfigMap/ns${j % 10}/cm-${j}`, value);
    db.exec('COMMIT');
  }
  const rate = rows / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

/** Raw node:sqlite single-row INSERT transactions for `seconds`. Transactions/s. */
function rawTimed(sync: 'FULL' | 'NORMAL'): number {
  const db = new DatabaseSync(nextPath());
  db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync};
    CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO t (key, value) VALUES (?, ?)');
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    db.exec('BEGIN IMMEDIATE');
    insert.run(`event/${n}`, '{"reason":"Started","message":"Started container app"}');
    db.exec('COMMIT');
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

function applyBench(synchronous: 'full' | 'normal', perApply: number): number {
  const edb = openEdgeDatabase(nextPath(), { synchronous });
  const store = new LocalStore(edb, { log });
  const changes = Array.from({ length: count }, (_, i) => configMap(i, i + 1));
  const start = performance.now();
  for (let i = 0; i < count; i += perApply) store.apply(changes.slice(i, i + perApply));
  const rate = count / ((performance.now() - start) / 1000);
  edb.close();
  return rate;
}

function inventoryBench(): void {
  const path = nextPath();
  const edb = openEdgeDatabase(path, { synchronous: 'normal' });
  const store = new LocalStore(edb, { log });
  for (let i = 0; i < count; i += 500) {
    store.apply(Array.from({ length: 500 }, (_, j) => configMap(i + j, i + j + 1)));
  }
  const rawSelect = edb.db.prepare('SELECT kind, namespace, name, resource_version FROM objects');
  rawSelect.setReturnArrays(true);
  const time = (fn: () => unknown): number[] => {
    fn(); // warm the page cache
    return Array.from({ length: 20 }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    });
  };
  const ours = time(() => store.inventory());
  const theirs = time(() => rawSelect.all());
  const p50 = percentile(ours, 50);
  const rawP50 = percentile(theirs, 50);
  report({
    bench: 'edge inventory',
    objects: count,
    p50Ms: p50,
    p99Ms: percentile(ours, 99),
    rawSelectP50Ms: rawP50,
    ratio: rawP50 / p50,
    jsonBytes: JSON.stringify(store.inventory()).length,
  });
  const t = performance.now();
  const all = store.list('ConfigMap');
  report({ bench: 'edge list all', objects: all.length, ms: performance.now() - t });
  edb.close(); // checkpoints the WAL into the file
  report({ bench: 'edge file size', objects: count, fileMiB: statSync(path).size / 2 ** 20 });
}

function outboxBench(synchronous: 'full' | 'normal'): number {
  const edb = openEdgeDatabase(nextPath(), { synchronous });
  const outbox = new Outbox(edb, { log });
  const payload = { reason: 'Started', message: 'Started container app' };
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const key = `event/${n}`;
    const seq = outbox.put({ key, kind: 'event', payload });
    outbox.ack(key, seq);
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  edb.close();
  return rate;
}

try {
  process.stderr.write(`${machine()}\n`);
  for (const sync of ['full', 'normal'] as const) {
    const SYNC = sync === 'full' ? 'FULL' : 'NORMAL';
    for (const perApply of [1, 100]) {
      const rawRate = raw(SYNC, perApply, count);
      const rate = applyBench(sync, perApply);
      report({
        bench: `edge apply x${perApply}`,
        synchronous: sync,
        objects: count,
        objectsPerSec: rate,
        rawInsertsPerSec: rawRate,
        ratio: rate / rawRate,
      });
    }
    const rawTx = rawTimed(SYNC);
    const pairs = outboxBench(sync);
    report({
      bench: 'edge outbox put+ack',
      synchronous: sync,
      pairsPerSec: pairs,
      rawTxPerSec: rawTx,
      ratio: (2 * pairs) / rawTx,
    });
  }
  inventoryBench();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
