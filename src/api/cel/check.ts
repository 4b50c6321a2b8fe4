/**
 * Static checking of a parsed CEL expression against the types a schema node
 * exposes (types.ts): what cel-go's checker does for Kubernetes when a CRD is
 * written, narrowed to the functions Verge evaluates.
 *
 * @bufbuild/cel parses and evaluates but its checker is not public, and Verge
 * must refuse at CRD creation what Kubernetes refuses there (an undefined field,
 * a function that does not exist, a rule that is not a bool), and also what
 * Verge cannot evaluate (Kubernetes' extension libraries). So the checker is
 * ours; it types the expanded macros the parser produces.
 *
 * Where cel-go's checker is stricter than this one (it unifies type parameters
 * where this one says `dyn`), a rule may compile here and fail at run time with
 * the same error Kubernetes would report at run time for a `dyn` value.
 */
import type { parse } from '@bufbuild/cel';
import {
  BOOL,
  BYTES,
  DOUBLE,
  DURATION,
  DYN,
  INT,
  NULL,
  STRING,
  TIMESTAMP,
  TYPE,
  UINT,
  listOf,
  mapOf,
  typeName,
  type CelType,
} from './types.ts';

export type ParsedExpr = ReturnType<typeof parse>;
export type Expr = NonNullable<ParsedExpr['expr']>;

/**
 * The element type of an empty list or map literal: an unbound type parameter
 * that takes the type it is joined with (so `[]` accumulating `[x]` in a `map()`
 * macro ends up a list of x's type, as cel-go infers it).
 */
const FREE: CelType = { kind: 'dyn' };

/** What the rule may name besides comprehension variables. */
export interface CheckEnv {
  /** The type of `self`. */
  self: CelType;
  /** The type of `oldSelf`; undefined where it may not be named at all. */
  oldSelf?: CelType;
}

export interface CheckResult {
  /** cel-go style messages (`ERROR: <input>:1:6: undefined field 'x'` + source excerpt); empty when fine. */
  errors: string[];
  type: CelType;
  usesOldSelf: boolean;
}

/** Macros the parser expands, and whether Kubernetes' CEL has them. */
const MACROS = new Set(['has', 'all', 'exists', 'exists_one', 'map', 'filter']);

/** Macros whose three-argument form binds two variables (cel-go's two-variable comprehensions). */
const TWO_VARIABLE_MACROS = new Set(['all', 'exists', 'exists_one', 'existsOne']);

/**
 * Deepest expression nesting checked (cel-go's parser refuses expressions
 * nested deeper than 250 levels; expanded macros add a few levels here).
 */
const MAX_NESTING = 500;

/** Most errors reported for one expression; cel-go reports every error, ours stop here. */
const MAX_ERRORS = 10;

/**
 * Kubernetes CEL libraries Verge does not implement, by function name, with the
 * library named in the refusal. Names that are also standard functions
 * (`indexOf` of strings, `contains`) are handled where the receiver is known.
 */
const K8S_LIBRARIES: Record<string, string> = {};
function library(lib: string, names: string[]): void {
  for (const n of names) K8S_LIBRARIES[n] = lib;
}
library('list', [
  'isSorted',
  'sum',
  'min',
  'max',
  'slice',
  'flatten',
  'distinct',
  'sort',
  'sortBy',
]);
library('regex', ['find', 'findAll']);
library('URL', [
  'url',
  'isURL',
  'getScheme',
  'getHost',
  'getHostname',
  'getPort',
  'getEscapedPath',
  'getQuery',
]);
library('IP and CIDR', [
  'ip',
  'isIP',
  'cidr',
  'isCIDR',
  'family',
  'isUnspecified',
  'isLoopback',
  'isLinkLocalMulticast',
  'isLinkLocalUnicast',
  'isGlobalUnicast',
  'containsIP',
  'containsCIDR',
  'prefixLength',
  'masked',
  'ip.isCanonical',
]);
library('quantity', [
  'quantity',
  'isQuantity',
  'isInteger',
  'asInteger',
  'asApproximateFloat',
  'sign',
  'add',
  'sub',
  'isGreaterThan',
  'isLessThan',
  'compareTo',
]);
library('semver', ['semver', 'isSemver', 'major', 'minor', 'patch']);
library('authorizer', [
  'authorizer',
  'serviceAccount',
  'path',
  'group',
  'resource',
  'subresource',
  'namespace',
  'name',
  'check',
  'allowed',
  'reason',
  'errored',
  'error',
  'fieldSelector',
  'labelSelector',
]);
library('format', ['format.named', 'validate']);
library('optional types', [
  'optional.of',
  'optional.none',
  'optional.ofNonZeroValue',
  'hasValue',
  'value',
  'orValue',
  'or',
  'optMap',
  'optFlatMap',
]);
library('sets', ['sets.contains', 'sets.equivalent', 'sets.intersects']);
library('math', [
  'math.greatest',
  'math.least',
  'math.ceil',
  'math.floor',
  'math.round',
  'math.trunc',
  'math.abs',
  'math.sign',
  'math.isInf',
  'math.isNaN',
  'math.isFinite',
  'math.bitAnd',
  'math.bitOr',
  'math.bitXor',
  'math.bitNot',
  'math.bitShiftLeft',
  'math.bitShiftRight',
  'math.sqrt',
]);
library('encoders', ['base64.encode', 'base64.decode']);
library('strings', ['strings.quote', 'format', 'reverse']);
library('lists', ['lists.range']);
library('two-variable comprehension', [
  'transformList',
  'transformMap',
  'transformMapEntry',
  'existsOne',
]);

