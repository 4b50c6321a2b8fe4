/**
 * Strategic merge patch, `application/strategic-merge-patch+json`: what
 * `kubectl patch` sends by default and what client-side `kubectl apply`, `edit`,
 * `label`, `annotate` and `scale` send for built-in kinds. Semantics follow
 * Kubernetes' apimachinery `strategicpatch` as the API server applies it; this
 * is an independent implementation.
 *
 * A JSON merge patch whose lists can merge. The schema says how, per field:
 *   - `x-kubernetes-patch-strategy: merge` + `x-kubernetes-patch-merge-key: k`
 *     on a list of objects: patch elements update the element with the same `k`
 *     (recursively) or are added; the rest stay.
 *   - `merge` on a list of scalars: set union.
 *   - no strategy (or `replace`): the patch list replaces the list; `replace` on
 *     an object field replaces the object.
 * Objects merge member by member and `null` deletes a member. Where the schema
 * knows nothing (no schema, a field it does not declare,
 * `x-kubernetes-preserve-unknown-fields`), that is exactly a JSON merge patch.
 *
 * Directives in the patch (never in the result):
 *   - `$patch: replace` in an object: the object replaces the current one.
 *     As a list element (`- $patch: replace`): the list's other elements
 *     replace the list.
 *   - `$patch: delete` in an object: the member holding it is deleted. As a
 *     list element `{k: v, $patch: delete}`: every element with `k: v` goes.
 *   - `$patch: merge`: the default, stated explicitly.
 *   - `$retainKeys: [..]`: members of the object not listed are dropped (union
 *     one-ofs such as a Volume's source, a Deployment's strategy); every member
 *     the patch sets must be listed.
 *   - `$deleteFromPrimitiveList/<field>: [..]`: values to remove from a list of
 *     scalars.
 *   - `$setElementOrder/<field>: [..]`: the order of a merging list (its
 *     scalars, or objects holding only the merge key).
 *
 * Element order of a merged list, as Kubernetes computes it: elements named in
 * the patch take the patch's relative order; elements only on the server keep
 * theirs; the two are interleaved by server position, and an element the server
 * did not have goes before the remaining server-only ones (so, without
 * `$setElementOrder`, a new element lands first). `$setElementOrder` then
 * orders the named elements the same way.
 *
 * Where this deliberately differs from apimachinery (whose behaviour there is
 * an accident of its implementation, not a contract):
 *   - `{$patch: delete}` removes the member; apimachinery leaves `{}` behind.
 *   - `$patch: merge` in an object is accepted (apimachinery rejects it).
 *   - a new object carrying `$patch: replace` is added; apimachinery drops it.
 *   - directives and nulls inside new or replaced values are interpreted (nulls
 *     dropped from objects) rather than copied into the result.
 *   - original list elements without the merge key are kept as they are rather
 *     than failing the patch; patch elements without it still fail it.
 *   - `$deleteFromPrimitiveList` on a list without merge strategy removes the
 *     values (apimachinery replaces the list with the deletion list).
 *   - `$setElementOrder` is ignored on lists without merge strategy.
 *   - a `$`-prefixed member that the schema of its object does not declare is an
 *     unknown directive (InvalidError); apimachinery stores it as a field.
 */
import { InvalidError } from '../../util/errors.ts';
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import {
  cloneJson,
  describeType,
  hasOwn,
  isJsonObject,
  scalarKey,
  setOwn,
  shortJson,
  withStackGuard,
} from './json-value.ts';
import type { JsonObject } from './json-value.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** What `{$patch: delete}` turns into: the member holding it goes. */
const DELETED = Symbol('deleted');

/** A field path, built only as far as the patch goes and printed only for errors. */
interface Path {
  readonly up: Path | undefined;
  readonly seg: string;
}

function child(up: Path | undefined, seg: string): Path {
  return { up, seg };
}

