/**
 * The revisioned object store: etcd semantics (as kine gives them on SQL) in
 * process. Every other part of Verge keeps its objects here and learns of changes
 * through `watch`.
 *
 * Model: a sorted map from key to value plus a log of every write. Each write gets
 * the next global revision; that number becomes the object's
 * `metadata.resourceVersion`. History older than the compacted revision is
 * dropped, and reading it fails with `ExpiredError`.
 *
 * Keys look like `/registry/<group>/<resource>/<namespace>/<name>` (see
 * `validateKey`). Values are opaque strings (serialized objects); the store never
 * parses them.
 *
 * Errors are always from src/util/errors.ts: `NotFound`, `AlreadyExists`,
 * `Conflict`, `Invalid` (bad key, value too large, bad continue token),
 * `Expired` (compacted revision), `Unavailable` (store closed, storage failure,
 * watcher fell behind).
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this incarnation of the key. */
  createRevision: number;
  /** Revision of the last write to the key; becomes `metadata.resourceVersion`. */
  modRevision: number;
}

export type WatchEventType = 'create' | 'update' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  key: string;
  /** Revision of this write. */
  revision: number;
  createRevision: number;
  /** The value written; for `delete`, the value the key held when it was deleted. */
  value: string;
  /** For `update` and `delete`: the value before this write. */
  prevValue?: string;
  /** For `update` and `delete`: the revision of the previous write to the key. */
  prevRevision?: number;
}

export interface ListOptions {
  /** Most items to return; 0 or unset returns all. */
  limit?: number;
  /** Token from a previous page; the list continues at that page's snapshot revision. */
  continueToken?: string;
  /**
   * Read the snapshot at this revision (0 or unset: the current one). Fails with
   * `Expired` below the compacted revision, `Unavailable` above the current one.
   */
  atRevision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The snapshot revision every page of this list is read at. */
  revision: number;
  /** Set when more items follow; pass it back to read the next page. */
  continueToken?: string;
  /** How many items follow this page (set together with `continueToken`). */
  remaining?: number;
}

export interface DeleteResult {
  /** Revision of the delete. */
  revision: number;
  /** The key's last value before the delete. */
  prev: KeyValue;
}

export interface WatchOptions {
  /**
   * Most events to hold for a consumer that is not reading; past it the watcher is
   * ended with `Unavailable` rather than buffering without bound. Default 10,000.
   */
  maxQueued?: number;
}

/**
 * A stream of events for one key or prefix, in revision order, without gaps or
 * duplicates. Iteration ends cleanly after `close()`; it throws `Unavailable` when
 * the consumer fell behind or the store closed, and `Expired` when compaction
 * removed history the watcher had not read yet. A watcher must be closed or
 * iterated to its end, or it keeps its place in the store.
 */
export interface Watcher extends AsyncIterable<WatchEvent> {
  /** Stops the watcher. Idempotent; pending `next()` calls resolve as done. */
  close(): void;
  /**
   * The revision up to which this watcher has yielded every matching event: a
   * consumer that has drained the iterator may report it as a bookmark.
   */
  readonly progressRevision: number;
}

export interface CompactResult {
  /** The compacted revision after this call. */
  revision: number;
  /** History rows removed. */
  removed: number;
}

/**
 * The contract every driver (sqlite, memory, later etcd) meets; one contract test
 * suite (src/store/contract.ts) runs against each.
 *
 * Writes resolve only once durable (per the driver's sync setting) and in revision
 * order. Concurrent callers may be committed together in one transaction (group
 * commit), but each write is atomic on its own: it either happens whole or fails
 * with no effect.
 */
export interface Store {
  /** The object at `key` now, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;

  /**
   * Objects whose key lies under `prefix` (a prefix ends with `/`; otherwise it
   * names one key), sorted by key, from one consistent snapshot across pages.
   */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /** How many keys lie under `prefix` now. */
  count(prefix: string): Promise<number>;

  /** Creates `key`; fails with `AlreadyExists`. Resolves to the new revision. */
  create(key: string, value: string): Promise<number>;

  /**
   * Replaces the value at `key`; fails with `NotFound`, and with `Conflict` when
   * `expectedRevision` is given and is not the key's current modRevision.
   * Resolves to the new revision.
   */
  update(key: string, value: string, expectedRevision?: number): Promise<number>;

  /** Deletes `key`, with the same preconditions as `update`. */
  delete(key: string, expectedRevision?: number): Promise<DeleteResult>;

  /**
   * Every event under `prefix` with revision greater than `fromRevision`, then
   * live events as they are committed. Rejects with `Expired` when `fromRevision`
   * is below the compacted revision.
   */
  watch(prefix: string, fromRevision: number, options?: WatchOptions): Promise<Watcher>;

  /** The revision of the last committed write (0 for an empty store). */
  revision(): Promise<number>;

  /** The revision below which history is gone. */
  compactedRevision(): Promise<number>;

  /**
   * Drops history up to `revision` (default: what the retention policy allows),
   * keeping every key's latest value at that revision. Runs in bounded batches and
   * yields between them; a watcher that had not read past `revision` ends with
   * `Expired`.
   */
  compact(revision?: number): Promise<CompactResult>;

  /** Flushes pending writes, ends every watcher and releases the storage. Idempotent. */
  close(): Promise<void>;
}

/** Retention and scheduling of background compaction. */
export interface CompactionOptions {
  /** How often background compaction runs; 0 disables it. Default 60 s. */
  intervalMs?: number;
  /** History younger than this is kept. Default 5 minutes. */
  minRetainMs?: number;
  /** At least this many of the latest revisions are kept. Default 10,000. */
  minRetainRevisions?: number;
  /** Rows removed per transaction, so compaction never stalls writers for long. Default 1,000. */
  batchSize?: number;
}

/** Options common to every driver. */
export interface StoreOptions {
  /** Largest value accepted, in UTF-8 bytes. Default 1.5 MiB, as etcd. */
  maxValueBytes?: number;
  compaction?: CompactionOptions;
  /** Clock for retention decisions; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
