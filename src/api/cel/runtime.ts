/**
 * Running compiled rules with a bound on their work: the CEL environment Verge
 * evaluates in, the cost meter, and the conversion of JSON values into CEL
 * values typed by the schema (types.ts).
 *
 * Kubernetes stops a rule whose cost passes a limit. @bufbuild/cel has no cost
 * tracking, so Verge meters the two things that can make an evaluation long:
 * function calls (charged 1 plus a tenth of the size of their arguments, as
 * cel-go charges strings and lists) and list elements visited by
 * comprehensions and functions (1 each). Over the limit, every further charge
 * throws, which unwinds the evaluation; the meter remembers that it tripped, so
 * a result computed from the wreckage is never trusted. A wall-clock deadline
 * backs the units up.
 */
import {
  celEnv,
  celList,
  celMap,
  isCelList,
  isCelMap,
  type CelEnv,
  type CelInput,
  type CelList,
  type CelMap,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parseBytes, parseDuration, parseTimestamp } from './formats.ts';
import type { CelType } from './types.ts';

/** Why a meter stopped an evaluation. */
export type Exhaustion = 'limit' | 'budget' | 'time';

/** Thrown through the evaluator to stop it; never escapes this module's callers. */
class OutOfBudget extends Error {}

/**
 * Cost accounting for one evaluation. `limit` is the most units it may spend,
 * `budgetLeft` what the whole object has left (the smaller one applies), and
 * `deadline` a `performance.now()` time it must not run past.
 */
export class Meter {
  used = 0;
  exhausted: Exhaustion | undefined;
  readonly #limit: number;
  readonly #budgetLeft: number;
  readonly #deadline: number;
  #sinceClock = 0;

  constructor(limit: number, budgetLeft: number, deadline: number) {
    this.#limit = limit;
    this.#budgetLeft = budgetLeft;
    this.#deadline = deadline;
  }

