/**
 * Per-key exponential backoff measured from the last step, as client-go's
 * flowcontrol.Backoff (without jitter): the first step waits `initialMs`, each
 * further step within reach doubles it up to `maxMs`; a key untouched for
 * twice `maxMs` starts over. The DaemonSet controller keys it by (DaemonSet,
 * generation, node) to pace the deletion of failed pods, so a daemon that
 * keeps crashing is recreated ever more slowly instead of in a hot loop.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  #expired(lastUpdate: number, now: number): boolean {
    return now - lastUpdate > 2 * this.#maxMs;
  }

  /** The current delay of `key` (0 when it has none). */
  delay(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** Whether `key` is still waiting out the delay set by its last step. */
  inBackoff(key: string, now: number): boolean {
    const e = this.#entries.get(key);
    if (!e || this.#expired(e.lastUpdate, now)) return false;
    return now - e.lastUpdate < e.delayMs;
  }

  /** Takes a step: starts or doubles the delay of `key`, from `now`. */
  next(key: string, now: number): void {
    const e = this.#entries.get(key);
    if (!e || this.#expired(e.lastUpdate, now)) {
      this.#entries.set(key, { delayMs: this.#initialMs, lastUpdate: now });
    } else {
      e.delayMs = Math.min(e.delayMs * 2, this.#maxMs);
      e.lastUpdate = now;
    }
  }

  /** Forgets keys that have expired, so the table stays bounded. */
  gc(now: number): void {
    for (const [k, e] of this.#entries)
      if (this.#expired(e.lastUpdate, now)) this.#entries.delete(k);
  }

  get size(): number {
    return this.#entries.size;
  }
}
