/**
 * The default store driver: one SQLite file through Node's built-in `node:sqlite`
 * (no native addon to build on a small ARM gateway).
 *
 * Layout: `log` holds every write (the revision is its primary key); `current`
 * maps each live key to the revision of its latest row. A create/update/delete is
 * a `log` insert plus a `current` change in one transaction, and nothing else: no
 * secondary index on `log`, no counter row, because each extra b-tree write costs
 * about as much as the insert itself. A delete's log row (a tombstone) carries the
 * deleted value so that watchers can report it. Each row links to the row it
 * replaced (`prev_rev`), which is all that older snapshots and compaction need.
 *
 * Writes are group-committed: writes queued in the same event-loop turn share one
 * transaction and one fsync, then their watch events are published in the same
 * synchronous step as the COMMIT (see src/store/watch.ts for why that matters).
 * Each write still succeeds or fails alone: its checks run before it writes
 * anything, and a storage error rolls back the whole batch and fails every write
 * in it, so nothing acknowledged is ever partial.
 *
 * One process owns the file (locking_mode=EXCLUSIVE, taken at open): a second
 * process gets a clear "locked" error instead of sharing a WAL it cannot see.
 */
import { readFileHeader, SQLITE_HEADER, sqliteError } from '../../util/sqlite.ts';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  isVergeError,
} from '../../util/errors.ts';
import {
  checkValueSize,
  compareKeys,
  decodeContinue,
  encodeContinue,
  prefixRange,
  validateKey,
  type KeyRange,
} from '../keys.ts';
import { RetentionPolicy, compactionOptions, startPeriodic } from '../retention.ts';
import {
  DEFAULT_MAX_VALUE_BYTES,
  type CompactResult,
  type CompactionOptions,
  type DeleteResult,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreOptions,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from '../store.ts';
import { WatchHub } from '../watch.ts';

export interface SqliteStoreOptions extends StoreOptions {
  /** The database file; created when missing. */
  path: string;
  /**
   * `full` (default) fsyncs the WAL at every commit, so an acknowledged write
   * survives power loss; `normal` survives a process crash only, for flash media
   * where fsync per commit costs too much.
   */
  synchronous?: 'full' | 'normal';
  /** How long to wait for a lock held by another process before failing. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` at open to refuse a corrupt file early. Default true. */
  quickCheck?: boolean;
  /** Most writes committed in one transaction. Default 1,000. */
  maxBatch?: number;
  /** Called with errors from background compaction. Default: ignore. */
  onBackgroundError?: (err: unknown) => void;
}

/** "VRGE": marks the file as ours (PRAGMA application_id). */
const APPLICATION_ID = 0x56524745;
const SCHEMA_VERSION = 1;

const OP_CREATE = 0;
const OP_UPDATE = 1;
const OP_DELETE = 2;

const SCHEMA = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  op INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER,
  value TEXT NOT NULL
);
CREATE TABLE current (key TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('compact_rev', 0), ('compacted_through', 0);
`;

/** Every statement the driver runs, by name. */
const SQL = {
  getMeta: `SELECT value FROM meta WHERE name = ?`,
  setMeta: `UPDATE meta SET value = ? WHERE name = ?`,
  begin: `BEGIN IMMEDIATE`,
  commit: `COMMIT`,
  exists: `SELECT 1 FROM current WHERE key = ?`,
  get: `SELECT l.rev, l.create_rev, l.value FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?`,
  insertLog: `INSERT INTO log (rev, key, op, create_rev, prev_rev, value) VALUES (?, ?, ?, ?, ?, ?)`,
  insertCurrent: `INSERT INTO current (key, rev) VALUES (?, ?)`,
  updateCurrent: `UPDATE current SET rev = ? WHERE key = ?`,
  deleteCurrent: `DELETE FROM current WHERE key = ?`,
  listFrom: `SELECT c.key, l.rev, l.create_rev, l.value FROM current c JOIN log l ON l.rev = c.rev
    WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?`,
  listAfter: `SELECT c.key, l.rev, l.create_rev, l.value FROM current c JOIN log l ON l.rev = c.rev
    WHERE c.key > ? AND c.key < ? ORDER BY c.key LIMIT ?`,
  countFrom: `SELECT COUNT(*) FROM current WHERE key >= ? AND key < ?`,
  countAfter: `SELECT COUNT(*) FROM current WHERE key > ? AND key < ?`,
  // A snapshot at an older revision R is the current state with every write after
  // R undone: the first write to a key after R names (prev_rev) its row at R.
  changedSince: `SELECT key, op, prev_rev FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev`,
  row: `SELECT key, rev, create_rev, value FROM log WHERE rev = ?`,
  maxRev: `SELECT MAX(rev) FROM log`,
  history: `SELECT l.rev, l.key, l.op, l.create_rev, l.prev_rev, l.value, p.value
    FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.op = 1
    WHERE l.rev > ? AND l.key >= ? AND l.key < ? ORDER BY l.rev LIMIT ?`,
  // Compaction works through the log in windows of at most batchSize rows: every
  // row in the window that has a predecessor supersedes it, and tombstones go too.
  compactWindowEnd: `SELECT rev FROM log WHERE rev > ? AND rev <= ? ORDER BY rev LIMIT 1 OFFSET ?`,
  compactSuperseded: `DELETE FROM log WHERE rev IN
    (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev IS NOT NULL)`,
  compactTombstones: `DELETE FROM log WHERE rev > ? AND rev <= ? AND op = 2`,
} as const;

type Statements = { [K in keyof typeof SQL]: StatementSync };

/** Statements return rows as arrays (setReturnArrays), in SELECT column order. */
type Row = unknown[];

function all(stmt: StatementSync, ...params: SQLInputValue[]): Row[] {
  return stmt.all(...params) as unknown as Row[];
}

function one(stmt: StatementSync, ...params: SQLInputValue[]): Row | undefined {
  return stmt.get(...params) as unknown as Row | undefined;
}

/** A (key, rev, create_rev, value) row as a KeyValue. */
function toKeyValue(r: Row): KeyValue {
  return {
    key: r[0] as string,
    modRevision: r[1] as number,
    createRevision: r[2] as number,
    value: r[3] as string,
  };
}

type PendingWrite =
  | { op: 'create'; key: string; value: string; settle: Settle<number> }
  | { op: 'update'; key: string; value: string; expected?: number; settle: Settle<number> }
  | { op: 'delete'; key: string; expected?: number; settle: Settle<DeleteResult> };

interface Settle<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** Translates a SQLite error into the store's closed set, naming the file. */
function storageError(path: string, what: string, err: unknown): Error {
  return sqliteError(
    path,
    what,
    err,
    `the database ${path} is locked by another process (is another verge running with this data directory?)`,
  );
}

/**
 * Opens (creating if needed) the store in `options.path`. Fails with `Invalid`
 * for a file that is not a Verge store or is corrupt (the file is never
 * modified), and with `Unavailable` when another process holds it.
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  try {
    return Promise.resolve(new SqliteStore(options));
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

export class SqliteStore implements Store {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #stmt: Statements;
  readonly #maxValueBytes: number;
  readonly #maxBatch: number;
  readonly #compaction: Required<CompactionOptions>;
  readonly #retention: RetentionPolicy;
  readonly #now: () => number;
  readonly #hub: WatchHub;
  readonly #stopCompaction: () => void;
  #revision = 0;
  #compactRev = 0;
  #compactedThrough = 0;
  #queue: PendingWrite[] = [];
  #flushScheduled = false;
  #flushed: (() => void)[] = [];
  #closed = false;
  #compactRunning: Promise<CompactResult> | undefined;

  constructor(options: SqliteStoreOptions) {
    const path = options.path;
    this.path = path;
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#compaction = compactionOptions(options.compaction);
    this.#now = options.now ?? Date.now;
    this.#retention = new RetentionPolicy(this.#compaction);

    const header = readFileHeader(path);
    if (header !== undefined && header !== SQLITE_HEADER) {
      throw new InvalidError(
        `cannot open store: ${path} is not a SQLite database (corrupt or a foreign file); it was left untouched`,
      );
    }
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw storageError(path, 'cannot open store', err);
    }
    this.#db = db;
    try {
      this.#initialize(options);
      this.#stmt = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => {
          const s = db.prepare(sql);
          s.setReturnArrays(true);
          return [name, s];
        }),
      ) as Statements;
      this.#compactRev = this.#meta('compact_rev');
      // Compaction may remove the newest row (a tombstone), but never above compact_rev.
      this.#revision = Math.max(Number(one(this.#stmt.maxRev)?.[0] ?? 0), this.#compactRev);
      this.#compactedThrough = this.#meta('compacted_through');
    } catch (err) {
      db.close();
      throw storageError(path, 'cannot open store', err);
    }
    this.#hub = new WatchHub({
      readHistory: (range, after, limit) => this.#readHistory(range, after, limit),
      historyFloor: () => this.#compactRev,
      currentRevision: () => this.#revision,
    });
    this.#retention.sample(this.#now(), this.#revision);
    this.#stopCompaction = startPeriodic(
      this.#compaction.intervalMs,
      () => this.#compactByPolicy(),
      options.onBackgroundError ?? (() => {}),
    );
  }

  #initialize(options: SqliteStoreOptions): void {
    const db = this.#db;
    const pragma = <T>(sql: string): T => db.prepare(sql).get() as T;
    // Settings written out rather than left to build defaults:
    // - EXCLUSIVE locking: this process owns the file; others get SQLITE_BUSY.
    // - busy_timeout: how long another process waits for us before its clear error.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Identify the file before writing anything to it: a foreign or corrupt file
    // must be left exactly as it was.
    const appId = pragma<{ application_id: number }>('PRAGMA application_id').application_id;
    const countTables = (): number =>
      pragma<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'`).n;
    const fresh = appId === 0 && countTables() === 0;
    if (!fresh) {
      if (appId !== APPLICATION_ID) {
        throw new InvalidError(
          `cannot open store: ${this.path} is a SQLite database of another application (application_id ${appId}); it was left untouched`,
        );
      }
      const version = pragma<{ user_version: number }>('PRAGMA user_version').user_version;
      if (version !== SCHEMA_VERSION) {
        throw new InvalidError(
          `cannot open store: ${this.path} has schema version ${version}, this verge knows ${SCHEMA_VERSION}`,
        );
      }
      if (options.quickCheck !== false) {
        const rows = db.prepare('PRAGMA quick_check(5)').all() as { quick_check: string }[];
        if (rows.length !== 1 || rows[0].quick_check !== 'ok') {
          throw new InvalidError(
            `cannot open store: ${this.path} is corrupt (${rows.map((r) => r.quick_check).join('; ')}); it was left untouched`,
          );
        }
      }
    }
    // - WAL: readers never block the writer, commits append.
    // - synchronous: FULL fsyncs the WAL per commit (durable across power loss).
    const mode = pragma<{ journal_mode?: string }>('PRAGMA journal_mode = WAL');
    if (mode.journal_mode !== 'wal') {
      throw new UnavailableError(
        `cannot switch ${this.path} to WAL mode (got ${mode.journal_mode})`,
      );
    }
    db.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.exec('PRAGMA foreign_keys = OFF');
    db.exec('PRAGMA temp_store = MEMORY');
    // Checkpoint every 1,000 WAL pages (SQLite's default; measured: 4x or 10x larger
    // changed nothing for write throughput).
    db.exec('PRAGMA wal_autocheckpoint = 1000');
    // Take the write lock now, so a second process fails at open, not at its first write.
    db.exec('BEGIN IMMEDIATE');
    try {
      if (fresh && countTables() === 0) {
        db.exec(SCHEMA);
        db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
        db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }

  #meta(name: string): number {
    const row = one(this.#stmt.getMeta, name);
    return row === undefined ? 0 : Number(row[0]);
  }

  #checkOpen(): void {
    if (this.#closed) throw new UnavailableError(`store ${this.path} is closed`);
  }

  #read<T>(what: string, fn: () => T): Promise<T> {
    try {
      this.#checkOpen();
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(storageError(this.path, what, err));
    }
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.#read('get', () => {
      validateKey(key);
      const row = one(this.#stmt.get, key);
      if (row === undefined) return undefined;
      return {
        key,
        modRevision: row[0] as number,
        createRevision: row[1] as number,
        value: row[2] as string,
      };
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.#read('list', () => {
      const range = prefixRange(prefix);
      const limit = options.limit && options.limit > 0 ? Math.floor(options.limit) : -1;
      let atRevision = options.atRevision && options.atRevision > 0 ? options.atRevision : 0;
      let after: string | undefined;
      if (options.continueToken) {
        const pos = decodeContinue(options.continueToken, range);
        atRevision = pos.revision;
        after = pos.after;
      }
      const revision = atRevision || this.#revision;
      if (revision > this.#revision) {
        throw new UnavailableError(
          `revision ${revision} is newer than the store's current revision ${this.#revision}`,
          { reason: 'ResourceVersionTooLarge', retryAfterSeconds: 1 },
        );
      }
      if (revision < this.#compactRev) {
        throw new ExpiredError(
          `revision ${revision} has been compacted (history starts after ${this.#compactRev})`,
        );
      }
      return revision === this.#revision
        ? this.#listCurrent(range, limit, after)
        : this.#listSnapshot(range, limit, after, revision);
    });
  }

  #listCurrent(range: KeyRange, limit: number, after: string | undefined): ListResult {
    const revision = this.#revision;
    const stmt = after === undefined ? this.#stmt.listFrom : this.#stmt.listAfter;
    const rows = all(stmt, after ?? range.start, range.end, limit < 0 ? -1 : limit + 1);
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.length = limit;
    const result: ListResult = { items: rows.map(toKeyValue), revision };
    if (more) {
      const last = rows[rows.length - 1][0] as string;
      result.continueToken = encodeContinue({ revision, after: last });
      result.remaining = Number(one(this.#stmt.countAfter, last, range.end)![0]);
    }
    return result;
  }

  /**
   * A page of the snapshot at `revision` (older than the current one): current
   * rows of keys untouched since then, plus, for each key written since, its row
   * at `revision` if it existed. Costs one pass over the writes since `revision`.
   */
  #listSnapshot(
    range: KeyRange,
    limit: number,
    after: string | undefined,
    revision: number,
  ): ListResult {
    // For every key written since `revision`: its row then (undefined if it did
    // not exist) and whether it exists now.
    const changed = new Map<string, { then: number | undefined; now: boolean }>();
    for (const r of all(this.#stmt.changedSince, revision, range.start, range.end)) {
      const key = r[0] as string;
      const op = r[1] as number;
      const seen = changed.get(key);
      if (seen) seen.now = op !== OP_DELETE;
      else
        changed.set(key, {
          then: op === OP_CREATE ? undefined : (r[2] as number),
          now: op !== OP_DELETE,
        });
    }
    const beyond = (key: string): boolean => after === undefined || compareKeys(key, after) > 0;
    const restored: Row[] = [];
    for (const [key, c] of changed) {
      if (c.then !== undefined && beyond(key)) restored.push(one(this.#stmt.row, c.then)!);
    }
    // Untouched keys come from `current`; fetch enough to make up for the
    // touched ones we skip there.
    const stmt = after === undefined ? this.#stmt.listFrom : this.#stmt.listAfter;
    const fetch = limit < 0 ? -1 : limit + 1 + changed.size;
    const untouched = all(stmt, after ?? range.start, range.end, fetch).filter(
      (r) => !changed.has(r[0] as string),
    );
    const rows = [...untouched, ...restored].sort((a, b) =>
      compareKeys(a[0] as string, b[0] as string),
    );
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.length = limit;
    const result: ListResult = { items: rows.map(toKeyValue), revision };
    if (more) {
      const last = rows[rows.length - 1][0] as string;
      result.continueToken = encodeContinue({ revision, after: last });
      let remaining = Number(one(this.#stmt.countAfter, last, range.end)![0]);
      for (const [key, c] of changed) {
        if (compareKeys(key, last) <= 0) continue;
        if (c.now) remaining--;
        if (c.then !== undefined) remaining++;
      }
      result.remaining = remaining;
    }
    return result;
  }

  count(prefix: string): Promise<number> {
    return this.#read('count', () => {
      const range = prefixRange(prefix);
      return Number(one(this.#stmt.countFrom, range.start, range.end)![0]);
    });
  }

  create(key: string, value: string): Promise<number> {
    return this.#enqueue<number>(key, value, (settle) => ({ op: 'create', key, value, settle }));
  }

  update(key: string, value: string, expectedRevision?: number): Promise<number> {
    return this.#enqueue<number>(key, value, (settle) => ({
      op: 'update',
      key,
      value,
      expected: expectedRevision,
      settle,
    }));
  }

  delete(key: string, expectedRevision?: number): Promise<DeleteResult> {
    return this.#enqueue<DeleteResult>(key, undefined, (settle) => ({
      op: 'delete',
      key,
      expected: expectedRevision,
      settle,
    }));
  }

  #enqueue<T>(
    key: string,
    value: string | undefined,
    make: (settle: Settle<T>) => PendingWrite,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      try {
        this.#checkOpen();
        validateKey(key);
        if (value !== undefined) checkValueSize(key, value, this.#maxValueBytes);
      } catch (err) {
        reject(err as Error);
        return;
      }
      this.#queue.push(make({ resolve, reject } as Settle<T>));
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits queued writes, at most `maxBatch` per transaction. */
  #flush(): void {
    this.#flushScheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#commit(batch);
    }
    const waiters = this.#flushed;
    this.#flushed = [];
    for (const w of waiters) w();
  }

  #commit(batch: PendingWrite[]): void {
    const startRevision = this.#revision;
    const events: WatchEvent[] = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.#stmt.begin.run();
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, value: this.#apply(write, events) });
        } catch (err) {
          // Domain errors come from checks made before the write touched anything.
          if (!isVergeError(err)) throw err;
          outcomes.push({ ok: false, error: err });
        }
      }
      this.#stmt.commit.run();
    } catch (err) {
      try {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      } catch {
        // The connection is unusable; every write below fails either way.
      }
      this.#revision = startRevision;
      const error = storageError(this.path, 'write failed', err);
      for (const write of batch) write.settle.reject(error);
      return;
    }
    this.#hub.publish(events);
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) (write.settle as Settle<unknown>).resolve(outcome.value);
      else write.settle.reject(outcome.error);
    });
  }

  /** Applies one write inside the open transaction. Checks first, then writes. */
  #apply(write: PendingWrite, events: WatchEvent[]): number | DeleteResult {
    const { key } = write;
    if (write.op === 'create') {
      if (one(this.#stmt.exists, key) !== undefined) {
        throw new AlreadyExistsError(`key ${key} already exists`);
      }
      const rev = this.#revision + 1;
      this.#stmt.insertLog.run(rev, key, OP_CREATE, rev, null, write.value);
      this.#stmt.insertCurrent.run(key, rev);
      this.#revision = rev;
      events.push({ type: 'create', key, revision: rev, createRevision: rev, value: write.value });
      return rev;
    }
    const row = one(this.#stmt.get, key);
    if (row === undefined) throw new NotFoundError(`key ${key} not found`);
    const prevRevision = row[0] as number;
    const createRevision = row[1] as number;
    const prevValue = row[2] as string;
    if (write.expected !== undefined && write.expected !== prevRevision) {
      throw new ConflictError(
        `key ${key} is at revision ${prevRevision}, not the expected ${write.expected}`,
      );
    }
    const rev = this.#revision + 1;
    if (write.op === 'update') {
      this.#stmt.insertLog.run(rev, key, OP_UPDATE, createRevision, prevRevision, write.value);
      this.#stmt.updateCurrent.run(rev, key);
      this.#revision = rev;
      events.push({
        type: 'update',
        key,
        revision: rev,
        createRevision,
        value: write.value,
        prevValue,
        prevRevision,
      });
      return rev;
    }
    this.#stmt.insertLog.run(rev, key, OP_DELETE, createRevision, prevRevision, prevValue);
    this.#stmt.deleteCurrent.run(key);
    this.#revision = rev;
    events.push({
      type: 'delete',
      key,
      revision: rev,
      createRevision,
      value: prevValue,
      prevValue,
      prevRevision,
    });
    return {
      revision: rev,
      prev: { key, value: prevValue, createRevision, modRevision: prevRevision },
    };
  }

  #readHistory(range: KeyRange, after: number, limit: number): WatchEvent[] {
    const rows = all(this.#stmt.history, after, range.start, range.end, limit);
    return rows.map((r) => {
      const op = r[2] as number;
      const value = r[5] as string;
      const event: WatchEvent = {
        type: op === OP_CREATE ? 'create' : op === OP_UPDATE ? 'update' : 'delete',
        key: r[1] as string,
        revision: r[0] as number,
        createRevision: r[3] as number,
        value,
      };
      if (op !== OP_CREATE) {
        event.prevRevision = r[4] as number;
        event.prevValue = op === OP_DELETE ? value : (r[6] as string);
      }
      return event;
    });
  }

  watch(prefix: string, fromRevision: number, options: WatchOptions = {}): Promise<Watcher> {
    return this.#read('watch', () =>
      this.#hub.open(prefixRange(prefix), Math.max(0, fromRevision), options.maxQueued),
    );
  }

  revision(): Promise<number> {
    return this.#read('revision', () => this.#revision);
  }

  compactedRevision(): Promise<number> {
    return this.#read('compactedRevision', () => this.#compactRev);
  }

  async #compactByPolicy(): Promise<void> {
    if (!this.#closed) await this.compact();
  }

  compact(revision?: number): Promise<CompactResult> {
    if (this.#compactRunning) {
      return this.#compactRunning.then(() => this.compact(revision));
    }
    const run = this.#compact(revision).finally(() => {
      this.#compactRunning = undefined;
    });
    this.#compactRunning = run;
    return run;
  }

  async #compact(revision?: number): Promise<CompactResult> {
    this.#checkOpen();
    let target = revision;
    if (target === undefined) {
      const now = this.#now();
      this.#retention.sample(now, this.#revision);
      target = this.#retention.target(now, this.#revision);
    }
    if (target > this.#revision) {
      throw new InvalidError(
        `cannot compact to revision ${target}: the store is at revision ${this.#revision}`,
      );
    }
    let removed = 0;
    if (target > this.#compactRev) {
      // The floor is raised (durably) before any row goes, so no reader can miss one.
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        this.#stmt.setMeta.run(target, 'compact_rev');
        this.#db.exec('COMMIT');
      } catch (err) {
        this.#rollbackQuietly();
        throw storageError(this.path, 'compaction failed', err);
      }
      this.#compactRev = target;
    }
    // Work through (compacted_through, compact_rev] in windows; this also resumes
    // a compaction that a crash interrupted.
    const batchOffset = Math.max(1, this.#compaction.batchSize) - 1;
    while (this.#compactedThrough < this.#compactRev) {
      if (this.#closed) break;
      const lo = this.#compactedThrough;
      const end = this.#stmt.compactWindowEnd.get(lo, this.#compactRev, batchOffset) as
        Row | undefined;
      const hi = end === undefined ? this.#compactRev : (end[0] as number);
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        removed += Number(this.#stmt.compactSuperseded.run(lo, hi).changes);
        removed += Number(this.#stmt.compactTombstones.run(lo, hi).changes);
        this.#stmt.setMeta.run(hi, 'compacted_through');
        this.#db.exec('COMMIT');
      } catch (err) {
        this.#rollbackQuietly();
        throw storageError(this.path, 'compaction failed', err);
      }
      this.#compactedThrough = hi;
      // Let writers and readers in between windows.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { revision: this.#compactRev, removed };
  }

  #rollbackQuietly(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // nothing more to undo
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#queue.length > 0 || this.#flushScheduled) {
      await new Promise<void>((resolve) => this.#flushed.push(resolve));
    }
    this.#closed = true;
    this.#stopCompaction();
    await this.#compactRunning?.catch(() => undefined);
    this.#hub.endAll(new UnavailableError(`store ${this.path} closed`));
    this.#db.close();
  }
}
