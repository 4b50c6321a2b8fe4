/**
 * Retention policy for background compaction, shared by the drivers: keep at
 * least the last `minRetainRevisions` revisions and everything written in the
 * last `minRetainMs`.
 *
 * Time is tracked by sampling (time, revision) pairs as compaction ticks run, not
 * by a timestamp per row: revision r sampled at time t means every write up to r
 * happened by t, so r may go once t is older than the window. After a restart
 * nothing is old enough until one window has passed, which only keeps more.
 */
import type { CompactionOptions } from './store.ts';

export const DEFAULT_COMPACTION: Required<CompactionOptions> = {
  intervalMs: 60_000,
  minRetainMs: 5 * 60_000,
  minRetainRevisions: 10_000,
  batchSize: 1000,
};

export function compactionOptions(
  options: CompactionOptions | undefined,
): Required<CompactionOptions> {
  return { ...DEFAULT_COMPACTION, ...options };
}

export class RetentionPolicy {
  readonly #options: Required<CompactionOptions>;
  #samples: { at: number; revision: number }[] = [];

  constructor(options: Required<CompactionOptions>) {
    this.#options = options;
  }

  /** Records that every write up to `revision` had happened by `now`. */
  sample(now: number, revision: number): void {
    const last = this.#samples.at(-1);
    if (last && last.revision === revision) return;
    this.#samples.push({ at: now, revision });
  }

  /** The highest revision that may be compacted at `now` (0: none). */
  target(now: number, currentRevision: number): number {
    const byCount = currentRevision - this.#options.minRetainRevisions;
    if (byCount <= 0) return 0;
    const cutoff = now - this.#options.minRetainMs;
    let byTime = 0;
    let keepFrom = 0;
    for (let i = 0; i < this.#samples.length; i++) {
      if (this.#samples[i].at > cutoff) break;
      byTime = this.#samples[i].revision;
      keepFrom = i;
    }
    // Older samples than the one in use can never matter again.
    if (keepFrom > 0) this.#samples = this.#samples.slice(keepFrom);
    return Math.min(byCount, byTime);
  }
}

/**
 * Runs `tick` every `intervalMs` on an unref'd timer until the returned stop
 * function is called; a tick never overlaps the previous one.
 */
export function startPeriodic(
  intervalMs: number,
  tick: () => Promise<unknown>,
  onError: (err: unknown) => void,
): () => void {
  if (intervalMs <= 0) return () => {};
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick().then(schedule, (err: unknown) => {
        onError(err);
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
