/**
 * Sets of field paths, the currency of server-side apply: which fields a manager
 * owns, which fields an update changed, which fields conflict.
 *
 * A path is a list of path elements, each in the spelling `metadata.managedFields`
 * uses (`fieldsV1`), so a set serialises to and from that format without a
 * translation table:
 *
 * - `f:<name>`            a field of a map (`f:spec`)
 * - `k:<json object>`     an item of a `map` list, by its key fields (`k:{"name":"c"}`)
 * - `v:<json value>`      an item of a `set` list, by its value (`v:"x"`)
 * - `i:<index>`           an item of a list by position (only in foreign data)
 *
 * Elements are kept in canonical form (key fields sorted by name, JSON written as
 * Go's encoder writes it), so two spellings of the same element compare equal as
 * strings. Like structured-merge-diff, a set distinguishes a path being a member
 * from a path only leading to members: `{"f:labels":{"f:app":{}}}` owns the
 * `app` label but not the `labels` map itself, while
 * `{"f:labels":{".":{},"f:app":{}}}` owns both.
 */
import { InvalidError } from '../../util/errors.ts';
import { compareGoStrings } from '../structural/messages.ts';

/** One step of a path, in its canonical fieldsV1 spelling (`f:spec`, `k:{"name":"c"}`). */
export type PathElement = string;

/** A path from the root of an object; the empty path (the object itself) is never a member. */
export type Path = readonly PathElement[];

// ---- path elements ---------------------------------------------------------------

/**
 * JSON as Go's encoding/json writes it: object keys sorted, and `<`, `>`, `&`,
 * U+2028 and U+2029 escaped. Kubernetes writes `k:` and `v:` elements this way,
 * so keys built here equal the ones in managedFields written by a real API server.
 */
export function goJSON(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(goJSON).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort(compareGoStrings);
    return `{${keys.map((k) => `${goString(k)}:${goJSON(obj[k])}`).join(',')}}`;
  }
  return 'null';
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Builders for path elements, so callers never spell the prefixes themselves. */
export const element = {
  field(name: string): PathElement {
    return `f:${name}`;
  },
  /** An item of a `map` list; `fields` are its key fields (order does not matter). */
  key(fields: Record<string, unknown>): PathElement {
    return `k:${goJSON(fields)}`;
  },
  /** An item of a `set` list. */
  value(value: unknown): PathElement {
    return `v:${goJSON(value)}`;
  },
  index(index: number): PathElement {
    return `i:${index}`;
  },
};

/**
 * Parses one fieldsV1 key into canonical form. Returns undefined for an element
 * type this code does not know (structured-merge-diff drops those too, so a newer
 * server's data does not make older code fail); throws for a malformed one.
 */
function canonicalElement(raw: string): PathElement | undefined {
  if (raw.length < 2 || raw[1] !== ':') {
    throw new InvalidError(`invalid path element ${JSON.stringify(raw)} in fieldsV1`);
  }
  const body = raw.slice(2);
  switch (raw[0]) {
    case 'f':
      return raw;
    case 'i':
      if (!/^-?\d+$/.test(body)) {
        throw new InvalidError(`invalid index ${JSON.stringify(raw)} in fieldsV1`);
      }
      return element.index(Number(body));
    case 'k': {
      const parsed = parseJSON(raw, body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new InvalidError(`invalid key ${JSON.stringify(raw)} in fieldsV1: not a JSON object`);
      }
      return element.key(parsed as Record<string, unknown>);
    }
    case 'v':
      return element.value(parseJSON(raw, body));
    default:
      return undefined;
  }
}

function parseJSON(raw: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new InvalidError(`invalid path element ${JSON.stringify(raw)} in fieldsV1`, {
      cause: err,
    });
  }
}

/** structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareGoStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4:
      return compareFieldLists(
        Object.entries(a as object).sort(([x], [y]) => compareGoStrings(x, y)),
        Object.entries(b as object).sort(([x], [y]) => compareGoStrings(x, y)),
      );
    default:
      return 0;
  }
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (typeof v === 'object' && v !== null) return 4;
  return 5;
}

function compareFieldLists(a: [string, unknown][], b: [string, unknown][]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareGoStrings(a[i][0], b[i][0]) || compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const ELEMENT_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** The order structured-merge-diff sorts path elements in (and so the order of fieldsV1 keys). */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  const ra = ELEMENT_RANK[a[0]] ?? 4;
  const rb = ELEMENT_RANK[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  switch (a[0]) {
    case 'f':
      return compareGoStrings(a, b);
    case 'i':
      return Number(a.slice(2)) - Number(b.slice(2));
    case 'k':
      // Canonical keys list their fields sorted by name, and JSON.parse keeps that order.
      return compareFieldLists(
        Object.entries(JSON.parse(a.slice(2)) as object),
        Object.entries(JSON.parse(b.slice(2)) as object),
      );
    case 'v':
      return compareValues(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)));
    default:
      return compareGoStrings(a, b);
  }
}

