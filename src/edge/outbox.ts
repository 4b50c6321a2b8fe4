/**
 * The edge's durable upward queue: node status, pod status, events, device twin
 * reports waiting for the cloud to acknowledge them. It lives in the edge database
 * (local-store.ts) next to the objects, with the same lock and fsync policy.
 *
 * Each entry has a `key` naming what it is about (e.g. `status/Pod/ns/name`); a put
 * with a key already queued replaces the payload (latest wins) and takes a new
 * sequence number, so the ack of a send that carried the older payload does not
 * remove the newer one. The sender reads `pending()`, sends, and calls
 * `ack(key, seq)` with the seq it sent.
 *
 * Bounded by entries and bytes. Over a bound, the oldest droppable entry goes
 * first: events, then other kinds (e.g. twin reports); statuses are never
 * dropped, because losing the latest node or pod status would leave the cloud
 * with a wrong picture, while a dropped event only loses history. Statuses are
 * one per object (coalesced), so they cannot grow without bound on their own.
 */
import type { StatementSync } from 'node:sqlite';
import { InvalidError } from '../util/errors.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { allRows, oneRow, type EdgeDatabase } from './local-store.ts';

/** `status` is never dropped; `event` is dropped first; any other kind after events. */
export type OutboxKind = 'status' | 'event' | (string & {});

export interface OutboxPut {
  /** What the entry is about; a later put with the same key replaces it. */
  key: string;
  kind: OutboxKind;
  /** Any JSON value (no functions, symbols, bigints, NaN or Infinity, no cycles). */
  payload: unknown;
}

export interface OutboxEntry {
  seq: number;
  key: string;
  kind: OutboxKind;
  /** A fresh copy the caller owns. */
  payload: unknown;
  /** When the current payload was put (ms since the epoch, from `now`). */
  createdAt: number;
}

export interface OutboxOptions {
  /** Most entries kept. Default 10,000. */
  maxEntries?: number;
  /** Most bytes kept (keys and JSON payloads, UTF-8). Default 64 MiB. */
  maxBytes?: number;
  /** Largest single entry (key and JSON payload); a bigger put is refused with `Invalid`. Default 1 MiB. */
  maxEntryBytes?: number;
  /** Clock for `createdAt`. Default `Date.now`. */
  now?: () => number;
  /** Where the "over the bound with only statuses" warning goes. Default: a stderr logger. */
  log?: Logger;
}

/** Called after a put is committed, synchronously. */
export type OutboxListener = (seq: number, key: string) => void;

export const DEFAULT_OUTBOX_MAX_ENTRIES = 10_000;
export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_OUTBOX_MAX_ENTRY_BYTES = 1024 * 1024;