  charge(units: number): void {
    this.used += units;
    if (this.exhausted === undefined) {
      if (this.used > this.#budgetLeft && this.#budgetLeft <= this.#limit)
        this.exhausted = 'budget';
      else if (this.used > this.#limit) this.exhausted = 'limit';
      else if ((this.#sinceClock += units) >= 256) {
        this.#sinceClock = 0;
        if (performance.now() > this.#deadline) this.exhausted = 'time';
      }
    }
    if (this.exhausted !== undefined) throw new OutOfBudget('actual cost limit exceeded');
  }
}

/** The meter of the evaluation running now (evaluation is synchronous, so one at a time). */
let current: Meter | undefined;

/** Runs `fn` with `meter` charged for its work. */
export function metered<T>(meter: Meter, fn: () => T): T {
  const outer = current;
  current = meter;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

function charge(units: number): void {
  current?.charge(units);
}

/** How many nested values a converted list or map holds: what deep equality may visit. */
const deepSizes = new WeakMap<object, number>();

function sizeOf(v: CelValue | undefined): number {
  if (typeof v === 'string') return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (isCelList(v) || isCelMap(v)) return deepSizes.get(v) ?? v.size;
  return 0;
}

function callCost(target: CelValue | undefined, args: CelValue[]): number {
  let size = sizeOf(target);
  for (const a of args) size += sizeOf(a);
  return 1 + Math.ceil(size / 10);
}

/**
 * The environment every rule runs in: CEL's standard functions plus the
 * strings extension (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii,
 * replace, split, substring, trim, join), with every call metered. The static
 * checker (check.ts) decides which of these a rule may use.
 */
function meteredEnv(): CelEnv {
  const base = celEnv({ funcs: strings });
  type Group = NonNullable<ReturnType<CelEnv['funcs']['find']>>;
  const groups = new Map<string, Group | undefined>();
  const funcs = Object.create(base.funcs, {
    find: {
      value(name: string): Group | undefined {
        if (groups.has(name)) return groups.get(name);
        const inner = base.funcs.find(name);
        const group: Group | undefined =
          inner === undefined
            ? undefined
            : {
                name: inner.name,
                [Symbol.iterator]: () => inner[Symbol.iterator](),
                call(id, target, args) {
                  charge(callCost(target, args));
                  return inner.call(id, target, args);
                },
              };
        groups.set(name, group);
        return group;
      },
    },
  }) as CelEnv['funcs'];
  return Object.create(base, { funcs: { value: funcs } }) as CelEnv;
}

export const ENV: CelEnv = meteredEnv();

/** A CEL list whose elements cost one unit each time something walks them. */
function meteredList(items: CelInput[], deepSize: number): CelList {
  const list = celList(items);
  const values = list.values.bind(list);
  Object.defineProperty(list, 'values', {
    value: function* () {
      for (const v of values()) {
        charge(1);
        yield v;
      }
    },
  });
  deepSizes.set(list, deepSize);
  return list;
}

function celObject(entries: Map<string, CelInput>, deepSize: number): CelMap {
  const map = celMap(entries);
  deepSizes.set(map, deepSize);
  return map;
}

/** Conversions already made in one evaluateRules call, so nested rules reuse them. */
export type ValueCache = WeakMap<object, { type: CelType; value: CelInput }>;

/**
 * The CEL value of a JSON value at a node of type `t`, as Kubernetes builds it:
 * integers of `integer` (and int-or-string) fields are CEL ints, `number`
 * fields doubles, objects with properties expose only their declared fields
 * under their escaped names (a null field counts as absent), maps and lists convert their members. A value of the wrong
 * JSON type (validation did not run) is converted by its JSON type, and rules
 * then fail on it as Kubernetes' would on a dynamic value.
 */
export function toCelValue(v: unknown, t: CelType, cache: ValueCache): CelInput {
  return convert(v, t, cache, 0).value;
}

/** Values nested deeper than this become null; the structural validator reports such depths first. */
const MAX_VALUE_DEPTH = 200;

function convert(
  v: unknown,
  t: CelType,
  cache: ValueCache,
  depth: number,
): { value: CelInput; size: number } {
  if (v === null || v === undefined || depth > MAX_VALUE_DEPTH) return { value: null, size: 1 };
  switch (typeof v) {
    case 'boolean':
      return { value: v, size: 1 };
    case 'string':
      return { value: fromString(v, t), size: 1 };
    case 'number':
      // An integer field (or an untyped JSON integer) is an int; `type: number`
      // is always a double, even when the JSON number has no fraction.
      if (t.kind !== 'double' && Number.isSafeInteger(v)) return { value: BigInt(v), size: 1 };
      if (t.kind === 'int' && Number.isInteger(v) && Math.abs(v) < 2 ** 63) {
        return { value: BigInt(v), size: 1 };
      }
      return { value: v, size: 1 };
    case 'object':
      break;
    default:
      return { value: null, size: 1 };
  }
  const cached = cache.get(v);
  if (cached !== undefined && cached.type === t) {
    return { value: cached.value, size: deepSizes.get(cached.value as object) ?? 1 };
  }
  let out: { value: CelInput; size: number };
  if (Array.isArray(v)) {
    const elem = t.kind === 'list' ? t.elem : { kind: 'dyn' as const };
    const items: CelInput[] = [];
    let size = 1;
    for (const item of v) {
      const c = convert(item, elem, cache, depth + 1);
      items.push(c.value);
      size += c.size;
    }
    out = { value: meteredList(items, size), size };
  } else {
    const obj = v as Record<string, unknown>;
    const entries = new Map<string, CelInput>();
    let size = 1;
    if (t.kind === 'object') {
      for (const [name, field] of t.fields) {
        if (!Object.hasOwn(obj, field.json)) continue;
        const fv = obj[field.json];
        // Kubernetes treats a null field as absent, nullable or not.
        if (fv === null || fv === undefined) continue;
        const c = convert(fv, field.type, cache, depth + 1);
        entries.set(name, c.value);
        size += c.size;
      }
    } else {
      const valueType = t.kind === 'map' ? t.value : { kind: 'dyn' as const };
      for (const [k, fv] of Object.entries(obj)) {
        const c = convert(fv, valueType, cache, depth + 1);
        entries.set(k, c.value);
        size += c.size;
      }
    }
    out = { value: celObject(entries, size), size };
  }
  cache.set(v, { type: t, value: out.value });
  return out;
}

/** A string of a formatted schema as the type Kubernetes gives it; unparsable ones stay strings. */
function fromString(s: string, t: CelType): CelInput {
  switch (t.kind) {
    case 'timestamp':
      return (t.format !== undefined ? parseTimestamp(s, t.format) : undefined) ?? s;
    case 'duration':
      return parseDuration(s) ?? s;
    case 'bytes':
      return parseBytes(s) ?? s;
    default:
      return s;
  }
}
