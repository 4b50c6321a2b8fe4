/**
 * Expectations, after Kubernetes' UIDTrackingControllerExpectations: what a
 * controller has asked the API to create or delete and not yet seen arrive
 * through its informer. While any is outstanding the controller must not act
 * on its cache (which does not show its own writes yet), or it would create or
 * delete twice. Creations are counted; deletions are tracked by pod key, so a
 * pod that is seen going twice (marked for deletion, then gone) counts once.
 *
 * Expectations expire after `ttlMs` (five minutes, as Kubernetes), so a lost
 * watch event delays a controller but never wedges it.
 */
import type { Clock } from '../../util/clock.ts';

interface ExpectationRecord {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

export class Expectations {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #records = new Map<string, ExpectationRecord>();

  constructor(clock: Clock, ttlMs: number = EXPECTATIONS_TTL_MS) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Replaces the expectations of `key` with `count` creations. */
  expectCreations(key: string, count: number): void {
    this.#records.set(key, { adds: count, deletes: new Set(), at: this.#clock.now() });
  }

  /** Replaces the expectations of `key` with the deletion of these pod keys. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#records.set(key, { adds: 0, deletes: new Set(podKeys), at: this.#clock.now() });
  }

  /** One creation arrived (or will never come: a create that failed or was skipped). */
  creationObserved(key: string, times = 1): void {
    const r = this.#records.get(key);
    if (r) r.adds -= times;
  }

  /** `podKey` went (or will not go: its delete failed). Counts once per pod. */
  deletionObserved(key: string, podKey: string): void {
    this.#records.get(key)?.deletes.delete(podKey);
  }

  /** True when `key` may act on its cache: nothing outstanding, nothing recorded, or expired. */
  satisfied(key: string): boolean {
    const r = this.#records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.deletes.size === 0) return true;
    return this.#clock.now() - r.at > this.#ttlMs;
  }

  /** Outstanding creations and deletions of `key` (tests, logs). */
  pending(key: string): { adds: number; deletes: number } | undefined {
    const r = this.#records.get(key);
    return r && { adds: Math.max(0, r.adds), deletes: r.deletes.size };
  }

  /** Forgets `key` (its controller was deleted). */
  delete(key: string): void {
    this.#records.delete(key);
  }
}