/** `format.dns1123Label()` and the other named formats of Kubernetes' format library. */
function isFormatLibrary(qualified: string): boolean {
  return qualified.startsWith('format.');
}

/** Type names usable as values (`type(x) == int`). */
const TYPE_IDENTS = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
]);

/**
 * Types `expr` (parsed from `source`) in `env`. Never throws: every problem is
 * an entry of `errors`.
 */
export function checkExpr(parsed: ParsedExpr, source: string, env: CheckEnv): CheckResult {
  const c = new Checker(parsed, source, env);
  const type = parsed.expr === undefined ? DYN : c.check(parsed.expr);
  return { errors: c.messages(), type, usesOldSelf: c.usesOldSelf };
}

interface Problem {
  offset: number;
  message: string;
}

class Checker {
  readonly #parsed: ParsedExpr;
  readonly #source: string;
  readonly #env: CheckEnv;
  readonly #problems: Problem[] = [];
  /** Comprehension variables, innermost last. */
  readonly #scopes: Map<string, CelType>[] = [];
  #depth = 0;
  #tooDeep = false;
  usesOldSelf = false;

  constructor(parsed: ParsedExpr, source: string, env: CheckEnv) {
    this.#parsed = parsed;
    this.#source = source;
    this.#env = env;
  }

  messages(): string[] {
    return this.#problems.map((p) => formatProblem(this.#source, p));
  }

