/**
 * A rate-limited work queue of keys, after client-go's: a key is queued at most
 * once however often it is added; a key being processed is never handed to a
 * second worker, and if it is added meanwhile it runs again afterwards; a key
 * that fails is retried with per-key exponential backoff (5 ms doubling to
 * 1000 s), so a broken object can never make a hot loop.
 */
import type { Logger } from '../util/log.ts';
import { realClock, wakeOrAbort, type Clock, type Timer } from '../util/clock.ts';

export interface WorkQueueOptions {
  /** First retry delay after a failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Longest retry delay. Default 1,000 s. */
  maxDelayMs?: number;
  clock?: Clock;
}

export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  /** Added while processing: run again when done. */
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; timer: Timer }>();
  readonly #clock: Clock;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  /** Idle workers waiting for a key. */
  readonly #waiters: (() => void)[] = [];
  #shutdown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  /** Keys waiting (not counting delayed or in progress). */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues `key` now. Idempotent while it waits. */
  add(key: string): void {
    if (this.#shutdown) return;
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#waiters.shift()?.();
  }

  /** Queues `key` after `ms`; an earlier pending delay for it wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shutdown) return;
    if (ms <= 0) return this.add(key);
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.#clock.after(ms, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
    this.#delayed.set(key, { at, timer });
  }

  /** Queues `key` after its backoff, which doubles with each call until `forget`. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** failures));
  }

  /** Resets `key`'s backoff (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many times `key` has failed in a row. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  async #next(signal: AbortSignal): Promise<string | undefined> {
    while (this.#queue.length === 0) {
      if (this.#shutdown || signal.aborted) return undefined;
      await wakeOrAbort(signal, (wake) => this.#waiters.push(wake));
    }
    const key = this.#queue.shift()!;
    this.#queued.delete(key);
    this.#processing.add(key);
    return key;
  }

  #done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
  }

  /**
   * Runs `handler` on queued keys with `concurrency` workers until `signal`
   * aborts. A throw requeues the key with backoff (and is logged); success
   * forgets its backoff.
   */
  async run(
    handler: (key: string) => Promise<void>,
    concurrency: number,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await this.#next(signal);
        if (key === undefined) return;
        try {
          await handler(key);
          this.forget(key);
        } catch (err) {
          log.warn(
            { err, key, failures: this.failures(key) + 1 },
            'sync failed; retrying with backoff',
          );
          this.addRateLimited(key);
        } finally {
          this.#done(key);
        }
      }
    };
    signal.addEventListener('abort', () => this.shutdown(), { once: true });
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }

  shutdown(): void {
    this.#shutdown = true;
    for (const d of this.#delayed.values()) d.timer.cancel();
    this.#delayed.clear();
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
