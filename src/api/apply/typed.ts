/**
 * Walks objects alongside their schema the way structured-merge-diff does, for
 * server-side apply and managedFields: the set of fields an object holds
 * (`fieldsOf`), the fields that differ between two objects (`compareObjects`),
 * merging a configuration into a live object (`mergeObjects`) and removing a set
 * of fields (`removeFields`).
 *
 * How a value is walked follows its schema:
 * - maps (objects) are granular: each key is its own field, unless the schema says
 *   `x-kubernetes-map-type: atomic`;
 * - lists are atomic (one field, replaced whole) unless `x-kubernetes-list-type`
 *   is `map` (items identified by `x-kubernetes-list-map-keys`, `k:` elements) or
 *   `set` (scalar items identified by value, `v:` elements);
 * - where there is no schema (unknown fields, `x-kubernetes-preserve-unknown-fields`)
 *   the shape is deduced from the value: objects are granular maps, lists atomic.
 *
 * None of these functions mutates its inputs. Values they return are fresh where
 * they differ from the input and may share unchanged sub-trees with it.
 */
import { InvalidError } from '../../util/errors.ts';
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import { FieldSet, element, pathText, type PathElement } from './field-set.ts';

type Schema = JSONSchemaProps | undefined;
type JsonObject = Record<string, unknown>;

/** How a value is walked; see the module comment. */
type Shape =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'map'; readonly schema: Schema }
  | {
      readonly kind: 'list';
      /** Key fields of a `map` list; undefined for a `set` list. */
      readonly keys: readonly string[] | undefined;
      readonly item: Schema;
    };

const LEAF: Shape = { kind: 'leaf' };

/**
 * Everything a walk needs besides the values. `strict` is for a configuration
 * being applied: list items that cannot be identified, or that repeat, are an
 * error. Otherwise (live objects, which Kubernetes lets hold duplicates) such
 * items are kept but not tracked.
 */
export interface WalkContext {
  readonly resolver: SchemaResolver;
  readonly strict: boolean;
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values, ignoring key order; a key holding `undefined` counts as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => bo[k] !== undefined && jsonEqual(ao[k], bo[k]));
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

function resolve(ctx: WalkContext, schema: Schema): Schema {
  return schema === undefined ? undefined : ctx.resolver.resolve(schema);
}

function isMapSchema(s: JSONSchemaProps): boolean {
  if (s['x-kubernetes-int-or-string'] === true) return false;
  return (
    s.type === 'object' ||
    s.properties !== undefined ||
    s.additionalProperties !== undefined ||
    s['x-kubernetes-preserve-unknown-fields'] === true ||
    (s.type === undefined && s.items === undefined)
  );
}

function listShape(s: JSONSchemaProps): Shape {
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') return { kind: 'list', keys: undefined, item: s.items };
  const keys = s['x-kubernetes-list-map-keys'];
  if (type === 'map' && keys !== undefined && keys.length > 0) {
    return { kind: 'list', keys, item: s.items };
  }
  return LEAF;
}

/** The shape of `value` under `schema` (unresolved). `null` takes the shape its schema gives a container. */
function shapeOf(ctx: WalkContext, schema: Schema, value: unknown): Shape {
  const s = resolve(ctx, schema);
  if (Array.isArray(value) || (value === null && s !== undefined && s.type === 'array')) {
    if (s === undefined || (s.type !== 'array' && s.items === undefined)) return LEAF;
    return listShape(s);
  }
  if (isPlainObject(value) || value === null) {
    if (s === undefined) return value === null ? LEAF : { kind: 'map', schema: undefined };
    if (s['x-kubernetes-map-type'] === 'atomic' || !isMapSchema(s)) return LEAF;
    if (value === null && s.type !== 'object') return LEAF;
    return { kind: 'map', schema: s };
  }
  return LEAF;
}

