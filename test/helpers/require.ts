/**
 * Skipping a test for a missing tool, with the reason. In CI (VERGE_REQUIRE_ALL=1,
 * set by .ci/run, which installs every tool) a missing tool fails the test
 * instead, so nothing is silently skipped there.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/** Returns true (after skipping) when `available` is false. */
export function skipUnless(t: TestContext, available: boolean, reason: string): boolean {
  if (available) return false;
  if (process.env.VERGE_REQUIRE_ALL) assert.fail(`${reason} (required: VERGE_REQUIRE_ALL is set)`);
  t.skip(reason);
  return true;
}
