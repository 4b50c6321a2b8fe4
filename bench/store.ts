/**
 * Store benchmark. Prints one JSON object per measurement on stdout, then a
 * summary table on stderr.
 *
 *   node bench/store.ts [--quick]
 *
 * 1. Creates/s of 1 KiB objects: raw single-row INSERT transactions in node:sqlite
 *    vs the store, in the same run, with the same durability settings (WAL,
 *    synchronous FULL and NORMAL, exclusive locking). The store is measured with
 *    one write at a time and with 64 in flight (where group commit shares fsyncs).
 * 2. list of 10,000 objects (the whole prefix, and in pages of 500).
 * 3. Watch latency from the write call to delivery at each of 100 watchers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteStore, type SqliteStoreOptions } from '../src/store/sqlite/sqlite-store.ts';
import { percentile, report, machine } from './report.ts';

const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'verge-bench-store-'));
const value = JSON.stringify({ kind: 'ConfigMap', data: { v: 'x'.repeat(1000) } }).slice(0, 1024);
let fileNo = 0;
const nextPath = (): string => join(dir, `b${fileNo++}.db`);
const seconds = quick ? 0.5 : 2;

function rawInserts(sync: 'FULL' | 'NORMAL'): number {
  const db = new DatabaseSync(nextPath());
  db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync};
    CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO t (key, value) VALUES (?, ?)');
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    db.exec('BEGIN');
    insert.run(`/registry/core/configmaps/default/cm-${n}`, value);
    db.exec('COMMIT');
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

async function storeCreates(
  sync: SqliteStoreOptions['synchronous'],
  inFlight: number,
): Promise<number> {
  const store = await openSqliteStore({
    path: nextPath(),
    synchronous: sync,
    compaction: { intervalMs: 0 },
  });
  let n = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await store.create(`/registry/core/configmaps/default/cm-${n++}`, value);
      }
    }),
  );
  const rate = n / ((performance.now() - start) / 1000);
  await store.close();
  return rate;
}

async function listBench(): Promise<void> {
  const store = await openSqliteStore({
    path: nextPath(),
    synchronous: 'normal',
    compaction: { intervalMs: 0 },
  });
  const count = 10_000;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.create(`/registry/core/pods/ns${i % 10}/pod-${String(i).padStart(5, '0')}`, value),
    ),
  );
  // A few thousand updates so that snapshot pages have history to skip.
  await Promise.all(
    Array.from({ length: 2000 }, (_, i) =>
      store.update(`/registry/core/pods/ns${i % 10}/pod-${String(i).padStart(5, '0')}`, value),
    ),
  );
  const full: number[] = [];
  const paged: number[] = [];
  for (let round = 0; round < (quick ? 3 : 7); round++) {
    let t = performance.now();
    const all = await store.list('/registry/core/pods/');
    full.push(performance.now() - t);
    if (all.items.length !== count) throw new Error(`listed ${all.items.length}`);
    t = performance.now();
    let token: string | undefined;
    let seen = 0;
    do {
      const page = await store.list('/registry/core/pods/', { limit: 500, continueToken: token });
      seen += page.items.length;
      token = page.continueToken;
      // A write between pages moves the store on, so later pages read the snapshot.
      if (token) await store.update('/registry/core/pods/ns0/pod-00000', value);
    } while (token);
    paged.push(performance.now() - t);
    if (seen !== count) throw new Error(`paged ${seen}`);
  }
  report({ bench: 'store.list', objects: count, ms_p50: percentile(full, 50), unit: 'ms' });
  report({
    bench: 'store.list.paged500',
    objects: count,
    ms_p50: percentile(paged, 50),
    unit: 'ms',
  });
  await store.close();
}

async function watchBench(): Promise<void> {
  const store = await openSqliteStore({
    path: nextPath(),
    synchronous: 'full',
    compaction: { intervalMs: 0 },
  });
  const watchers = 100;
  const writes = quick ? 200 : 1000;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const done = Promise.all(
    Array.from({ length: watchers }, async () => {
      const w = await store.watch('/registry/core/configmaps/', 0);
      let seen = 0;
      for await (const e of w) {
        latencies.push(
          performance.now() - sentAt.get(Number(e.key.slice(e.key.lastIndexOf('-') + 1)))!,
        );
        if (++seen === writes) break;
      }
    }),
  );
  // Let every watcher go live before writing.
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < writes; i++) {
    sentAt.set(i, performance.now());
    await store.create(`/registry/core/configmaps/default/cm-${i}`, value);
  }
  await done;
  report({
    bench: 'store.watch.latency',
    watchers,
    writes,
    ms_p50: percentile(latencies, 50),
    ms_p99: percentile(latencies, 99),
    unit: 'ms',
  });
  await store.close();
}

try {
  console.error(`machine: ${machine()}`);
  for (const sync of ['FULL', 'NORMAL'] as const) {
    const raw = rawInserts(sync);
    const seq = await storeCreates(sync === 'FULL' ? 'full' : 'normal', 1);
    const par = await storeCreates(sync === 'FULL' ? 'full' : 'normal', 64);
    report({ bench: `store.create.raw_sqlite.${sync}`, per_s: raw, unit: 'creates/s' });
    report({
      bench: `store.create.sequential.${sync}`,
      per_s: seq,
      ratio_to_raw: seq / raw,
      unit: 'creates/s',
    });
    report({
      bench: `store.create.64_in_flight.${sync}`,
      per_s: par,
      ratio_to_raw: par / raw,
      unit: 'creates/s',
    });
  }
  await listBench();
  await watchBench();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
