/**
 * Safe reads of request bodies. Validators see objects as clients sent them:
 * typed by the interfaces of src/api/types, but a field may still hold the
 * wrong JSON type. These helpers return an empty value instead of throwing, so a
 * malformed object gets field causes, never a TypeError.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The elements of `v`, or [] when it is not an array. */
export function list<T>(v: readonly T[] | undefined | null | unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** `v` if it is a string, else "". */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** `v` if it is a plain object (a map), else undefined. */
export function map(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

/** Keys of a map in sorted order, so causes come out in a stable order. */
export function sortedKeys(v: unknown): string[] {
  return isObject(v) ? Object.keys(v).sort() : [];
}

/** Set in the JSON sense: present and not null. */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** A number, or undefined for anything else. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * Equality of JSON values the way Kubernetes compares decoded objects: a field
 * that is absent equals one that is null, and key order does not matter.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!jsonEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** One difference between two JSON values: where, and the value on each side. */
export interface JsonChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** Where two JSON values differ (at most `limit` places), for "what changed" messages. */
export function jsonDiff(
  a: unknown,
  b: unknown,
  path: string,
  out: JsonChange[] = [],
  limit = 20,
): JsonChange[] {
  if (out.length >= limit || jsonEqual(a, b)) return out;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => jsonDiff(x, b[i], `${path}[${i}]`, out, limit));
    return out;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      jsonDiff(a[k], b[k], path ? `${path}.${k}` : k, out, limit);
    }
    return out;
  }
  out.push({ path, before: a, after: b });
  return out;
}
