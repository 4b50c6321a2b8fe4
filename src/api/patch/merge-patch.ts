/**
 * JSON merge patch (RFC 7386), `application/merge-patch+json`: what `kubectl
 * patch --type merge` sends, and what client-side `kubectl apply` sends for
 * custom resources.
 *
 * Objects merge member by member, `null` deletes a member, and everything else
 * (arrays included) replaces the target wholesale.
 */
import {
  cloneJson,
  hasOwn,
  isJsonObject,
  jsonEqual,
  setOwn,
  withStackGuard,
} from './json-value.ts';
import type { JsonObject } from './json-value.ts';

/**
 * Applies a JSON merge patch. Pure: neither input is modified, and the result
 * shares no objects with them (the caller owns it and may mutate it). Any JSON
 * value is a valid patch; a patch that is not an object replaces the document.
 * Member order: the document's members keep their order, new ones follow in the
 * patch's order.
 */
export function applyMergePatch(document: unknown, patch: unknown): unknown {
  return withStackGuard('merge patch', () => merge(document, patch));
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = {};
  const base = isJsonObject(target) ? target : undefined;
  if (base !== undefined) {
    for (const key of Object.keys(base)) {
      if (!hasOwn(patch, key)) setOwn(out, key, cloneJson(base[key]));
      else if (patch[key] !== null) setOwn(out, key, merge(base[key], patch[key]));
    }
  }
  for (const key of Object.keys(patch)) {
    if (base !== undefined && hasOwn(base, key)) continue;
    if (patch[key] !== null) setOwn(out, key, merge(undefined, patch[key]));
  }
  return out;
}

/**
 * The merge patch that turns `original` into `modified`: members that differ,
 * `null` for members that went away. Pure; the patch shares no objects with the
 * inputs.
 *
 * A merge patch cannot say "set this member to null" (null means delete), so for
 * a `modified` object with null members, applying the patch yields the object
 * without them.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  return withStackGuard('merge patch', () => diff(original, modified));
}

function diff(original: unknown, modified: unknown): unknown {
  if (!isJsonObject(original) || !isJsonObject(modified)) return cloneJson(modified);
  const patch: JsonObject = {};
  for (const key of Object.keys(original)) {
    if (!hasOwn(modified, key)) setOwn(patch, key, null);
  }
  for (const key of Object.keys(modified)) {
    const to = modified[key];
    if (!hasOwn(original, key)) {
      setOwn(patch, key, cloneJson(to));
      continue;
    }
    const from = original[key];
    if (isJsonObject(from) && isJsonObject(to)) {
      const sub = diff(from, to) as JsonObject;
      if (Object.keys(sub).length > 0) setOwn(patch, key, sub);
    } else if (!jsonEqual(from, to)) {
      setOwn(patch, key, cloneJson(to));
    }
  }
  return patch;
}