/** A value as structured-merge-diff prints it inside a path: strings quoted, maps as `k=v` runs. */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueText).join(',')}]`;
  if (typeof v === 'object') {
    return Object.entries(v)
      .sort(([a], [b]) => compareGoStrings(a, b))
      .map(([k, x]) => `${k}=${valueText(x)}`)
      .join('');
  }
  return String(v);
}

/** One element as Kubernetes prints it in conflict messages: `.spec`, `[name="c"]`, `[="x"]`, `[0]`. */
export function elementText(el: PathElement): string {
  const body = el.slice(2);
  switch (el[0]) {
    case 'f':
      return `.${body}`;
    case 'k':
      return `[${Object.entries(JSON.parse(body) as object)
        .map(([k, v]) => `${k}=${valueText(v)}`)
        .join(',')}]`;
    case 'v':
      return `[=${valueText(JSON.parse(body))}]`;
    case 'i':
      return `[${body}]`;
    default:
      return el;
  }
}

/** A path as Kubernetes prints it: `.spec.template.spec.containers[name="app"].image`. */
export function pathText(path: Path): string {
  return path.map(elementText).join('');
}

// ---- the set ---------------------------------------------------------------------------

interface Node {
  /** Whether the path leading to this node is itself in the set. */
  member: boolean;
  /** Deeper paths; never holds a node with no members below it. */
  children: Map<PathElement, Node> | undefined;
}

function newNode(member = false): Node {
  return { member, children: undefined };
}

function isEmptyNode(n: Node): boolean {
  return !n.member && (n.children === undefined || n.children.size === 0);
}

function copyNode(n: Node): Node {
  const out = newNode(n.member);
  if (n.children !== undefined) {
    for (const [el, c] of n.children) setChild(out, el, copyNode(c));
  }
  return out;
}

function setChild(parent: Node, el: PathElement, child: Node): void {
  if (isEmptyNode(child)) return;
  (parent.children ??= new Map()).set(el, child);
}

function unionNodes(a: Node, b: Node): Node {
  const out = newNode(a.member || b.member);
  if (a.children !== undefined) {
    for (const [el, c] of a.children) {
      const other = b.children?.get(el);
      setChild(out, el, other === undefined ? copyNode(c) : unionNodes(c, other));
    }
  }
  if (b.children !== undefined) {
    for (const [el, c] of b.children) {
      if (a.children?.has(el) !== true) setChild(out, el, copyNode(c));
    }
  }
  return out;
}

function intersectNodes(a: Node, b: Node): Node {
  const out = newNode(a.member && b.member);
  if (a.children !== undefined && b.children !== undefined) {
    for (const [el, c] of a.children) {
      const other = b.children.get(el);
      if (other !== undefined) setChild(out, el, intersectNodes(c, other));
    }
  }
  return out;
}

function subtractNodes(a: Node, b: Node, recursive: boolean): Node {
  const out = newNode(a.member && !b.member);
  if (a.children !== undefined) {
    for (const [el, c] of a.children) {
      const other = b.children?.get(el);
      if (other === undefined) setChild(out, el, copyNode(c));
      else if (recursive && other.member) continue;
      else setChild(out, el, subtractNodes(c, other, recursive));
    }
  }
  return out;
}

function equalNodes(a: Node, b: Node): boolean {
  if (a.member !== b.member) return false;
  const ac = a.children?.size ?? 0;
  const bc = b.children?.size ?? 0;
  if (ac !== bc) return false;
  if (ac === 0) return true;
  for (const [el, c] of a.children!) {
    const other = b.children!.get(el);
    if (other === undefined || !equalNodes(c, other)) return false;
  }
  return true;
}

function sortedChildren(n: Node): [PathElement, Node][] {
  if (n.children === undefined) return [];
  return [...n.children].sort(([a], [b]) => compareElements(a, b));
}

/**
 * A set of field paths. Operations return new sets and never change their
 * operands; `insert` is the one mutator, meant for building a set you created.
 * `child` returns a read-only view that shares structure with its parent.
 */
export class FieldSet {
  readonly #root: Node;
  readonly #readonly: boolean;

  private constructor(root: Node, readonly = false) {
    this.#root = root;
    this.#readonly = readonly;
  }

  static empty(): FieldSet {
    return new FieldSet(newNode());
  }

  static fromPaths(paths: Iterable<Path>): FieldSet {
    const s = FieldSet.empty();
    for (const p of paths) s.insert(p);
    return s;
  }

  /**
   * Reads the `fieldsV1` format. Keys are brought to canonical form; unknown
   * element types are dropped. Throws `InvalidError` for anything that is not a
   * tree of objects with valid keys.
   */
  static fromFieldsV1(v: unknown): FieldSet {
    if (v === undefined || v === null) return FieldSet.empty();
    if (!isPlainObject(v)) throw new InvalidError('fieldsV1 must be a JSON object');
    const root = newNode();
    readInto(root, v, 0);
    return new FieldSet(root);
  }

  /** The `fieldsV1` form, keys in structured-merge-diff's order, `"."` first where a path is both a member and a parent. */
  toFieldsV1(): Record<string, unknown> {
    return writeNode(this.#root, false);
  }

  /** Adds `path` (and nothing else: its parents do not become members). The empty path is ignored. */
  insert(path: Path): this {
    if (this.#readonly) throw new TypeError('FieldSet: cannot insert into a read-only view');
    if (path.length === 0) return this;
    let n = this.#root;
    for (const el of path) {
      n.children ??= new Map();
      let c = n.children.get(el);
      if (c === undefined) {
        c = newNode();
        n.children.set(el, c);
      }
      n = c;
    }
    n.member = true;
    return this;
  }

  has(path: Path): boolean {
    const n = this.#find(path);
    return n !== undefined && n.member && path.length > 0;
  }

  /** Whether any member is `path` or lies below it. */
  hasPrefix(path: Path): boolean {
    const n = this.#find(path);
    return n !== undefined && !isEmptyNode(n);
  }

  /** Members below `el` with `el` taken off the front; a read-only view. */
  child(el: PathElement): FieldSet {
    return new FieldSet(this.#root.children?.get(el) ?? newNode(), true);
  }

  /** Whether `el` itself (one level down) is a member. */
  hasMember(el: PathElement): boolean {
    return this.#root.children?.get(el)?.member === true;
  }

  /** The path elements one level down that are members or lead to members. */
  elements(): PathElement[] {
    return this.#root.children === undefined ? [] : [...this.#root.children.keys()];
  }

  isEmpty(): boolean {
    return isEmptyNode({ member: false, children: this.#root.children });
  }

  /** Number of member paths. */
  get size(): number {
    let count = 0;
    const visit = (n: Node): void => {
      if (n.member) count++;
      n.children?.forEach(visit);
    };
    this.#root.children?.forEach(visit);
    return count;
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet(unionNodes(this.#root, other.#root));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(intersectNodes(this.#root, other.#root));
  }

  /**
   * Members of this set that are not members of `other`. Member-wise: removing a
   * parent path does not remove its children (structured-merge-diff's Difference).
   */
  difference(other: FieldSet): FieldSet {
    return new FieldSet(subtractNodes(this.#root, other.#root, false));
  }

  /** Like `difference`, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    return new FieldSet(subtractNodes(this.#root, other.#root, true));
  }

  equals(other: FieldSet): boolean {
    return equalNodes(
      { member: false, children: this.#root.children },
      { member: false, children: other.#root.children },
    );
  }

  /**
   * Every member path, in structured-merge-diff's iteration order: at each level
   * the members first (sorted), then the subtrees (sorted). Conflict messages
   * list paths in this order.
   */
  paths(): Path[] {
    const out: Path[] = [];
    const visit = (n: Node, prefix: PathElement[]): void => {
      const kids = sortedChildren(n);
      for (const [el, c] of kids) if (c.member) out.push([...prefix, el]);
      for (const [el, c] of kids) {
        if (c.children !== undefined && c.children.size > 0) visit(c, [...prefix, el]);
      }
    };
    visit(this.#root, []);
    return out;
  }

  /** One path per line, as Kubernetes prints them. */
  toString(): string {
    return this.paths().map(pathText).join('\n');
  }

  #find(path: Path): Node | undefined {
    let n: Node | undefined = this.#root;
    for (const el of path) {
      n = n.children?.get(el);
      if (n === undefined) return undefined;
    }
    return n;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep enough for any real object; bounds recursion on hostile input. */
const MAX_DEPTH = 256;

function readInto(parent: Node, obj: Record<string, unknown>, depth: number): void {
  if (depth > MAX_DEPTH) throw new InvalidError('fieldsV1 is nested too deeply');
  for (const [raw, value] of Object.entries(obj)) {
    if (raw === '.') continue; // handled by the caller: marks the parent as a member
    const el = canonicalElement(raw);
    if (!isPlainObject(value)) {
      throw new InvalidError(`fieldsV1: the value of ${JSON.stringify(raw)} must be an object`);
    }
    if (el === undefined) continue;
    parent.children ??= new Map();
    let child = parent.children.get(el);
    if (child === undefined) {
      child = newNode();
      parent.children.set(el, child);
    }
    readInto(child, value, depth + 1);
    // `{}` (or only keys this code does not know) means a leaf member; `"."` marks a
    // path that is a member as well as a parent.
    if (Object.hasOwn(value, '.') || child.children === undefined || child.children.size === 0) {
      child.member = true;
    }
  }
}

function writeNode(n: Node, includeSelf: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kids = sortedChildren(n);
  if (includeSelf && n.member && kids.length > 0) out['.'] = {};
  for (const [el, c] of kids) out[el] = writeNode(c, true);
  return out;
}
