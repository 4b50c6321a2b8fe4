/**
 * Exponential backoff with full jitter: the wait before retry `attempt` (0 for
 * the first retry) is uniform in [0, min(cap, base * 2^attempt)). Full jitter
 * spreads a crowd of clients that failed at the same moment (a cloud restart)
 * over the whole window instead of bringing them back in waves.
 */
export interface BackoffOptions {
  /** First window, ms. Default 1000. */
  baseMs?: number;
  /** Largest window, ms. Default 60000. */
  capMs?: number;
  /** [0, 1) random source. Default Math.random. */
  random?: () => number;
}

export function fullJitter(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1000;
  const cap = options.capMs ?? 60_000;
  const window = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor((options.random ?? Math.random)() * window);
}