/** The schema of field `name` of a map, and whether the map's schema declares it. */
function fieldOf(
  ctx: WalkContext,
  mapSchema: Schema,
  name: string,
): { schema: Schema; declared: boolean } {
  if (mapSchema === undefined) return { schema: undefined, declared: false };
  const declared = mapSchema.properties?.[name];
  if (declared !== undefined) return { schema: declared, declared: true };
  const extra = mapSchema.additionalProperties;
  return { schema: typeof extra === 'object' ? extra : undefined, declared: false };
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Why an item cannot be identified, worded as structured-merge-diff words it. */
class ItemError extends Error {}

/** The path element of a list item, or an `ItemError`. */
function itemElement(
  ctx: WalkContext,
  shape: Extract<Shape, { kind: 'list' }>,
  item: unknown,
): PathElement | ItemError {
  if (shape.keys === undefined) {
    if (isPlainObject(item)) {
      return new ItemError("associative list without keys has an element that's a map type");
    }
    if (Array.isArray(item)) {
      return new ItemError('not supported: associative list with lists as elements');
    }
    if (!isScalar(item)) {
      return new ItemError("associative list without keys has an element that's an explicit null");
    }
    return element.value(item);
  }
  if (item === null) return new ItemError('associative list with keys may not have a null element');
  if (!isPlainObject(item)) {
    return new ItemError('associative list with keys may not have non-map elements');
  }
  const itemSchema = resolve(ctx, shape.item);
  const fields: JsonObject = {};
  let found = false;
  for (const k of shape.keys) {
    let v = item[k];
    if (v === undefined) v = resolve(ctx, itemSchema?.properties?.[k])?.default;
    if (v === undefined) continue; // a partial key names a different item
    fields[k] = v;
    found = true;
  }
  if (!found) {
    return new ItemError(
      `associative list with keys has an element that omits all key fields ${goQuotedList(shape.keys)} (and doesn't have default values for any key fields)`,
    );
  }
  return element.key(fields);
}

function goQuotedList(keys: readonly string[]): string {
  return `[${keys.map((k) => JSON.stringify(k)).join(' ')}]`;
}

function typedError(path: PathElement[], message: string): InvalidError {
  const where = path.length === 0 ? '' : `${pathText(path)}: `;
  return new InvalidError(`${where}${message}`);
}

/**
 * Item elements of a list, in order. In strict mode an item that cannot be
 * identified, or a repeated one, throws; otherwise it gets `undefined`.
 */
function listElements(
  ctx: WalkContext,
  shape: Extract<Shape, { kind: 'list' }>,
  items: readonly unknown[],
  path: PathElement[],
): (PathElement | undefined)[] {
  const seen = new Set<PathElement>();
  return items.map((item, i) => {
    const el = itemElement(ctx, shape, item);
    if (el instanceof ItemError) {
      if (ctx.strict) throw typedError(path, `element ${i}: ${el.message}`);
      return undefined;
    }
    if (ctx.strict && seen.has(el)) {
      throw typedError(path, `duplicate entries for key ${pathText([el]).replace(/^\./, '')}`);
    }
    seen.add(el);
    return el;
  });
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every((x) => x === undefined);
  return false;
}

function entriesOf(v: unknown): [string, unknown][] {
  return isPlainObject(v) ? Object.entries(v).filter(([, x]) => x !== undefined) : [];
}

// ---- fieldsOf ----------------------------------------------------------------------------

/**
 * The fields `obj` holds, walked with `schema` (structured-merge-diff's
 * ToFieldSet): every scalar and every atomic list or map is a member; so is every
 * list item, every key of a map the schema does not declare (labels, deduced
 * objects) and every null or empty object. A struct field holding other fields is
 * not a member itself. List items that cannot be identified are skipped, and a
 * repeated item is a member without its fields.
 */
export function fieldsOf(obj: unknown, schema: Schema, resolver: SchemaResolver): FieldSet {
  return fieldsOfIn({ resolver, strict: false }, obj, schema);
}

export function fieldsOfIn(ctx: WalkContext, obj: unknown, schema: Schema): FieldSet {
  const out = FieldSet.empty();
  walkFields(ctx, obj, schema, [], out);
  return out;
}

function walkFields(
  ctx: WalkContext,
  v: unknown,
  schema: Schema,
  path: PathElement[],
  out: FieldSet,
): void {
  const shape = shapeOf(ctx, schema, v);
  if (shape.kind === 'leaf') {
    out.insert(path);
    return;
  }
  if (v === null) return;
  if (shape.kind === 'map') {
    for (const [k, child] of entriesOf(v)) {
      const f = fieldOf(ctx, shape.schema, k);
      path.push(element.field(k));
      walkFields(ctx, child, f.schema, path, out);
      if (child === null || (isPlainObject(child) && isEmptyContainer(child)) || !f.declared) {
        out.insert(path);
      }
      path.pop();
    }
    return;
  }
  const items = v as unknown[];
  const els = listElements(ctx, shape, items, path);
  const count = new Map<PathElement, number>();
  for (const el of els) if (el !== undefined) count.set(el, (count.get(el) ?? 0) + 1);
  items.forEach((item, i) => {
    const el = els[i];
    if (el === undefined) return;
    path.push(el);
    if (count.get(el)! > 1) out.insert(path);
    else {
      walkFields(ctx, item, shape.item, path, out);
      out.insert(path);
    }
    path.pop();
  });
}

/**
 * Adds, as members, the declared struct fields that lead to members
 * (structured-merge-diff's EnsureNamedFieldsAreMembers). Pruning needs this so
 * that owning `.spec.replicas` also counts as a claim on `.spec`.
 */
export function withNamedFields(ctx: WalkContext, set: FieldSet, schema: Schema): FieldSet {
  const out = FieldSet.empty();
  const visit = (view: FieldSet, s: Schema, prefix: PathElement[]): void => {
    const resolved = resolve(ctx, s);
    for (const el of view.elements()) {
      const below = view.child(el);
      const path = [...prefix, el];
      if (view.hasMember(el)) out.insert(path);
      if (below.isEmpty()) continue;
      let childSchema: Schema;
      if (el.startsWith('f:') && resolved !== undefined && isMapSchema(resolved)) {
        const f = fieldOf(ctx, resolved, el.slice(2));
        childSchema = f.schema;
        if (f.declared) out.insert(path);
      } else if (el.startsWith('k:') && resolved !== undefined) {
        childSchema = resolved.items;
      }
      visit(below, childSchema, path);
    }
  };
  visit(set, schema, []);
  return out;
}

// ---- validation of a configuration ----------------------------------------------------------

/**
 * Checks that every associative list item in `obj` can be identified and appears
 * once; throws `InvalidError` naming the list otherwise. A configuration must pass
 * this before it is applied.
 */
export function checkListItems(ctx: WalkContext, obj: unknown, schema: Schema): void {
  const strict: WalkContext = { resolver: ctx.resolver, strict: true };
  const visit = (v: unknown, s: Schema, path: PathElement[]): void => {
    const shape = shapeOf(strict, s, v);
    if (shape.kind === 'leaf' || v === null) return;
    if (shape.kind === 'map') {
      for (const [k, child] of entriesOf(v)) {
        path.push(element.field(k));
        visit(child, fieldOf(strict, shape.schema, k).schema, path);
        path.pop();
      }
      return;
    }
    const items = v as unknown[];
    const els = listElements(strict, shape, items, path);
    items.forEach((item, i) => {
      path.push(els[i]!);
      visit(item, shape.item, path);
      path.pop();
    });
  };
  visit(obj, schema, []);
}

// ---- compare ---------------------------------------------------------------------------------

/** What changed from one object to another, path by path. No path is in more than one set. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * Compares `before` (undefined for a create) with `after` as structured-merge-diff
 * does: leaves that appear, change or disappear, plus every map, list or list item
 * that appears or disappears as a whole.
 *
 * `zeroStructs` models what Kubernetes compares a created object against: the Go
 * zero value of its type, in which every struct field (a schema with
 * `properties`) already exists, empty, and every required list or map (a Go
 * field without omitempty) exists as null. With it, a create records `.spec` and
 * `.spec.template.spec.containers` as parents only, while optional maps and lists
 * and every list item it adds are members (`"."`), as in the managedFields of
 * built-in objects created by `kubectl create`. (Pointer structs cannot be told
 * from value structs by their schema; they are treated as value structs.)
 */
export function compareObjects(
  ctx: WalkContext,
  before: unknown,
  after: unknown,
  schema: Schema,
  zeroStructs = false,
): Comparison {
  const cmp: Comparison = {
    added: FieldSet.empty(),
    modified: FieldSet.empty(),
    removed: FieldSet.empty(),
  };
  walkCompare(ctx, before, after, schema, [], cmp, zeroStructs);
  return cmp;
}

function isStruct(ctx: WalkContext, schema: Schema): boolean {
  const s = resolve(ctx, schema);
  return (
    s !== undefined &&
    s.properties !== undefined &&
    Object.keys(s.properties).length > 0 &&
    s['x-kubernetes-map-type'] !== 'atomic' &&
    isMapSchema(s)
  );
}

function compareLeaf(l: unknown, r: unknown, path: PathElement[], cmp: Comparison): void {
  if (l === undefined) cmp.added.insert(path);
  else if (r === undefined) cmp.removed.insert(path);
  else if (!jsonEqual(l, r)) cmp.modified.insert(path);
}

function walkCompare(
  ctx: WalkContext,
  l: unknown,
  r: unknown,
  schema: Schema,
  path: PathElement[],
  cmp: Comparison,
  zeroStructs: boolean,
): void {
  if (l === undefined && r === undefined) return;
  if (zeroStructs && l === undefined && isPlainObject(r) && !isEmptyContainer(r)) {
    if (path.length === 0 || isStruct(ctx, schema)) {
      const s = resolve(ctx, schema);
      for (const [k, rv] of entriesOf(r)) {
        const f = fieldOf(ctx, s, k);
        // A required list or map is a Go field without omitempty: null in the zero
        // value, so its items are new but the list itself is not.
        const container = Array.isArray(rv) || isPlainObject(rv);
        const zero =
          container && s?.required?.includes(k) === true && !isStruct(ctx, f.schema)
            ? null
            : undefined;
        path.push(element.field(k));
        walkCompare(ctx, zero, rv, f.schema, path, cmp, true);
        path.pop();
      }
      return;
    }
  }
  const ls = l === undefined ? undefined : shapeOf(ctx, schema, l);
  const rs = r === undefined ? undefined : shapeOf(ctx, schema, r);
  let shape = (rs ?? ls)!;
  if (ls !== undefined && rs !== undefined && ls.kind !== rs.kind) shape = LEAF;
  if (shape.kind === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
    compareLeaf(l, r, path, cmp);
    return;
  }
  if (shape.kind === 'map') {
    const keys = new Set<string>();
    for (const [k] of entriesOf(l)) keys.add(k);
    for (const [k] of entriesOf(r)) keys.add(k);
    for (const k of keys) {
      const lv = isPlainObject(l) ? l[k] : undefined;
      const rv = isPlainObject(r) ? r[k] : undefined;
      path.push(element.field(k));
      walkCompare(ctx, lv, rv, fieldOf(ctx, shape.schema, k).schema, path, cmp, false);
      path.pop();
    }
  } else {
    compareLists(ctx, shape, l, r, path, cmp);
  }
  if (l === undefined) cmp.added.insert(path);
  else if (r === undefined) cmp.removed.insert(path);
}

function groupItems(
  ctx: WalkContext,
  shape: Extract<Shape, { kind: 'list' }>,
  v: unknown,
  path: PathElement[],
  groups: Map<PathElement, unknown[]>,
  order: PathElement[],
): void {
  if (!Array.isArray(v)) return;
  const els = listElements(ctx, shape, v, path);
  v.forEach((item, i) => {
    const el = els[i];
    if (el === undefined) return;
    const g = groups.get(el);
    if (g !== undefined) g.push(item);
    else {
      groups.set(el, [item]);
      order.push(el);
    }
  });
}

function compareLists(
  ctx: WalkContext,
  shape: Extract<Shape, { kind: 'list' }>,
  l: unknown,
  r: unknown,
  path: PathElement[],
  cmp: Comparison,
): void {
  const lGroups = new Map<PathElement, unknown[]>();
  const rGroups = new Map<PathElement, unknown[]>();
  const order: PathElement[] = [];
  groupItems(ctx, shape, l, path, lGroups, order);
  const rOrder: PathElement[] = [];
  groupItems(ctx, shape, r, path, rGroups, rOrder);
  for (const el of rOrder) if (!lGroups.has(el)) order.push(el);
  for (const el of order) {
    const lg = lGroups.get(el) ?? [];
    const rg = rGroups.get(el) ?? [];
    path.push(el);
    if (lg.length <= 1 && rg.length <= 1) {
      walkCompare(ctx, lg[0], rg[0], shape.item, path, cmp, false);
    } else if (lg.length >= 2 && rg.length >= 2) {
      // Repeated items are compared as one atomic value.
      if (!jsonEqual(lg, rg)) cmp.modified.insert(path);
    } else if (lg.length >= 2) {
      if (rg.length > 0) walkCompare(ctx, undefined, rg[0], shape.item, path, cmp, false);
      cmp.removed.insert(path);
    } else {
      if (lg.length > 0) walkCompare(ctx, lg[0], undefined, shape.item, path, cmp, false);
      cmp.added.insert(path);
    }
    path.pop();
  }
}

// ---- merge -------------------------------------------------------------------------------------

/**
 * Merges configuration `r` into live value `l` (structured-merge-diff's Merge):
 * leaves and atomic values take `r`'s value; granular maps merge key by key;
 * `map` and `set` lists merge item by item, `r`'s items in `r`'s order with live
 * items `r` does not mention kept near where they were. The configuration must
 * have passed `checkListItems`. Returns a fresh value sharing nothing with either input.
 */
export function mergeObjects(ctx: WalkContext, l: unknown, r: unknown, schema: Schema): unknown {
  return walkMerge(ctx, l, r, schema, []);
}

function walkMerge(
  ctx: WalkContext,
  l: unknown,
  r: unknown,
  schema: Schema,
  path: PathElement[],
): unknown {
  if (r === undefined) return cloneJson(l);
  if (l === undefined) return cloneJson(r);
  const ls = shapeOf(ctx, schema, l);
  const rs = shapeOf(ctx, schema, r);
  if (ls.kind !== rs.kind || rs.kind === 'leaf') return cloneJson(r);
  if (isEmptyContainer(l) && isEmptyContainer(r)) return cloneJson(r);
  if (rs.kind === 'map') {
    const out: JsonObject = {};
    const lo = isPlainObject(l) ? l : {};
    const ro = isPlainObject(r) ? r : {};
    for (const [k, lv] of entriesOf(lo)) {
      path.push(element.field(k));
      out[k] = walkMerge(ctx, lv, ro[k], fieldOf(ctx, rs.schema, k).schema, path);
      path.pop();
    }
    for (const [k, rv] of entriesOf(ro)) {
      if (Object.hasOwn(out, k)) continue;
      out[k] = cloneJson(rv);
    }
    return out;
  }
  return mergeLists(ctx, rs, Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], path);
}

