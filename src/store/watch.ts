/**
 * Watch fan-out shared by the in-process drivers (sqlite, memory).
 *
 * A watcher starts in catch-up mode: it reads history from the driver in chunks,
 * on demand, so a watcher nobody reads costs nothing. When a read returns fewer
 * than a chunk, the watcher turns live in the same synchronous step, and from then
 * on the hub pushes committed events to it. This is gap-free only because the
 * drivers commit and publish in one synchronous step too: between two JavaScript
 * turns the history on disk and the events published are the same.
 */
import { ExpiredError, UnavailableError } from '../util/errors.ts';
import { inRange, type KeyRange } from './keys.ts';
import type { WatchEvent, Watcher } from './store.ts';

export const DEFAULT_MAX_QUEUED = 10_000;
const HISTORY_CHUNK = 500;

/** What the hub needs from a driver. Both calls must be synchronous. */
export interface HistorySource {
  /** Events in `range` with revision > `after`, ascending, at most `limit`. */
  readHistory(range: KeyRange, after: number, limit: number): WatchEvent[];
  /** History at or below this revision may be gone (compacted or being compacted). */
  historyFloor(): number;
  /** The revision of the last committed write. */
  currentRevision(): number;
}

export class WatchHub {
  readonly #source: HistorySource;
  readonly #watchers = new Set<HubWatcher>();

  constructor(source: HistorySource) {
    this.#source = source;
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** Opens a watcher; throws `Expired` when `fromRevision` is below the floor. */
  open(range: KeyRange, fromRevision: number, maxQueued = DEFAULT_MAX_QUEUED): Watcher {
    const floor = this.#source.historyFloor();
    if (fromRevision < floor) {
      throw new ExpiredError(
        `revision ${fromRevision} has been compacted (history starts after ${floor})`,
      );
    }
    const w = new HubWatcher(this.#source, range, fromRevision, maxQueued, (x) =>
      this.#watchers.delete(x),
    );
    this.#watchers.add(w);
    return w;
  }

  /** Delivers events just committed (ascending) to every live watcher. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.#watchers) w.offer(events);
  }

  /** Ends every watcher with `error`. */
  endAll(error: Error): void {
    for (const w of [...this.#watchers]) w.fail(error);
  }
}

class HubWatcher implements Watcher {
  readonly #source: HistorySource;
  readonly #range: KeyRange;
  readonly #maxQueued: number;
  readonly #onEnd: (w: HubWatcher) => void;
  #queue: WatchEvent[] = [];
  #head = 0;
  #live = false;
  /** Highest revision read from history (every match up to it is queued or yielded). */
  #cursor: number;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(
    source: HistorySource,
    range: KeyRange,
    fromRevision: number,
    maxQueued: number,
    onEnd: (w: HubWatcher) => void,
  ) {
    this.#source = source;
    this.#range = range;
    this.#cursor = fromRevision;
    this.#maxQueued = maxQueued;
    this.#onEnd = onEnd;
  }

  get progressRevision(): number {
    if (this.#head < this.#queue.length) return this.#queue[this.#head].revision - 1;
    return this.#live ? this.#source.currentRevision() : this.#cursor;
  }

  offer(events: readonly WatchEvent[]): void {
    if (!this.#live || this.#ended) return;
    let added = false;
    for (const e of events) {
      if (inRange(e.key, this.#range)) {
        this.#queue.push(e);
        added = true;
      }
    }
    if (!added) return;
    if (this.#queue.length - this.#head > this.#maxQueued) {
      this.fail(
        new UnavailableError(
          `watcher fell more than ${this.#maxQueued} events behind and was stopped; watch again from revision ${this.progressRevision}`,
          { reason: 'SlowWatcher' },
        ),
      );
      return;
    }
    this.#wakeUp();
  }

  fail(error: Error): void {
    if (this.#ended) return;
    this.#error = error;
    this.#end();
  }

  close(): void {
    if (this.#ended) return;
    this.#end();
  }

  #end(): void {
    // Freeze progress at what the consumer has actually received.
    if (this.#head < this.#queue.length) this.#cursor = this.#queue[this.#head].revision - 1;
    else if (this.#live) this.#cursor = this.#source.currentRevision();
    this.#live = false;
    this.#ended = true;
    this.#queue = [];
    this.#head = 0;
    this.#onEnd(this);
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Reads the next chunk of history; turns live when history is exhausted. */
  #catchUp(): void {
    const floor = this.#source.historyFloor();
    if (this.#cursor < floor) {
      this.fail(
        new ExpiredError(
          `history after revision ${this.#cursor} was compacted before this watcher read it`,
        ),
      );
      return;
    }
    const events = this.#source.readHistory(this.#range, this.#cursor, HISTORY_CHUNK);
    for (const e of events) this.#queue.push(e);
    if (events.length > 0) this.#cursor = events[events.length - 1].revision;
    if (events.length < HISTORY_CHUNK) {
      this.#live = true;
      this.#cursor = Math.max(this.#cursor, this.#source.currentRevision());
    }
  }

  async next(): Promise<IteratorResult<WatchEvent>> {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const value = this.#queue[this.#head++];
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        return { value, done: false };
      }
      if (this.#ended) {
        const error = this.#error;
        this.#error = undefined;
        if (error) throw error;
        return { value: undefined, done: true };
      }
      if (!this.#live) {
        this.#catchUp();
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return this;
  }
}