function pathText(path: Path | undefined): string {
  const segs: string[] = [];
  for (let p = path; p !== undefined; p = p.up) segs.push(p.seg);
  let out = '';
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i];
    out += seg.startsWith('[') || out === '' ? seg : `.${seg}`;
  }
  return out;
}

function invalid(path: Path | undefined, message: string): InvalidError {
  const field = pathText(path);
  return new InvalidError(message, {
    reason: 'BadRequest',
    causes: [{ reason: 'FieldValueInvalid', message, ...(field ? { field } : {}) }],
  });
}

function noMergeKey(path: Path | undefined, element: unknown, mergeKey: string): InvalidError {
  return invalid(
    path,
    `map: ${shortJson(element)} does not contain declared merge key: ${mergeKey}`,
  );
}

interface Context {
  resolver: SchemaResolver;
}

/**
 * Applies a strategic merge patch to `document`, whose root has schema `schema`
 * (the kind's definition; `undefined` makes this a JSON merge patch). Pure:
 * neither input is modified, and the result shares no objects with them (the
 * caller owns it).
 *
 * Throws `InvalidError` (`details.reason: 'BadRequest'`, the field in
 * `details.causes`) for a patch that is not an object, malformed or unknown
 * directives, a merging list element without its merge key, `$retainKeys` not
 * covering the patch, `$setElementOrder` contradicting the patch list, and lists
 * that cannot merge (lists of lists, objects mixed with scalars).
 */
export function applyStrategicMergePatch(
  document: unknown,
  patch: unknown,
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
): unknown {
  if (!isJsonObject(patch)) {
    throw new InvalidError(
      `strategic merge patch must be a JSON object, got ${describeType(patch)}`,
      { reason: 'BadRequest' },
    );
  }
  if (document !== null && document !== undefined && !isJsonObject(document)) {
    throw new InvalidError(
      `strategic merge patch applies to a JSON object, got ${describeType(document)}`,
      { reason: 'BadRequest' },
    );
  }
  const ctx: Context = { resolver };
  return withStackGuard('strategic merge patch', () => {
    const original = isJsonObject(document) ? document : undefined;
    const result = mergeObject(ctx, original, patch, resolver.resolve(schema), undefined);
    return result === DELETED ? {} : result;
  });
}

// ---------------------------------------------------------------------------
// Schema

function strategies(schema: JSONSchemaProps | undefined): Set<string> {
  const text = schema?.['x-kubernetes-patch-strategy'];
  if (!text) return new Set();
  return new Set(text.split(',').map((s) => s.trim()));
}

function isMergingList(schema: JSONSchemaProps | undefined): boolean {
  return strategies(schema).has('merge');
}

/**
 * The resolved schema of member `key`, or undefined where the schema knows
 * nothing. Declared members are looked up as own properties only, so member
 * names such as `constructor` never resolve to something inherited.
 */
function memberSchema(
  ctx: Context,
  schema: JSONSchemaProps | undefined,
  key: string,
): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  if (schema.properties !== undefined && hasOwn(schema.properties, key)) {
    return ctx.resolver.resolve(schema.properties[key]);
  }
  const additional = schema.additionalProperties;
  return typeof additional === 'object' ? ctx.resolver.resolve(additional) : undefined;
}

/**
 * A `$`-member that is no directive, in an object whose schema lists its
 * members and does not list this one: a misspelt directive, not data. (Schemas
 * that do declare `$`-members, such as a CRD's `$ref`, keep them as data, as do
 * objects the schema knows nothing about.)
 */
function isUnknownDirective(schema: JSONSchemaProps | undefined, key: string): boolean {
  if (schema?.properties === undefined) return false;
  if (hasOwn(schema.properties, key)) return false;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    return false;
  }
  return schema['x-kubernetes-preserve-unknown-fields'] !== true;
}

// ---------------------------------------------------------------------------
// Objects

type Directive = 'replace' | 'delete' | 'merge';