/** Marks a live item repeated under one key; such items are replaced by the configuration's item. */
const REPEATED = Symbol('repeated');

function mergeLists(
  ctx: WalkContext,
  shape: Extract<Shape, { kind: 'list' }>,
  l: readonly unknown[],
  r: readonly unknown[],
  path: PathElement[],
): unknown[] {
  // Live items that cannot be identified get a private element, so they are kept
  // where they are and never matched.
  const lEls = listElements(ctx, shape, l, path).map((el, i) => el ?? `\u0000${i}`);
  const rEls = listElements(ctx, shape, r, path).map((el, i) => el ?? `\u0001${i}`);
  const lByEl = new Map<PathElement, unknown>();
  l.forEach((item, i) => {
    const el = lEls[i];
    lByEl.set(el, lByEl.has(el) ? REPEATED : item);
  });
  const rByEl = new Map<PathElement, unknown>();
  r.forEach((item, i) => rByEl.set(rEls[i], item));

  const mergeItem = (el: PathElement): unknown => {
    const lv = lByEl.get(el);
    path.push(el);
    const out = walkMerge(ctx, lv === REPEATED ? undefined : lv, rByEl.get(el), shape.item, path);
    path.pop();
    return out;
  };

  // Items both lists hold, in the configuration's order: the next one to place.
  const shared = rEls.filter((el) => lByEl.has(el));
  let nextShared = 0;
  const done = new Set<PathElement>();
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const el = lEls[li];
      if (el === rEls[ri]) {
        done.add(el);
        out.push(mergeItem(el));
        li++;
        ri++;
        nextShared++;
        continue;
      }
      if (rByEl.has(el) && nextShared < shared.length && shared[nextShared] !== el) {
        li++; // a shared item the configuration places later
        continue;
      }
    }
    if (li < l.length) {
      const el = lEls[li];
      if (!rByEl.has(el)) {
        out.push(cloneJson(l[li]));
        li++;
        continue;
      }
      if (done.has(el)) li++;
    }
    if (ri < r.length) {
      const el = rEls[ri];
      done.add(el);
      out.push(mergeItem(el));
      ri++;
      if (nextShared < shared.length && shared[nextShared] === el) nextShared++;
    }
  }
  return out;
}