// AUTOINCREMENT: a seq is never reused, even after the newest entry was acked and
// removed, so a late duplicate ack can never remove a later entry.
const OUTBOX_SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO outbox_state (name, value) VALUES ('dropped', 0);
`;

const OUTBOX_SQL = {
  removeKey: `DELETE FROM outbox WHERE key = ? RETURNING bytes`,
  insert: `INSERT INTO outbox (key, kind, bytes, created_at, payload) VALUES (?, ?, ?, ?, ?)`,
  ack: `DELETE FROM outbox WHERE seq = ? AND key = ? RETURNING bytes`,
  pending: `SELECT seq, key, kind, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`,
  oldestEvent: `SELECT seq, bytes FROM outbox WHERE kind = 'event' ORDER BY seq LIMIT 1`,
  oldestOther: `SELECT seq, bytes FROM outbox WHERE kind NOT IN ('event', 'status') ORDER BY seq LIMIT 1`,
  removeSeq: `DELETE FROM outbox WHERE seq = ?`,
  totals: `SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox`,
  getDropped: `SELECT value FROM outbox_state WHERE name = 'dropped'`,
  setDropped: `UPDATE outbox_state SET value = ? WHERE name = 'dropped'`,
} as const;

/** JSON.stringify, refusing what JSON cannot carry instead of silently changing it. */
function toJson(payload: unknown, key: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload, function (field: string, value: unknown): unknown {
      const type = typeof value;
      if (type === 'function' || type === 'symbol' || type === 'bigint') {
        throw new InvalidError(`outbox put ${key}: payload field "${field}" is a ${type}`);
      }
      if (type === 'number' && !Number.isFinite(value)) {
        throw new InvalidError(`outbox put ${key}: payload field "${field}" is ${String(value)}`);
      }
      return value;
    });
  } catch (err) {
    if (err instanceof InvalidError) throw err;
    throw new InvalidError(`outbox put ${key}: payload is not JSON-serializable (${String(err)})`, {
      cause: err,
    });
  }
  if (json === undefined) {
    throw new InvalidError(`outbox put ${key}: payload ${String(payload)} is not a JSON value`);
  }
  return json;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < 1) throw new InvalidError(`outbox ${name} must be at least 1`);
  return Math.floor(v);
}

/**
 * The durable upward queue. Synchronous: each method returns when its
 * transaction is committed (durable per the database's synchronous setting).
 * Methods throw `Invalid` for bad input and `Unavailable` when the database is
 * closed or the disk fails.
 */
export class Outbox {
  readonly #edb: EdgeDatabase;
  readonly #stmt: Record<keyof typeof OUTBOX_SQL, StatementSync>;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #listeners = new Set<OutboxListener>();
  #size: number;
  #bytes: number;
  #dropped: number;
  /** Set while over the bound with nothing droppable, so the warning is logged once per episode. */
  #warned = false;

  constructor(edb: EdgeDatabase, options: OutboxOptions = {}) {
    this.#maxEntries = positive('maxEntries', options.maxEntries, DEFAULT_OUTBOX_MAX_ENTRIES);
    this.#maxBytes = positive('maxBytes', options.maxBytes, DEFAULT_OUTBOX_MAX_BYTES);
    this.#maxEntryBytes = positive(
      'maxEntryBytes',
      options.maxEntryBytes,
      DEFAULT_OUTBOX_MAX_ENTRY_BYTES,
    );
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? createLogger();
    edb.claim('Outbox');
    this.#edb = edb;
    edb.ensureSchema('cannot create the outbox tables', OUTBOX_SCHEMA);
    this.#stmt = edb.prepare('cannot prepare the outbox', OUTBOX_SQL);
    const totals = edb.run('cannot read the outbox', () => oneRow(this.#stmt.totals)!);
    this.#size = Number(totals[0]);
    this.#bytes = Number(totals[1]);
    this.#dropped = edb.run('cannot read the outbox', () =>
      Number(oneRow(this.#stmt.getDropped)![0]),
    );
  }

  /**
   * Queues `entry` durably and returns its sequence number. A queued entry with
   * the same key is replaced (its seq is then no longer ackable). When the queue
   * goes over a bound, the oldest droppable entries are dropped in the same
   * transaction, which may be this entry itself when it is the only droppable
   * one. Listeners from `onPut` are called after the commit.
   */
  put(entry: OutboxPut): number {
    const { key, kind } = entry ?? {};
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidError('outbox put: key must be a non-empty string');
    }
    if (typeof kind !== 'string' || kind.length === 0) {
      throw new InvalidError(`outbox put ${key}: kind must be a non-empty string`);
    }
    const payload = toJson(entry.payload, key);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(payload);
    if (bytes > this.#maxEntryBytes) {
      throw new InvalidError(
        `outbox put ${key}: ${bytes} bytes is over the limit of ${this.#maxEntryBytes}`,
      );
    }
    let size = this.#size;
    let total = this.#bytes;
    let dropped = 0;
    let stuck = false;
    const seq = this.#edb.transaction('outbox put', () => {
      const old = oneRow(this.#stmt.removeKey, key);
      if (old !== undefined) {
        size--;
        total -= Number(old[0]);
      }
      const seq = Number(
        this.#stmt.insert.run(key, kind, bytes, this.#now(), payload).lastInsertRowid,
      );
      size++;
      total += bytes;
      while (size > this.#maxEntries || total > this.#maxBytes) {
        const victim = oneRow(this.#stmt.oldestEvent) ?? oneRow(this.#stmt.oldestOther);
        if (victim === undefined) {
          stuck = true;
          break;
        }
        this.#stmt.removeSeq.run(victim[0] as number);
        size--;
        total -= Number(victim[1]);
        dropped++;
      }
      if (dropped > 0) this.#stmt.setDropped.run(this.#dropped + dropped);
      return seq;
    });
    this.#size = size;
    this.#bytes = total;
    this.#dropped += dropped;
    if (stuck && !this.#warned) {
      this.#warned = true;
      this.#log.warn(
        {
          path: this.#edb.path,
          entries: size,
          bytes: total,
          maxEntries: this.#maxEntries,
          maxBytes: this.#maxBytes,
        },
        'outbox is over its bound with only statuses left; keeping them (statuses are never dropped)',
      );
    } else if (!stuck) {
      this.#warned = false;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(seq, key);
      } catch (err) {
        this.#log.error({ err, path: this.#edb.path }, 'outbox put listener failed');
      }
    }
    return seq;
  }

  /**
   * Up to `limit` entries (default: all) with seq greater than `afterSeq`
   * (default 0), oldest first. Entries stay queued until acked.
   */
  pending(limit?: number, afterSeq = 0): OutboxEntry[] {
    const n = limit === undefined ? -1 : Math.max(0, Math.floor(limit));
    return this.#edb.run('outbox pending', () =>
      allRows(this.#stmt.pending, afterSeq, n).map((r) => ({
        seq: r[0] as number,
        key: r[1] as string,
        kind: r[2] as string,
        payload: JSON.parse(r[3] as string) as unknown,
        createdAt: r[4] as number,
      })),
    );
  }

  /**
   * Removes the entry for `key` if its seq is still `seq` (the one that was sent);
   * returns false when it was replaced by a newer put, dropped, or already acked.
   */
  ack(key: string, seq: number): boolean {
    const row = this.#edb.transaction('outbox ack', () => oneRow(this.#stmt.ack, seq, key));
    if (row === undefined) return false;
    this.#size--;
    this.#bytes -= Number(row[0]);
    return true;
  }

  /** Entries queued. */
  size(): number {
    return this.#size;
  }

  /** Bytes queued (keys and JSON payloads, UTF-8). */
  bytes(): number {
    return this.#bytes;
  }

  /** Entries dropped over the bound since the database was created (kept across restarts). */
  dropped(): number {
    return this.#dropped;
  }

  /**
   * Calls `listener(seq, key)` after every put, synchronously, after the commit,
   * so a sender can wake at once. A listener that throws is logged. Returns the
   * function that stops it.
   */
  onPut(listener: OutboxListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
