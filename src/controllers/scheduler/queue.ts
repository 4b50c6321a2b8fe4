/**
 * The scheduling queue, after kube-scheduler's: pending pods wait in one of
 * three places.
 *
 * - active: ready to be tried, highest priority first, then oldest first;
 * - backoff: tried and failed recently; each pod waits 1 s after its first
 *   failure, doubling per failure up to 10 s, then becomes active;
 * - unschedulable: no node fit. Such a pod is tried again only when the
 *   cluster changes in a way that might help (`moveAll`, called by the
 *   controller on node and pod events) or, at the latest, 60 s after it failed,
 *   so a change the scheduler did not recognise is still noticed. Moved pods
 *   still honour their backoff, so an impossible pod never makes a hot loop
 *   however busy the cluster is.
 *
 * Keys are `namespace/name`. A key is in at most one place. Timers come from
 * the injected clock; one timer serves each of backoff and the 60 s flush.
 */
import { realClock, wakeOrAbort, type Clock, type Timer } from '../../util/clock.ts';

export interface SchedulingQueueOptions {
  clock?: Clock;
  /** Backoff after the first failure. Default 1,000 ms. */
  initialBackoffMs?: number;
  /** Longest backoff. Default 10,000 ms. */
  maxBackoffMs?: number;
  /** Longest stay in unschedulable before a retry. Default 60,000 ms. */
  maxUnschedulableMs?: number;
}

type Place = 'active' | 'backoff' | 'unschedulable' | 'inFlight';

interface Entry {
  key: string;
  priority: number;
  /** Failed attempts in a row. */
  attempts: number;
  /** When the last attempt failed (clock ms). */
  failedAt: number;
  place: Place;
  /** Order within the active heap (and a generation stamp for lazy deletion). */
  seq: number;
  /** While unschedulable: when to flush it back regardless. */
  flushAt: number;
  /** Set while in flight if the pod changed meanwhile: requeue instead of parking. */
  dirty: boolean;
}