// ---- remove ---------------------------------------------------------------------------------------

/** What removal leaves of a map or list whose every entry went. */
export type EmptiedAs = 'null' | 'absent';

/**
 * `v` without the members of `toRemove` (each removed with everything below it),
 * structured-merge-diff's RemoveItems. A granular map or list left with nothing
 * becomes `null` (`'null'`, as structured-merge-diff leaves it, which is what
 * ownership is computed from) or disappears (`'absent'`, what is stored, as a
 * typed Kubernetes object would drop the null).
 */
export function removeFields(
  ctx: WalkContext,
  v: unknown,
  toRemove: FieldSet,
  schema: Schema,
  emptied: EmptiedAs,
): unknown {
  if (toRemove.isEmpty()) return v;
  const out = walkRemove(ctx, v, toRemove, schema, emptied, []);
  return out === EMPTIED ? {} : out;
}

const EMPTIED = Symbol('emptied');

function walkRemove(
  ctx: WalkContext,
  v: unknown,
  toRemove: FieldSet,
  schema: Schema,
  emptied: EmptiedAs,
  path: PathElement[],
): unknown {
  const shape = shapeOf(ctx, schema, v);
  if (shape.kind === 'leaf' || isEmptyContainer(v)) return v;
  if (shape.kind === 'map') {
    const out: JsonObject = {};
    for (const [k, child] of entriesOf(v)) {
      const el = element.field(k);
      if (toRemove.hasMember(el)) continue;
      const below = toRemove.child(el);
      let nv = child;
      if (!below.isEmpty()) {
        path.push(el);
        nv = walkRemove(ctx, child, below, fieldOf(ctx, shape.schema, k).schema, emptied, path);
        path.pop();
      }
      if (nv === EMPTIED) {
        if (emptied === 'null') out[k] = null;
      } else out[k] = nv;
    }
    return Object.keys(out).length === 0 ? EMPTIED : out;
  }
  const items = v as unknown[];
  const els = listElements(ctx, shape, items, path);
  const out: unknown[] = [];
  items.forEach((item, i) => {
    const el = els[i];
    if (el === undefined) {
      out.push(item);
      return;
    }
    if (toRemove.hasMember(el)) return;
    const below = toRemove.child(el);
    let nv = item;
    if (!below.isEmpty()) {
      path.push(el);
      nv = walkRemove(ctx, item, below, shape.item, emptied, path);
      path.pop();
    }
    if (nv === EMPTIED) {
      if (emptied === 'null') out.push(null);
    } else out.push(nv);
  });
  return out.length === 0 ? EMPTIED : out;
}
