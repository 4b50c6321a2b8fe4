/**
 * Small helpers for JSON values as `JSON.parse` produces them, shared by the
 * three patch formats.
 *
 * Keys are data: `__proto__` and `constructor` are ordinary member names. Reads
 * go through `Object.hasOwn`, and writes of `__proto__` define an own property,
 * so a patch can neither read through to `Object.prototype` nor replace an
 * object's prototype.
 */
import { InvalidError } from '../../util/errors.ts';

export type JsonObject = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const hasOwn = (object: object, key: string): boolean => Object.hasOwn(object, key);

/** Sets an own, enumerable member, even one named `__proto__`. */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

/** A deep copy that shares nothing with `value`. */
export function cloneJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out;
  }
  const out: JsonObject = {};
  for (const key of Object.keys(value)) setOwn(out, key, cloneJson((value as JsonObject)[key]));
  return out;
}

/** Equality of JSON values: numbers by value, objects regardless of member order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  for (const key of ak) {
    if (!hasOwn(b, key) || !jsonEqual((a as JsonObject)[key], (b as JsonObject)[key])) return false;
  }
  return true;
}

/**
 * An identity for a scalar used to match list elements, as Go's `==` on decoded
 * JSON does: `1` and `"1"` differ, `1` and `1.0` do not. Non-scalars (which
 * Kubernetes cannot compare) fall back to their JSON text.
 */
export function scalarKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
  }
  return value === null ? 'null' : `j${JSON.stringify(value)}`;
}

/** `object`, `array`, `string`, `null`, ... for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** JSON text of `value`, cut short for error messages. */
export function shortJson(value: unknown, max = 200): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/**
 * Runs `fn`, turning a stack overflow (a patch or document nested deeper than
 * the recursion can follow) into an `InvalidError` instead of a crash.
 */
export function withStackGuard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new InvalidError(`${what}: nested too deeply`, { cause: err, reason: 'BadRequest' });
    }
    throw err;
  }
}