function directiveOf(object: JsonObject, path: Path | undefined): Directive | undefined {
  if (!hasOwn(object, PATCH)) return undefined;
  const d = object[PATCH];
  if (d === 'replace' || d === 'delete' || d === 'merge') return d;
  throw invalid(
    path,
    `unknown patch type: ${typeof d === 'string' ? d : shortJson(d)} in map: ${shortJson(object)}`,
  );
}

/** `$deleteFromPrimitiveList/<field>` -> `<field>`; undefined if malformed. */
function directiveTarget(key: string, prefix: string): string | undefined {
  if (key.length <= prefix.length + 1 || key[prefix.length] !== '/') return undefined;
  return key.slice(prefix.length + 1);
}

/**
 * Merges `patch` into `original` (undefined: nothing there yet). Returns a new
 * object, or DELETED for `$patch: delete`.
 */
function mergeObject(
  ctx: Context,
  original: JsonObject | undefined,
  patch: JsonObject,
  schema: JSONSchemaProps | undefined,
  path: Path | undefined,
): JsonObject | typeof DELETED {
  const directive = directiveOf(patch, path);
  if (directive === 'delete') return DELETED;
  if (directive === 'replace') original = undefined;

  let retain: Set<string> | undefined;
  const deletions = new Map<string, unknown[]>();
  const orders = new Map<string, unknown[]>();
  const fields = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (key === PATCH) continue;
    const value = patch[key];
    if (key === RETAIN_KEYS) {
      if (!Array.isArray(value)) {
        throw invalid(path, `invalid patch format of retainKeys: ${RETAIN_KEYS} must be a list`);
      }
      retain = new Set(value.filter((v): v is string => typeof v === 'string'));
    } else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const target = directiveTarget(key, DELETE_FROM_PRIMITIVE_LIST);
      if (target === undefined || !Array.isArray(value)) {
        throw invalid(
          path,
          `invalid patch format of primitive list: ${JSON.stringify(key)} must be ` +
            `${DELETE_FROM_PRIMITIVE_LIST}/<field> with a list of values`,
        );
      }
      deletions.set(target, value);
    } else if (key.startsWith(SET_ELEMENT_ORDER)) {
      const target = directiveTarget(key, SET_ELEMENT_ORDER);
      if (target === undefined || !Array.isArray(value)) {
        throw invalid(
          path,
          `invalid patch format of setElementOrder list: ${JSON.stringify(key)} must be ` +
            `${SET_ELEMENT_ORDER}/<field> with a list`,
        );
      }
      orders.set(target, value);
    } else {
      if (key.startsWith('$') && isUnknownDirective(schema, key)) {
        throw invalid(child(path, key), `unknown strategic merge patch directive: ${key}`);
      }
      fields.add(key);
    }
  }

  if (retain !== undefined) {
    for (const key of fields) {
      if (patch[key] !== null && !retain.has(key)) {
        throw invalid(
          child(path, key),
          `invalid patch format of retainKeys: ${JSON.stringify(key)} is set by the patch ` +
            `but not listed in ${RETAIN_KEYS}`,
        );
      }
    }
  }

  const result: JsonObject = {};
  const touched = (key: string) => fields.has(key) || deletions.has(key) || orders.has(key);
  const done = new Set<string>();
  const current = (key: string): unknown =>
    original !== undefined && hasOwn(original, key) && (retain === undefined || retain.has(key))
      ? original[key]
      : undefined;

  const mergeMember = (key: string): void => {
    done.add(key);
    const sub = memberSchema(ctx, schema, key);
    const at = child(path, key);
    const was = current(key);
    let value: unknown;
    if (fields.has(key)) {
      const patchValue = patch[key];
      if (patchValue === null) return;
      value = mergeValue(ctx, was, patchValue, sub, at);
      if (value === DELETED) return;
    } else {
      if (was === undefined) return;
      value = cloneJson(was);
    }
    const order = orders.get(key);
    if (order !== undefined && Array.isArray(value)) {
      const patchList =
        fields.has(key) && Array.isArray(patch[key]) ? (patch[key] as unknown[]) : undefined;
      value = setElementOrder(value, order, Array.isArray(was) ? was : [], patchList, sub, at);
    }
    const deletion = deletions.get(key);
    if (deletion !== undefined && Array.isArray(value)) value = deleteValues(value, deletion);
    setOwn(result, key, value);
  };

  if (original !== undefined) {
    for (const key of Object.keys(original)) {
      if (retain !== undefined && !retain.has(key)) continue;
      if (touched(key)) mergeMember(key);
      else setOwn(result, key, cloneJson(original[key]));
    }
  }
  for (const key of fields) if (!done.has(key)) mergeMember(key);
  for (const key of orders.keys()) if (!done.has(key)) mergeMember(key);
  for (const key of deletions.keys()) if (!done.has(key)) mergeMember(key);
  return result;
}