/** A binary min-heap with a caller-supplied order. */
class Heap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.#items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.#less(a[l], a[m])) m = l;
        if (r < a.length && this.#less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

interface ActiveItem {
  entry: Entry;
  seq: number;
  priority: number;
}

interface BackoffItem {
  entry: Entry;
  seq: number;
  at: number;
}

export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxUnschedulable: number;
  readonly #entries = new Map<string, Entry>();
  readonly #active = new Heap<ActiveItem>((a, b) =>
    a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq,
  );
  readonly #backoff = new Heap<BackoffItem>(
    (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq),
  );
  /** Unschedulable keys in the order they failed, so flush deadlines are ascending. */
  readonly #unschedulable = new Map<string, Entry>();
  #activeCount = 0;
  #seq = 0;
  #backoffTimer: { at: number; timer: Timer } | undefined;
  #flushTimer: { at: number; timer: Timer } | undefined;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(options: SchedulingQueueOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#initialBackoff = options.initialBackoffMs ?? 1_000;
    this.#maxBackoff = options.maxBackoffMs ?? 10_000;
    this.#maxUnschedulable = options.maxUnschedulableMs ?? 60_000;
  }

  /** Pods ready to be tried now. */
  get activeLength(): number {
    return this.#activeCount;
  }

  get unschedulableLength(): number {
    return this.#unschedulable.size;
  }

  /** Where `key` waits, if anywhere. */
  placeOf(key: string): Place | undefined {
    return this.#entries.get(key)?.place;
  }

  /** The backoff a pod with `attempts` failures waits. */
  backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(this.#maxBackoff, this.#initialBackoff * 2 ** (attempts - 1));
  }

  /**
   * A pending pod appeared or changed. New pods become active. A pod parked as
   * unschedulable is moved (its backoff still applies): the change may make it
   * fit. A pod in flight is marked to run again.
   */
  add(key: string, priority: number): void {
    if (this.#closed) return;
    const e = this.#entries.get(key);
    if (!e) {
      const entry: Entry = {
        key,
        priority,
        attempts: 0,
        failedAt: 0,
        place: 'active',
        seq: 0,
        flushAt: 0,
        dirty: false,
      };
      this.#entries.set(key, entry);
      this.#toActive(entry);
      return;
    }
    e.priority = priority;
    if (e.place === 'unschedulable') this.#move(e);
    else if (e.place === 'inFlight') e.dirty = true;
  }

  /** Forgets a pod (deleted, bound by someone else, or no longer ours). */
  delete(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (e.place === 'active') this.#activeCount--;
    this.#unschedulable.delete(key);
    this.#entries.delete(key);
    e.place = 'inFlight';
    e.seq = -1; // invalidates heap items
  }

  /**
   * The next pod to try, waiting until one is active; undefined once `signal`
   * aborts or the queue is closed. The pod is in flight until `done`,
   * `unschedulable` or `failed` is called for it.
   */
  async pop(signal: AbortSignal): Promise<string | undefined> {
    for (;;) {
      if (this.#closed || signal.aborted) return undefined;
      const item = this.#active.pop();
      if (item) {
        const e = item.entry;
        if (e.place !== 'active' || e.seq !== item.seq) continue;
        this.#activeCount--;
        e.place = 'inFlight';
        e.dirty = false;
        return e.key;
      }
      await wakeOrAbort(signal, (wake) => this.#waiters.push(wake));
    }
  }

  /** The pod was bound: it leaves the queue. */
  done(key: string): void {
    if (this.#entries.get(key)?.place === 'inFlight') this.#entries.delete(key);
  }

  /**
   * No node fit. The pod waits in unschedulable until `moveAll` or its flush
   * deadline; if it changed while in flight it goes to backoff at once.
   */
  unschedulable(key: string): void {
    const e = this.#entries.get(key);
    if (e?.place !== 'inFlight') return;
    this.#fail(e);
    if (e.dirty) {
      this.#move(e);
      return;
    }
    e.place = 'unschedulable';
    e.flushAt = this.#clock.now() + this.#maxUnschedulable;
    this.#unschedulable.set(key, e);
    this.#armFlush();
  }

  /** The attempt failed for another reason (the binding): retry after backoff. */
  failed(key: string): void {
    const e = this.#entries.get(key);
    if (e?.place !== 'inFlight') return;
    this.#fail(e);
    this.#move(e);
  }

  /**
   * Something changed that may let unschedulable pods fit: moves those `which`
   * accepts (all by default) to active, or to backoff while their backoff runs.
   */
  moveAll(which?: (key: string) => boolean): void {
    for (const e of [...this.#unschedulable.values()]) {
      if (which && !which(e.key)) continue;
      this.#move(e);
    }
  }

  close(): void {
    this.#closed = true;
    this.#backoffTimer?.timer.cancel();
    this.#flushTimer?.timer.cancel();
    for (const w of this.#waiters.splice(0)) w();
  }

  #fail(e: Entry): void {
    e.attempts++;
    e.failedAt = this.#clock.now();
  }

  /** Out of unschedulable (or in flight): to backoff if it is still backing off, else active. */
  #move(e: Entry): void {
    this.#unschedulable.delete(e.key);
    const until = e.failedAt + this.backoffMs(e.attempts);
    if (until > this.#clock.now()) {
      e.place = 'backoff';
      e.seq = ++this.#seq;
      this.#backoff.push({ entry: e, seq: e.seq, at: until });
      this.#armBackoff();
    } else {
      this.#toActive(e);
    }
  }

  #toActive(e: Entry): void {
    e.place = 'active';
    e.seq = ++this.#seq;
    this.#active.push({ entry: e, seq: e.seq, priority: e.priority });
    this.#activeCount++;
    this.#waiters.shift()?.();
  }

  #armBackoff(): void {
    let top = this.#backoff.peek();
    while (top && (top.entry.place !== 'backoff' || top.entry.seq !== top.seq)) {
      this.#backoff.pop();
      top = this.#backoff.peek();
    }
    if (!top || this.#closed) return;
    if (this.#backoffTimer && this.#backoffTimer.at <= top.at) return;
    this.#backoffTimer?.timer.cancel();
    const at = top.at;
    const timer = this.#clock.after(at - this.#clock.now(), () => {
      this.#backoffTimer = undefined;
      const now = this.#clock.now();
      for (let t = this.#backoff.peek(); t && t.at <= now; t = this.#backoff.peek()) {
        this.#backoff.pop();
        if (t.entry.place === 'backoff' && t.entry.seq === t.seq) this.#toActive(t.entry);
      }
      this.#armBackoff();
    });
    this.#backoffTimer = { at, timer };
  }

  #armFlush(): void {
    const first = this.#unschedulable.values().next().value;
    if (!first || this.#closed) return;
    if (this.#flushTimer && this.#flushTimer.at <= first.flushAt) return;
    this.#flushTimer?.timer.cancel();
    const at = first.flushAt;
    const timer = this.#clock.after(at - this.#clock.now(), () => {
      this.#flushTimer = undefined;
      const now = this.#clock.now();
      for (const e of [...this.#unschedulable.values()]) {
        if (e.flushAt > now) break;
        this.#move(e);
      }
      this.#armFlush();
    });
    this.#flushTimer = { at, timer };
  }
}