  #offset(e: Expr): number {
    const positions = this.#parsed.sourceInfo?.positions as Record<string, number> | undefined;
    return positions?.[String(e.id)] ?? 0;
  }

  #error(e: Expr, message: string): CelType {
    if (this.#problems.length < MAX_ERRORS) {
      this.#problems.push({ offset: this.#offset(e), message });
    }
    return DYN;
  }

  #lookup(name: string): CelType | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const t = this.#scopes[i].get(name);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  /** The macro call an expanded expression came from, if any. */
  #macroName(e: Expr): string | undefined {
    const calls = this.#parsed.sourceInfo?.macroCalls as Record<string, Expr> | undefined;
    const m = calls?.[String(e.id)];
    return m?.exprKind.case === 'callExpr' ? m.exprKind.value.function : undefined;
  }

  check(e: Expr): CelType {
    if (this.#depth >= MAX_NESTING) {
      if (!this.#tooDeep) {
        this.#tooDeep = true;
        this.#error(e, `expression recursion limit exceeded: ${MAX_NESTING}`);
      }
      return DYN;
    }
    this.#depth++;
    try {
      return this.#check(e);
    } finally {
      this.#depth--;
    }
  }

  #check(e: Expr): CelType {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr':
        switch (k.value.constantKind.case) {
          case 'boolValue':
            return BOOL;
          case 'int64Value':
            return INT;
          case 'uint64Value':
            return UINT;
          case 'doubleValue':
            return DOUBLE;
          case 'stringValue':
            return STRING;
          case 'bytesValue':
            return BYTES;
          case 'nullValue':
            return NULL;
          default:
            return this.#error(e, 'unsupported constant');
        }
      case 'identExpr':
        return this.#ident(e, k.value.name);
      case 'selectExpr': {
        const operand = k.value.operand;
        if (operand === undefined) return this.#error(e, 'invalid field selection');
        const macro = k.value.testOnly ? this.#macroName(e) : undefined;
        if (macro !== undefined && !MACROS.has(macro)) {
          return this.#error(e, `macro '${macro}' is not supported by Verge`);
        }
        return this.#select(e, this.check(operand), k.value.field, k.value.testOnly);
      }
      case 'callExpr':
        return this.#call(e, k.value.function, k.value.target, k.value.args);
      case 'listExpr': {
        if (k.value.optionalIndices.length > 0) {
          return this.#error(e, 'optional list elements are not supported by Verge');
        }
        let elem = FREE;
        for (const el of k.value.elements) elem = join(elem, this.check(el));
        return listOf(elem);
      }
      case 'structExpr': {
        if (k.value.messageName !== '') {
          return this.#error(
            e,
            `undeclared reference to '${k.value.messageName}' (in container '')`,
          );
        }
        let key = FREE;
        let value = FREE;
        for (const entry of k.value.entries) {
          if (entry.optionalEntry) {
            return this.#error(e, 'optional map entries are not supported by Verge');
          }
          if (entry.keyKind.case === 'mapKey') key = join(key, this.check(entry.keyKind.value));
          if (entry.value !== undefined) value = join(value, this.check(entry.value));
        }
        return mapOf(key, value);
      }
      case 'comprehensionExpr':
        return this.#comprehension(e, k.value);
      default:
        return this.#error(e, 'unsupported expression');
    }
  }

  #ident(e: Expr, name: string): CelType {
    const scoped = this.#lookup(name);
    if (scoped !== undefined) return scoped;
    if (name === 'self') return this.#env.self;
    if (name === 'oldSelf') {
      this.usesOldSelf = true;
      if (this.#env.oldSelf !== undefined) return this.#env.oldSelf;
    }
    if (TYPE_IDENTS.has(name)) return TYPE;
    return this.#error(e, `undeclared reference to '${name}' (in container '')`);
  }

  #select(e: Expr, operand: CelType, field: string, testOnly: boolean): CelType {
    switch (operand.kind) {
      case 'object': {
        const f = operand.fields.get(field);
        if (f === undefined) return this.#error(e, `undefined field '${field}'`);
        return testOnly ? BOOL : f.type;
      }
      case 'map':
        if (!assignable(STRING, operand.key)) {
          return this.#error(e, `type '${typeName(operand)}' does not support field selection`);
        }
        return testOnly ? BOOL : operand.value;
      case 'dyn':
        return testOnly ? BOOL : DYN;
      default:
        return this.#error(e, `type '${typeName(operand)}' does not support field selection`);
    }
  }

  #comprehension(e: Expr, c: Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value']) {
    const macro = this.#macroName(e);
    if (macro !== undefined && !MACROS.has(macro)) {
      return this.#error(e, `macro '${macro}' is not supported by Verge`);
    }
    if (c.iterVar2 !== '') {
      return this.#error(e, 'two-variable comprehensions are not supported by Verge');
    }
    if (
      c.iterRange === undefined ||
      c.accuInit === undefined ||
      c.loopCondition === undefined ||
      c.loopStep === undefined ||
      c.result === undefined
    ) {
      return this.#error(e, 'invalid comprehension');
    }
    const range = this.check(c.iterRange);
    let iter: CelType;
    switch (range.kind) {
      case 'list':
        iter = range.elem;
        break;
      case 'map':
        iter = range.key;
        break;
      case 'dyn':
        iter = DYN;
        break;
      default:
        this.#error(
          c.iterRange,
          `expression of type '${typeName(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        );
        iter = DYN;
    }
    const init = this.check(c.accuInit);
    const scope = new Map<string, CelType>([
      [c.accuVar, init],
      [c.iterVar, iter],
    ]);
    this.#scopes.push(scope);
    try {
      this.check(c.loopCondition);
      const step = this.check(c.loopStep);
      scope.set(c.accuVar, join(init, step));
      scope.delete(c.iterVar);
      return this.check(c.result);
    } finally {
      this.#scopes.pop();
    }
  }

  #call(e: Expr, fn: string, target: Expr | undefined, args: Expr[]): CelType {
    // A qualified name (`sets.contains(...)`, `math.greatest(...)`) parses as a
    // method call on an identifier that names no variable.
    if (target !== undefined && args.length === 3 && TWO_VARIABLE_MACROS.has(fn)) {
      return this.#error(e, 'two-variable comprehensions are not supported by Verge');
    }
    const qualified = target === undefined ? undefined : this.#qualifiedName(target);
    if (qualified !== undefined) {
      const name = `${qualified}.${fn}`;
      for (const a of args) this.check(a);
      return this.#unknownFunction(e, name);
    }
    const recv = target === undefined ? undefined : this.check(target);
    const types = args.map((a) => this.check(a));
    const result = this.#overload(e, fn, recv, types);
    if (result !== undefined) return result;
    const applied =
      recv === undefined
        ? `(${types.map(typeName).join(', ')})`
        : `${typeName(recv)}.(${types.map(typeName).join(', ')})`;
    return this.#error(e, `found no matching overload for '${fn}' applied to '${applied}'`);
  }

  #qualifiedName(target: Expr): string | undefined {
    const k = target.exprKind;
    if (k.case === 'identExpr') {
      const n = k.value.name;
      if (this.#lookup(n) !== undefined || n === 'self' || n === 'oldSelf') return undefined;
      return n;
    }
    if (k.case === 'selectExpr' && !k.value.testOnly && k.value.operand !== undefined) {
      const parent = this.#qualifiedName(k.value.operand);
      return parent === undefined ? undefined : `${parent}.${k.value.field}`;
    }
    return undefined;
  }

  #unknownFunction(e: Expr, name: string): CelType {
    const lib = Object.hasOwn(K8S_LIBRARIES, name)
      ? K8S_LIBRARIES[name]
      : isFormatLibrary(name)
        ? 'format'
        : undefined;
    if (lib !== undefined) {
      return this.#error(
        e,
        `function '${name}' (Kubernetes ${lib} library) is not supported by Verge`,
      );
    }
    return this.#error(e, `undeclared reference to '${name}' (in container '')`);
  }

  /**
   * The result type of calling `fn` on `recv` (undefined for a global call)
   * with `args`; undefined when no overload matches. Unknown functions are
   * reported here.
   */
  #overload(e: Expr, fn: string, recv: CelType | undefined, args: CelType[]): CelType | undefined {
    const n = args.length;
    const [a, b, c] = args;
    const method = recv !== undefined;
    switch (fn) {
      case '_&&_':
      case '_||_':
        return args.every((t) => assignable(t, BOOL)) ? BOOL : undefined;
      case '!_':
        return n === 1 && assignable(a, BOOL) ? BOOL : undefined;
      case '@not_strictly_false':
        return BOOL;
      case '-_':
        return n === 1 && isOneOf(a, 'int', 'double') ? a : undefined;
      case '_?_:_':
        return n === 3 && assignable(a, BOOL) && assignable(b, c) ? join(b, c) : undefined;
      case '_==_':
      case '_!=_':
        return n === 2 && (assignable(a, b) || a.kind === 'null' || b.kind === 'null')
          ? BOOL
          : undefined;
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_':
        return n === 2 && comparable(a, b) ? BOOL : undefined;
      case '_+_':
        return n === 2 ? plus(a, b) : undefined;
      case '_-_':
        return n === 2 ? minus(a, b) : undefined;
      case '_*_':
      case '_/_':
        return n === 2 ? sameOf(a, b, 'int', 'uint', 'double') : undefined;
      case '_%_':
        return n === 2 ? sameOf(a, b, 'int', 'uint') : undefined;
      case '_[_]':
        return n === 2 ? index(a, b) : undefined;
      case '@in':
        if (n !== 2) return undefined;
        if (b.kind === 'list') return assignable(a, b.elem) ? BOOL : undefined;
        if (b.kind === 'map') return assignable(a, b.key) ? BOOL : undefined;
        return b.kind === 'dyn' ? BOOL : undefined;
      case '_[?_]':
      case '_?._':
        return this.#error(e, 'optional types are not supported by Verge');
      case 'size': {
        const x = method ? recv : a;
        if (n !== (method ? 0 : 1)) return undefined;
        return isOneOf(x, 'string', 'bytes', 'list', 'map') ? INT : undefined;
      }
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        return method && isOneOf(recv, 'string') && n === 1 && assignable(a, STRING)
          ? BOOL
          : undefined;
      case 'matches':
        if (method)
          return isOneOf(recv, 'string') && n === 1 && assignable(a, STRING) ? BOOL : undefined;
        return n === 2 && assignable(a, STRING) && assignable(b, STRING) ? BOOL : undefined;
      case 'charAt':
        return method && isOneOf(recv, 'string') && n === 1 && assignable(a, INT)
          ? STRING
          : undefined;
      case 'indexOf':
      case 'lastIndexOf':
        if (recv?.kind === 'list') {
          return this.#error(
            e,
            `function '${fn}' on lists (Kubernetes list library) is not supported by Verge`,
          );
        }
        return method &&
          isOneOf(recv, 'string') &&
          (n === 1 || n === 2) &&
          assignable(a, STRING) &&
          (n === 1 || assignable(b, INT))
          ? INT
          : undefined;
      case 'lowerAscii':
      case 'upperAscii':
      case 'trim':
        return method && isOneOf(recv, 'string') && n === 0 ? STRING : undefined;
      case 'replace':
        return method &&
          isOneOf(recv, 'string') &&
          (n === 2 || n === 3) &&
          assignable(a, STRING) &&
          assignable(b, STRING) &&
          (n === 2 || assignable(c, INT))
          ? STRING
          : undefined;
      case 'split':
        return method &&
          isOneOf(recv, 'string') &&
          (n === 1 || n === 2) &&
          assignable(a, STRING) &&
          (n === 1 || assignable(b, INT))
          ? listOf(STRING)
          : undefined;
      case 'substring':
        return method &&
          isOneOf(recv, 'string') &&
          (n === 1 || n === 2) &&
          assignable(a, INT) &&
          (n === 1 || assignable(b, INT))
          ? STRING
          : undefined;
      case 'join':
        return method &&
          (recv.kind === 'dyn' || (recv.kind === 'list' && assignable(recv.elem, STRING))) &&
          (n === 0 || (n === 1 && assignable(a, STRING)))
          ? STRING
          : undefined;
      case 'int':
        return conversion(
          method,
          args,
          INT,
          'int',
          'uint',
          'double',
          'string',
          'timestamp',
          'duration',
        );
      case 'uint':
        return conversion(method, args, UINT, 'int', 'uint', 'double', 'string');
      case 'double':
        return conversion(method, args, DOUBLE, 'int', 'uint', 'double', 'string');
      case 'string':
        return conversion(
          method,
          args,
          STRING,
          'string',
          'bool',
          'int',
          'uint',
          'double',
          'bytes',
          'timestamp',
          'duration',
        );
      case 'bool':
        return conversion(method, args, BOOL, 'bool', 'string');
      case 'bytes':
        return conversion(method, args, BYTES, 'bytes', 'string');
      case 'timestamp':
        return conversion(method, args, TIMESTAMP, 'timestamp', 'string', 'int');
      case 'duration':
        return conversion(method, args, DURATION, 'duration', 'string', 'int');
      case 'dyn':
        return !method && n === 1 ? DYN : undefined;
      case 'type':
        return !method && n === 1 ? TYPE : undefined;
      case 'getFullYear':
      case 'getMonth':
      case 'getDayOfYear':
      case 'getDayOfMonth':
      case 'getDate':
      case 'getDayOfWeek':
        return method &&
          isOneOf(recv, 'timestamp') &&
          (n === 0 || (n === 1 && assignable(a, STRING)))
          ? INT
          : undefined;
      case 'getHours':
      case 'getMinutes':
      case 'getSeconds':
      case 'getMilliseconds':
        if (!method) return undefined;
        if (isOneOf(recv, 'timestamp') && (n === 0 || (n === 1 && assignable(a, STRING)))) {
          return INT;
        }
        return isOneOf(recv, 'duration') && n === 0 ? INT : undefined;
      case 'all':
      case 'exists':
      case 'exists_one':
      case 'existsOne':
      case 'map':
      case 'filter':
        return this.#error(e, `invalid use of macro '${fn}'`);
      case 'has':
        return this.#error(e, 'invalid argument to has() macro');
      default:
        return this.#unknownFunction(e, fn);
    }
  }
}

function isDyn(t: CelType): boolean {
  return t.kind === 'dyn';
}

function isOneOf(t: CelType | undefined, ...kinds: CelType['kind'][]): boolean {
  return t !== undefined && (isDyn(t) || kinds.includes(t.kind));
}

/**
 * Whether a value of type `a` may stand where `b` is expected (and so, for
 * `==`, whether the two may be compared). Object types are compared loosely:
 * Kubernetes names each object type, Verge does not.
 */
export function assignable(a: CelType, b: CelType): boolean {
  if (isDyn(a) || isDyn(b)) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'list' && b.kind === 'list') return assignable(a.elem, b.elem);
  if (a.kind === 'map' && b.kind === 'map') {
    return assignable(a.key, b.key) && assignable(a.value, b.value);
  }
  return true;
}

/** The common type of two branches, list elements, or an accumulator and its step. */
function join(a: CelType, b: CelType): CelType {
  if (a === FREE) return b;
  if (b === FREE) return a;
  if (a.kind === 'list' && b.kind === 'list') return listOf(join(a.elem, b.elem));
  if (a.kind === 'map' && b.kind === 'map')
    return mapOf(join(a.key, b.key), join(a.value, b.value));
  if (a.kind === b.kind && a.kind !== 'object') return a;
  if (a === b) return a;
  return DYN;
}

const NUMERIC: CelType['kind'][] = ['int', 'uint', 'double'];

function comparable(a: CelType, b: CelType): boolean {
  if (isDyn(a) || isDyn(b)) return true;
  // Kubernetes enables cross-type numeric comparisons.
  if (NUMERIC.includes(a.kind) && NUMERIC.includes(b.kind)) return true;
  return a.kind === b.kind && ['bool', 'string', 'bytes', 'timestamp', 'duration'].includes(a.kind);
}

/** Same-kind arithmetic over `kinds`, with `dyn` standing for any of them. */
function sameOf(a: CelType, b: CelType, ...kinds: CelType['kind'][]): CelType | undefined {
  if (isDyn(a) && isDyn(b)) return DYN;
  if (isDyn(a)) return kinds.includes(b.kind) ? b : undefined;
  if (isDyn(b)) return kinds.includes(a.kind) ? a : undefined;
  return a.kind === b.kind && kinds.includes(a.kind) ? a : undefined;
}

function plus(a: CelType, b: CelType): CelType | undefined {
  if (a.kind === 'list' && b.kind === 'list') {
    return assignable(a.elem, b.elem) ? listOf(join(a.elem, b.elem)) : undefined;
  }
  if (a.kind === 'timestamp' && isOneOf(b, 'duration')) return TIMESTAMP;
  if (b.kind === 'timestamp' && isOneOf(a, 'duration')) return TIMESTAMP;
  if (isDyn(a) && isDyn(b)) return DYN;
  if ((isDyn(a) && b.kind === 'duration') || (isDyn(b) && a.kind === 'duration')) return DYN;
  return sameOf(a, b, 'int', 'uint', 'double', 'string', 'bytes', 'list', 'duration');
}

function minus(a: CelType, b: CelType): CelType | undefined {
  if (a.kind === 'timestamp' && b.kind === 'timestamp') return DURATION;
  if (a.kind === 'timestamp' && isOneOf(b, 'duration')) return TIMESTAMP;
  if (a.kind === 'timestamp' || b.kind === 'timestamp')
    return isDyn(a) || isDyn(b) ? DYN : undefined;
  return sameOf(a, b, 'int', 'uint', 'double', 'duration');
}

function index(a: CelType, b: CelType): CelType | undefined {
  if (a.kind === 'list') return isOneOf(b, 'int', 'uint') ? a.elem : undefined;
  if (a.kind === 'map') return assignable(b, a.key) ? a.value : undefined;
  return isDyn(a) ? DYN : undefined;
}

function conversion(
  method: boolean,
  args: CelType[],
  result: CelType,
  ...from: CelType['kind'][]
): CelType | undefined {
  return !method && args.length === 1 && isOneOf(args[0], ...from) ? result : undefined;
}

/**
 * cel-go's error layout: `ERROR: <input>:line:col: message`, then the source
 * line and a caret under the column (columns count code points).
 */
function formatProblem(source: string, p: Problem): string {
  const before = source.slice(0, p.offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = [...source.slice(lineStart, p.offset)].length;
  const lineEnd = source.indexOf('\n', lineStart);
  const text = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `ERROR: <input>:${line}:${col + 1}: ${p.message}\n | ${text}\n | ${'.'.repeat(col)}^`;
}

/** A parse error from @bufbuild/cel's parser, in the same layout. */
export function formatSyntaxError(source: string, err: unknown): string {
  const loc = (err as { location?: { start?: { offset?: number } } } | undefined)?.location;
  const raw = err instanceof Error ? err.message : String(err);
  // The parser prefixes `<input>:line:col: `; the location is printed again below.
  const message = `Syntax error: ${raw.replace(/^<input>:\d+:\d+: /, '')}`;
  return formatProblem(source, { offset: loc?.start?.offset ?? 0, message });
}