/** The new value of a member or list element: `patch` (not null) merged into `original`. */
function mergeValue(
  ctx: Context,
  original: unknown,
  patch: unknown,
  schema: JSONSchemaProps | undefined,
  path: Path,
): unknown {
  if (isJsonObject(patch)) {
    const base =
      isJsonObject(original) && !strategies(schema).has('replace') ? original : undefined;
    return mergeObject(ctx, base, patch, schema, path);
  }
  if (Array.isArray(patch)) {
    return Array.isArray(original)
      ? mergeList(ctx, original, patch, schema, path)
      : freshList(ctx, patch, schema, path);
  }
  return patch;
}

// ---------------------------------------------------------------------------
// Lists

/**
 * A list with nothing to merge into (a new member, or a list that replaces):
 * its elements with their directives interpreted. Marker elements
 * (`$patch: replace|delete`) are dropped.
 */
function freshList(
  ctx: Context,
  patch: unknown[],
  schema: JSONSchemaProps | undefined,
  path: Path,
): unknown[] {
  const items = schema === undefined ? undefined : ctx.resolver.items(schema);
  const out: unknown[] = [];
  for (let i = 0; i < patch.length; i++) {
    const element = patch[i];
    const at = child(path, `[${i}]`);
    if (isJsonObject(element)) {
      const d = directiveOf(element, at);
      if (d === 'delete' || d === 'replace') continue;
      if (d === 'merge' && Object.keys(element).length === 1) continue;
    }
    if (element === null) {
      out.push(null);
      continue;
    }
    const value = mergeValue(ctx, undefined, element, items, at);
    if (value !== DELETED) out.push(value);
  }
  return out;
}

/** How a merging list is keyed: by the merge key of objects, or by value for scalars. */
function elementKind(original: unknown[], patch: unknown[], path: Path): 'objects' | 'scalars' {
  let objects = 0;
  let others = 0;
  for (const list of [original, patch]) {
    for (const element of list) {
      if (Array.isArray(element)) throw invalid(path, 'lists of lists are not supported');
      if (isJsonObject(element)) objects++;
      else others++;
    }
  }
  if (objects > 0 && others > 0) {
    throw invalid(path, 'list element types are not identical: objects mixed with other values');
  }
  return objects > 0 ? 'objects' : 'scalars';
}

/** One element of a list being merged; `pos` is its server position (undefined if new). */
interface Entry {
  value: unknown;
  /** Already a new value (merged or built from the patch), else the original's, to copy. */
  fresh: boolean;
  key: string | undefined;
  pos: number | undefined;
}

