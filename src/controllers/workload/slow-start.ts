/**
 * Kubernetes' slowStartBatch: run `count` calls of `fn` in batches of 1, 2, 4,
 * 8, ... (each batch concurrently), stopping after the first batch with a
 * failure. Creating thousands of pods from a template that cannot work (a
 * quota, an admission rule) then costs one failed call, not thousands, while
 * a healthy template reaches full speed after a few round trips.
 */

/** Kubernetes' SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH = 1;

export interface SlowStartResult {
  /** Calls that succeeded. Calls never made (after a failing batch) are not counted. */
  successes: number;
  /** The first failure of the failing batch, if any. */
  error?: unknown;
  /** Calls made (successes + failures). */
  attempted: number;
}

/** Never throws: failures are reported in the result. */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let attempted = 0;
  for (
    let batch = Math.min(remaining, initialBatchSize);
    batch > 0;
    batch = Math.min(2 * batch, remaining)
  ) {
    const results = await Promise.allSettled(Array.from({ length: batch }, async () => fn()));
    attempted += batch;
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failures.length;
    if (failures.length > 0) return { successes, attempted, error: failures[0].reason };
    remaining -= batch;
  }
  return { successes, attempted };
}
