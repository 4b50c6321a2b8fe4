/**
 * An in-memory store for unit tests: the same contract as the SQLite driver
 * (the contract suite runs against both), with the same log-plus-current model,
 * kept in arrays and maps. Nothing survives the process.
 */
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidError,
  NotFoundError,
  UnavailableError,
} from '../../util/errors.ts';
import {
  checkValueSize,
  compareKeys,
  decodeContinue,
  encodeContinue,
  inRange,
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

interface LogRow {
  rev: number;
  key: string;
  type: WatchEvent['type'];
  createRev: number;
  prevRev?: number;
  /** For a delete: the value deleted. */
  value: string;
}

export class MemoryStore implements Store {
  readonly #maxValueBytes: number;
  readonly #compaction: Required<CompactionOptions>;
  readonly #retention: RetentionPolicy;
  readonly #now: () => number;
  readonly #hub: WatchHub;
  readonly #stopCompaction: () => void;
  /** key -> revision of its latest row */
  readonly #current = new Map<string, number>();
  /** Every retained row, ascending by revision. */
  #log: LogRow[] = [];
  readonly #byRev = new Map<number, LogRow>();
  #revision = 0;
  #compactRev = 0;
  #compactedThrough = 0;
  #closed = false;
  #compactRunning: Promise<CompactResult> | undefined;

  constructor(options: StoreOptions = {}) {
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#compaction = compactionOptions(options.compaction);
    this.#now = options.now ?? Date.now;
    this.#retention = new RetentionPolicy(this.#compaction);
    this.#hub = new WatchHub({
      readHistory: (range, after, limit) => this.#readHistory(range, after, limit),
      historyFloor: () => this.#compactRev,
      currentRevision: () => this.#revision,
    });
    this.#retention.sample(this.#now(), 0);
    this.#stopCompaction = startPeriodic(
      this.#compaction.intervalMs,
      async () => {
        if (!this.#closed) await this.compact();
      },
      () => {},
    );
  }

  #run<T>(fn: () => T): Promise<T> {
    try {
      if (this.#closed) throw new UnavailableError('store is closed');
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  #latest(key: string): LogRow | undefined {
    const rev = this.#current.get(key);
    return rev === undefined ? undefined : this.#byRev.get(rev);
  }

  #toKeyValue(row: LogRow): KeyValue {
    return { key: row.key, value: row.value, createRevision: row.createRev, modRevision: row.rev };
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.#run(() => {
      validateKey(key);
      const row = this.#latest(key);
      return row && this.#toKeyValue(row);
    });
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.#run(() => {
      const range = prefixRange(prefix);
      const limit = options.limit && options.limit > 0 ? Math.floor(options.limit) : 0;
      let revision = options.atRevision && options.atRevision > 0 ? options.atRevision : 0;
      let after: string | undefined;
      if (options.continueToken) {
        const pos = decodeContinue(options.continueToken, range);
        revision = pos.revision;
        after = pos.after;
      }
      revision ||= this.#revision;
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
      let rows = this.#snapshot(range, revision);
      if (after !== undefined) rows = rows.filter((r) => compareKeys(r.key, after) > 0);
      const more = limit > 0 && rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const result: ListResult = { items: page.map((r) => this.#toKeyValue(r)), revision };
      if (more) {
        result.continueToken = encodeContinue({ revision, after: page[page.length - 1].key });
        result.remaining = rows.length - limit;
      }
      return result;
    });
  }

  /** Live rows in `range` as of `revision`, sorted by key. */
  #snapshot(range: KeyRange, revision: number): LogRow[] {
    const latest = new Map<string, LogRow>();
    if (revision === this.#revision) {
      for (const [key, rev] of this.#current) {
        if (inRange(key, range)) latest.set(key, this.#byRev.get(rev)!);
      }
    } else {
      for (const row of this.#log) {
        if (row.rev > revision) break;
        if (inRange(row.key, range)) latest.set(row.key, row);
      }
    }
    return [...latest.values()]
      .filter((r) => r.type !== 'delete')
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  count(prefix: string): Promise<number> {
    return this.#run(() => {
      const range = prefixRange(prefix);
      let n = 0;
      for (const key of this.#current.keys()) if (inRange(key, range)) n++;
      return n;
    });
  }

  #check(key: string, value?: string): void {
    if (this.#closed) throw new UnavailableError('store is closed');
    validateKey(key);
    if (value !== undefined) checkValueSize(key, value, this.#maxValueBytes);
  }

  #append(row: LogRow): void {
    this.#log.push(row);
    this.#byRev.set(row.rev, row);
    this.#revision = row.rev;
  }

  create(key: string, value: string): Promise<number> {
    return this.#run(() => {
      this.#check(key, value);
      if (this.#current.has(key)) throw new AlreadyExistsError(`key ${key} already exists`);
      const rev = this.#revision + 1;
      this.#append({ rev, key, type: 'create', createRev: rev, value });
      this.#current.set(key, rev);
      this.#hub.publish([{ type: 'create', key, revision: rev, createRevision: rev, value }]);
      return rev;
    });
  }

  #precondition(key: string, expected: number | undefined): LogRow {
    const prev = this.#latest(key);
    if (prev === undefined) throw new NotFoundError(`key ${key} not found`);
    if (expected !== undefined && expected !== prev.rev) {
      throw new ConflictError(
        `key ${key} is at revision ${prev.rev}, not the expected ${expected}`,
      );
    }
    return prev;
  }

  update(key: string, value: string, expectedRevision?: number): Promise<number> {
    return this.#run(() => {
      this.#check(key, value);
      const prev = this.#precondition(key, expectedRevision);
      const rev = this.#revision + 1;
      this.#append({
        rev,
        key,
        type: 'update',
        createRev: prev.createRev,
        prevRev: prev.rev,
        value,
      });
      this.#current.set(key, rev);
      this.#hub.publish([
        {
          type: 'update',
          key,
          revision: rev,
          createRevision: prev.createRev,
          value,
          prevValue: prev.value,
          prevRevision: prev.rev,
        },
      ]);
      return rev;
    });
  }

  delete(key: string, expectedRevision?: number): Promise<DeleteResult> {
    return this.#run(() => {
      this.#check(key);
      const prev = this.#precondition(key, expectedRevision);
      const rev = this.#revision + 1;
      this.#append({
        rev,
        key,
        type: 'delete',
        createRev: prev.createRev,
        prevRev: prev.rev,
        value: prev.value,
      });
      this.#current.delete(key);
      this.#hub.publish([
        {
          type: 'delete',
          key,
          revision: rev,
          createRevision: prev.createRev,
          value: prev.value,
          prevValue: prev.value,
          prevRevision: prev.rev,
        },
      ]);
      return { revision: rev, prev: this.#toKeyValue(prev) };
    });
  }

  #readHistory(range: KeyRange, after: number, limit: number): WatchEvent[] {
    // Binary search for the first row after `after`.
    let lo = 0;
    let hi = this.#log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#log[mid].rev <= after) lo = mid + 1;
      else hi = mid;
    }
    const events: WatchEvent[] = [];
    for (let i = lo; i < this.#log.length && events.length < limit; i++) {
      const row = this.#log[i];
      if (!inRange(row.key, range)) continue;
      const event: WatchEvent = {
        type: row.type,
        key: row.key,
        revision: row.rev,
        createRevision: row.createRev,
        value: row.value,
      };
      if (row.prevRev !== undefined) {
        event.prevRevision = row.prevRev;
        event.prevValue = row.type === 'delete' ? row.value : this.#byRev.get(row.prevRev)?.value;
      }
      events.push(event);
    }
    return events;
  }

  watch(prefix: string, fromRevision: number, options: WatchOptions = {}): Promise<Watcher> {
    return this.#run(() =>
      this.#hub.open(prefixRange(prefix), Math.max(0, fromRevision), options.maxQueued),
    );
  }

  revision(): Promise<number> {
    return this.#run(() => this.#revision);
  }

  compactedRevision(): Promise<number> {
    return this.#run(() => this.#compactRev);
  }

  compact(revision?: number): Promise<CompactResult> {
    if (this.#compactRunning) return this.#compactRunning.then(() => this.compact(revision));
    const run = this.#compact(revision).finally(() => (this.#compactRunning = undefined));
    this.#compactRunning = run;
    return run;
  }

  async #compact(revision?: number): Promise<CompactResult> {
    if (this.#closed) throw new UnavailableError('store is closed');
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
    if (target > this.#compactRev) this.#compactRev = target;
    let removed = 0;
    const batch = Math.max(1, this.#compaction.batchSize);
    while (this.#compactedThrough < this.#compactRev && !this.#closed) {
      const doomed = new Set<number>();
      let hi = this.#compactedThrough;
      let seen = 0;
      for (const row of this.#log) {
        if (row.rev <= this.#compactedThrough) continue;
        if (row.rev > this.#compactRev || seen === batch) break;
        seen++;
        hi = row.rev;
        if (row.prevRev !== undefined) doomed.add(row.prevRev);
        if (row.type === 'delete') doomed.add(row.rev);
      }
      if (seen < batch) hi = this.#compactRev;
      this.#log = this.#log.filter((r) => !doomed.has(r.rev));
      for (const rev of doomed) if (this.#byRev.delete(rev)) removed++;
      this.#compactedThrough = hi;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { revision: this.#compactRev, removed };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopCompaction();
    await this.#compactRunning?.catch(() => undefined);
    this.#hub.endAll(new UnavailableError('store closed'));
  }
}