function mergeList(
  ctx: Context,
  original: unknown[],
  patch: unknown[],
  schema: JSONSchemaProps | undefined,
  path: Path,
): unknown[] {
  if (!isMergingList(schema)) return freshList(ctx, patch, schema, path);
  if (original.length === 0 && patch.length === 0) return [];
  if (elementKind(original, patch, path) === 'scalars') return mergeScalars(original, patch);

  const mergeKey = schema?.['x-kubernetes-patch-merge-key'];
  if (!mergeKey) throw invalid(path, 'cannot merge lists of objects without a merge key');
  const items = ctx.resolver.items(schema);

  let replace = false;
  const deleteKeys = new Set<string>();
  const elements: { element: JsonObject; at: Path }[] = [];
  for (let i = 0; i < patch.length; i++) {
    const element = patch[i] as JsonObject;
    const at = child(path, `[${i}]`);
    const d = directiveOf(element, at);
    if (d === 'delete') {
      if (!hasOwn(element, mergeKey)) throw noMergeKey(at, element, mergeKey);
      deleteKeys.add(scalarKey(element[mergeKey]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d !== 'merge' || Object.keys(element).length > 1) {
      elements.push({ element, at });
    }
  }

  if (replace) {
    const out: unknown[] = [];
    for (const { element, at } of elements) {
      const value = mergeObject(ctx, undefined, element, items, at);
      if (value !== DELETED) out.push(value);
    }
    return out;
  }

  const keyOf = (element: unknown): string | undefined =>
    isJsonObject(element) && hasOwn(element, mergeKey) ? scalarKey(element[mergeKey]) : undefined;

  // The server's elements left after deletions, each with its position: that of
  // the first element with the same key, as Kubernetes looks elements up.
  const entries: Entry[] = [];
  const at = new Map<string, number>();
  for (const value of original) {
    const key = keyOf(value);
    if (key !== undefined && deleteKeys.has(key)) continue;
    let pos = entries.length;
    if (key !== undefined) {
      const first = at.get(key);
      if (first === undefined) at.set(key, pos);
      else pos = first;
    }
    entries.push({ value, fresh: false, key, pos });
  }

  const patchPos = new Map<string, number>();
  for (const { element, at: elementPath } of elements) {
    if (!hasOwn(element, mergeKey)) throw noMergeKey(elementPath, element, mergeKey);
    const key = scalarKey(element[mergeKey]);
    if (!patchPos.has(key)) patchPos.set(key, patchPos.size);
    const i = at.get(key);
    if (i === undefined) {
      const value = mergeObject(ctx, undefined, element, items, elementPath);
      at.set(key, entries.length);
      entries.push({ value, fresh: true, key, pos: undefined });
    } else {
      const entry = entries[i];
      entry.value = mergeObject(ctx, entry.value as JsonObject, element, items, elementPath);
      entry.fresh = true;
    }
  }

  const patchItems: Entry[] = [];
  const serverOnly: Entry[] = [];
  for (const entry of entries) {
    (entry.key !== undefined && patchPos.has(entry.key) ? patchItems : serverOnly).push(entry);
  }
  sortBy(patchItems, (e) => patchPos.get(e.key as string));
  sortBy(serverOnly, (e) => e.pos);
  return interleave(serverOnly, patchItems).map((e) => (e.fresh ? e.value : cloneJson(e.value)));
}

/** Set union of two lists of scalars, ordered as Kubernetes orders it. */
function mergeScalars(original: unknown[], patch: unknown[]): unknown[] {
  const serverPos = new Map<string, number>();
  const serverOnly: Entry[] = [];
  for (let i = 0; i < original.length; i++) {
    const key = scalarKey(original[i]);
    if (serverPos.has(key)) continue;
    serverPos.set(key, i);
  }
  const patchItems: Entry[] = [];
  const inPatch = new Set<string>();
  for (const value of patch) {
    const key = scalarKey(value);
    if (inPatch.has(key)) continue;
    inPatch.add(key);
    patchItems.push({ value, fresh: true, key, pos: serverPos.get(key) });
  }
  for (const [key, pos] of serverPos) {
    if (!inPatch.has(key)) serverOnly.push({ value: original[pos], fresh: true, key, pos });
  }
  return interleave(serverOnly, patchItems).map((e) => e.value);
}

/**
 * Kubernetes' interleaving of server-only elements (`left`, in server order)
 * with patch elements (`right`, in patch order): take the left one only while
 * both are known to the server and the left one came first there.
 */
function interleave(left: Entry[], right: Entry[]): Entry[] {
  const out: Entry[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const l = left[i].pos;
      const r = right[j].pos;
      out.push(l !== undefined && r !== undefined && l < r ? left[i++] : right[j++]);
    }
  }
  return out;
}

/** Stable sort by a numeric rank; unranked entries go last, in their order. */
function sortBy(entries: Entry[], rank: (e: Entry) => number | undefined): void {
  const ranked = entries.map((e, i) => ({ e, r: rank(e) ?? Number.MAX_SAFE_INTEGER, i }));
  ranked.sort((a, b) => a.r - b.r || a.i - b.i);
  for (let i = 0; i < ranked.length; i++) entries[i] = ranked[i].e;
}

/**
 * Reorders a merged list by `$setElementOrder`: listed elements take the
 * directive's order, the others keep the server's, interleaved as in a merge.
 * First checks that the patch list names its elements in the directive's order.
 */
function setElementOrder(
  list: unknown[],
  order: unknown[],
  original: unknown[],
  patchList: unknown[] | undefined,
  schema: JSONSchemaProps | undefined,
  path: Path,
): unknown[] {
  if (!isMergingList(schema) || list.length === 0 || order.length === 0) return list;
  const mergeKey = schema?.['x-kubernetes-patch-merge-key'];
  const objects = mergeKey !== undefined && list.some(isJsonObject);
  const keyOf = objects
    ? (e: unknown) => (isJsonObject(e) && hasOwn(e, mergeKey) ? scalarKey(e[mergeKey]) : undefined)
    : (e: unknown) => scalarKey(e);

  const orderPath = child(path.up, `${SET_ELEMENT_ORDER}/${path.seg}`);
  const orderPos = new Map<string, number>();
  for (let i = 0; i < order.length; i++) {
    const key = keyOf(order[i]);
    if (key === undefined) throw noMergeKey(child(orderPath, `[${i}]`), order[i], mergeKey ?? '');
    if (!orderPos.has(key)) orderPos.set(key, i);
  }

  if (patchList !== undefined) {
    // The patch's elements must appear in the directive, in the same order.
    const named = patchList.filter((e) => !(isJsonObject(e) && hasOwn(e, PATCH)));
    let next = 0;
    for (const o of order) {
      if (next < named.length && keyOf(named[next]) === keyOf(o)) next++;
    }
    if (next < named.length) {
      throw invalid(
        path,
        `the order in patch list: ${shortJson(patchList)} doesn't match ` +
          `${SET_ELEMENT_ORDER} list: ${shortJson(order)}`,
      );
    }
  }

  const serverPos = new Map<string, number>();
  for (let i = 0; i < original.length; i++) {
    const key = keyOf(original[i]);
    if (key !== undefined && !serverPos.has(key)) serverPos.set(key, i);
  }
  const listed: Entry[] = [];
  const rest: Entry[] = [];
  for (const value of list) {
    const key = keyOf(value);
    const entry: Entry = {
      value,
      fresh: true,
      key,
      pos: key === undefined ? undefined : serverPos.get(key),
    };
    (key !== undefined && orderPos.has(key) ? listed : rest).push(entry);
  }
  sortBy(listed, (e) => orderPos.get(e.key as string));
  sortBy(rest, (e) => e.pos);
  return interleave(rest, listed).map((e) => e.value);
}

/** `$deleteFromPrimitiveList`: drops every scalar equal to one of `values`. */
function deleteValues(list: unknown[], values: unknown[]): unknown[] {
  const gone = new Set(values.filter((v) => typeof v !== 'object' || v === null).map(scalarKey));
  return list.filter((e) => (typeof e === 'object' && e !== null) || !gone.has(scalarKey(e)));
}
