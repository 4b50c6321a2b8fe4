/** Helpers shared by the patch tests. */
import assert from 'node:assert/strict';
import { isInvalid } from '../../util/errors.ts';
import type { InvalidError } from '../../util/errors.ts';

/** Freezes `value` all the way down, so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A deep copy through JSON text (what the API server would have parsed). */
export function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Asserts that `fn` throws an InvalidError whose message matches `message`; returns it. */
export function assertInvalid(fn: () => unknown, message: RegExp | string): InvalidError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, 'expected an InvalidError, nothing was thrown');
  assert.ok(isInvalid(thrown), `expected an InvalidError, got ${String(thrown)}`);
  if (typeof message === 'string') assert.equal(thrown.message, message);
  else assert.match(thrown.message, message);
  return thrown;
}
