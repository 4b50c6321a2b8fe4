/**
 * CEL validation rules of custom resources (`x-kubernetes-validations`), as
 * the Kubernetes API server checks them when a CRD is written and evaluates
 * them on every create and update of a custom resource.
 *
 * Parsing and evaluation are @bufbuild/cel's (conformance-tested against the
 * CEL spec); typing against the schema, the set of functions Verge allows, cost
 * bounds and Kubernetes' wording are ours:
 *
 * - check.ts types a rule against the schema node it sits on and refuses
 *   undefined fields, unknown functions and Kubernetes extension libraries
 *   Verge does not implement.
 * - runtime.ts converts objects into CEL values and meters evaluation.
 *
 * Supported: the CEL standard definitions (operators, `size`, `in`,
 * `contains`, `startsWith`, `endsWith`, `matches` (RE2), conversions,
 * `duration()`/`timestamp()` literals and their accessors), the macros `has`,
 * `all`, `exists`, `exists_one`, `map` (both forms) and `filter`, the strings
 * extension (`charAt`, `indexOf`, `lastIndexOf`, `lowerAscii`, `upperAscii`,
 * `replace`, `split`, `substring`, `trim`, `join`), `oldSelf` transition rules,
 * `messageExpression`, `fieldPath`, `reason`, escaped property names, and
 * strings of `date`/`date-time` (timestamps), `duration` and `byte` formats
 * typed as Kubernetes types them. Refused when the CRD is written:
 * Kubernetes' quantity, URL, IP/CIDR, list, regex, sets, semver, format,
 * authorizer and math libraries, optional types (and so `optionalOldSelf`),
 * and two-variable comprehensions.
 */
import {
  celError,
  isCelError,
  parse,
  plan,
  type CelError,
  type CelInput,
  type CelValue,
} from '@bufbuild/cel';
import type { FieldCause } from '../../util/errors.ts';
import { fieldError } from '../field-errors.ts';
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import { checkExpr, formatSyntaxError, type ParsedExpr } from './check.ts';
import { parseFieldPath } from './field-path.ts';
import { ENV, Meter, metered, toCelValue, type Exhaustion, type ValueCache } from './runtime.ts';
import { schemaType, type CelType } from './types.ts';
import { isObject as isPlainObject, jsonEqual } from '../structural/schema-node.ts';

export { escapeFieldName } from './types.ts';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];
type Program = ReturnType<typeof plan>;

/** Kubernetes' per-expression cost limit (`PerCallLimit`). */
export const PER_RULE_LIMIT = 1_000_000;
/** Kubernetes' cost budget for all rules of one object (`RuntimeCELCostBudget`). */
export const OBJECT_BUDGET = 10_000_000;
/** Wall-clock bound on all rules of one object, behind the cost units. */
export const OBJECT_TIME_LIMIT_MS = 1_000;
/** Longest evaluated messageExpression Kubernetes uses (bytes). */
const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;
/** Deepest value nesting evaluateRules walks (the structural validator reports deeper ones). */
const MAX_WALK_DEPTH = 100;

export interface CheckRuleOptions {
  /**
   * The node is the root of a resource, where `apiVersion`, `kind` and
   * `metadata.name`/`generateName` are visible. Default: whether the node is
   * an `x-kubernetes-embedded-resource`; pass true for a CRD's root schema.
   */
  resourceRoot?: boolean;
  /**
   * Schema path of the list items above the node that cannot be correlated
   * between old and new objects (items of a list that is not
   * `x-kubernetes-list-type: map`); `oldSelf` is refused there.
   */
  uncorrelatablePath?: string;
}

/**
 * Compiles a rule for the schema node it sits on. Returns the reason it cannot
 * be used, worded as Kubernetes words it where Kubernetes refuses the same
 * rule (`compilation failed: ERROR: <input>:1:6: undefined field 'x'` ...),
 * or undefined when the rule is fine. Cheap to call repeatedly: results are
 * cached per node and rule text.
 */
export function checkRule(
  rule: string,
  node: JSONSchemaProps,
  resolver: SchemaResolver,
  options: CheckRuleOptions = {},
): string | undefined {
  if (rule.trim() === '') return 'rule is not specified';
  const root = options.resourceRoot ?? isEmbedded(resolver.resolve(node));
  const c = compile(rule, node, resolver, root, 'rule');
  if (c.error !== undefined) return c.error;
  if (c.usesOldSelf && options.uncorrelatablePath !== undefined) {
    return uncorrelatable(options.uncorrelatablePath);
  }
  return undefined;
}

function uncorrelatable(path: string): string {
  return `oldSelf cannot be used on the uncorrelatable portion of the schema within ${path}`;
}

function isEmbedded(s: JSONSchemaProps | undefined): boolean {
  return s?.['x-kubernetes-embedded-resource'] === true;
}

// ---------------------------------------------------------------------------
// Compilation, cached.

interface Compiled {
  /** Why the expression cannot be used (Kubernetes wording); undefined when it can. */
  error?: string;
  usesOldSelf: boolean;
  program?: Program;
}

interface Parsed {
  parsed?: ParsedExpr;
  syntaxError?: string;
  program?: Program;
  planError?: string;
}

/** Parsed and planned expressions by text; planning does not depend on the schema. */
const parsedCache = new Map<string, Parsed>();
const PARSED_CACHE_SIZE = 2048;

function parsedExpr(text: string): Parsed {
  const hit = parsedCache.get(text);
  if (hit !== undefined) {
    parsedCache.delete(text);
    parsedCache.set(text, hit);
    return hit;
  }
  let entry: Parsed;
  try {
    const parsed = parse(text);
    entry = { parsed };
    try {
      entry.program = plan(ENV, parsed);
    } catch (err) {
      entry.planError = err instanceof Error ? err.message : String(err);
    }
  } catch (err) {
    entry = { syntaxError: formatSyntaxError(text, err) };
  }
  parsedCache.set(text, entry);
  if (parsedCache.size > PARSED_CACHE_SIZE) {
    const oldest = parsedCache.keys().next().value;
    if (oldest !== undefined) parsedCache.delete(oldest);
  }
  return entry;
}

/** Types of nodes, per resource-root flag (null: the node exposes no type). */
const typeCache = new WeakMap<JSONSchemaProps, { root?: CelType | null; plain?: CelType | null }>();

function nodeType(
  s: JSONSchemaProps,
  resolver: SchemaResolver,
  root: boolean,
): CelType | undefined {
  let entry = typeCache.get(s);
  if (entry === undefined) typeCache.set(s, (entry = {}));
  const key = root ? 'root' : 'plain';
  let t = entry[key];
  if (t === undefined) entry[key] = t = schemaType(s, resolver, root) ?? null;
  return t ?? undefined;
}

/** Checked expressions per node, keyed by kind, resource-root flag and text. */
const compiledCache = new WeakMap<JSONSchemaProps, Map<string, Compiled>>();

type ExprKind = 'rule' | 'messageExpression';

function compile(
  text: string,
  node: JSONSchemaProps,
  resolver: SchemaResolver,
  root: boolean,
  kind: ExprKind,
): Compiled {
  const s = resolver.resolve(node) ?? node;
  let perNode = compiledCache.get(s);
  if (perNode === undefined) compiledCache.set(s, (perNode = new Map()));
  const key = `${kind}:${root ? 'R' : 'N'}:${text}`;
  let c = perNode.get(key);
  if (c === undefined) {
    c = compileUncached(text, s, resolver, root, kind);
    perNode.set(key, c);
  }
  return c;
}

function compileUncached(
  text: string,
  s: JSONSchemaProps,
  resolver: SchemaResolver,
  root: boolean,
  kind: ExprKind,
): Compiled {
  const prefix = kind === 'rule' ? 'compilation failed' : 'messageExpression compilation failed';
  const self = nodeType(s, resolver, root);
  if (self === undefined) {
    return {
      error:
        'rule compiler initialization error: failed to convert to declType for CEL validation rules',
      usesOldSelf: false,
    };
  }
  const p = parsedExpr(text);
  if (p.parsed === undefined) return { error: `${prefix}: ${p.syntaxError}`, usesOldSelf: false };
  let checked: ReturnType<typeof checkExpr>;
  try {
    checked = checkExpr(p.parsed, text, { self, oldSelf: self });
  } catch (err) {
    // Only a stack overflow on an absurdly nested expression gets here.
    const detail = err instanceof Error ? err.message : String(err);
    return { error: `${prefix}: ${detail}`, usesOldSelf: false };
  }
  if (checked.errors.length > 0) {
    return { error: `${prefix}: ${checked.errors.join('\n')}`, usesOldSelf: checked.usesOldSelf };
  }
  if (kind === 'rule' && checked.type.kind !== 'bool') {
    return { error: 'cel expression must evaluate to a bool', usesOldSelf: checked.usesOldSelf };
  }
  if (kind === 'messageExpression' && checked.type.kind !== 'string') {
    return {
      error: 'messageExpression must evaluate to a string',
      usesOldSelf: checked.usesOldSelf,
    };
  }
  if (p.program === undefined) {
    return {
      error: `${prefix}: ${p.planError ?? 'cannot plan'}`,
      usesOldSelf: checked.usesOldSelf,
    };
  }
  return { usesOldSelf: checked.usesOldSelf, program: p.program };
}

// ---------------------------------------------------------------------------
// Evaluation.

export interface EvaluateOptions {
  /** Field path of `obj` (default ''): a root is reported as Kubernetes reports it, `<nil>`. */
  path?: string;
  /** Whether `schema` is a resource root (default true). */
  resourceRoot?: boolean;
  /** Cost units one rule may spend (default PER_RULE_LIMIT, Kubernetes' `PerCallLimit`). */
  perRuleLimit?: number;
  /** Cost units all rules of the object may spend (default OBJECT_BUDGET). */
  budget?: number;
  /** Wall-clock milliseconds for all rules of the object (default OBJECT_TIME_LIMIT_MS). */
  timeLimitMs?: number;
  /**
   * Validation ratcheting (Kubernetes' default since 1.30): on update, a rule
   * that does not use `oldSelf` and fails on a value equal to the old one is
   * reported as a warning, not a cause. Default true.
   */
  ratcheting?: boolean;
  /** Receives the warnings ratcheting produced (`field: message`). */
  warnings?: string[];
}

interface Walk {
  readonly resolver: SchemaResolver;
  readonly causes: FieldCause[];
  readonly cache: ValueCache;
  readonly perRuleLimit: number;
  readonly deadline: number;
  readonly ratcheting: boolean;
  readonly warnings: string[] | undefined;
  budgetLeft: number;
  stopped: boolean;
}

/**
 * Evaluates every `x-kubernetes-validations` rule in `schema` against `obj`
 * (and, for transition rules, `old`) and returns the failures as Kubernetes
 * reports them. Rules on nodes absent (or null) in `obj` do not run;
 * transition rules run only where an old value exists at the same path and the
 * path can be correlated (object fields, map values, items of
 * `x-kubernetes-list-type: map` lists matched by their keys).
 *
 * Bounded: a rule over its cost limit, or all rules over the object's budget
 * or time, end evaluation with a cause saying so. Never throws for bad rules
 * or values; never mutates its inputs.
 */
export function evaluateRules(
  obj: unknown,
  old: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
  options: EvaluateOptions = {},
): FieldCause[] {
  const w: Walk = {
    resolver,
    causes: [],
    cache: new WeakMap(),
    perRuleLimit: options.perRuleLimit ?? PER_RULE_LIMIT,
    deadline: performance.now() + (options.timeLimitMs ?? OBJECT_TIME_LIMIT_MS),
    ratcheting: options.ratcheting ?? true,
    warnings: options.warnings,
    budgetLeft: options.budget ?? OBJECT_BUDGET,
    stopped: false,
  };
  const never = () => false;
  walk(w, obj, old, schema, options.path ?? '', options.resourceRoot ?? true, never, 0);
  return w.causes;
}

function walk(
  w: Walk,
  value: unknown,
  old: unknown,
  node: JSONSchemaProps,
  path: string,
  root: boolean,
  parentUnchanged: () => boolean,
  depth: number,
): void {
  const s = w.resolver.resolve(node);
  if (s === undefined || value === null || value === undefined || depth > MAX_WALK_DEPTH) return;
  if (!hasRules(s, w.resolver, 0)) return;
  // Ratcheting compares a node with its old value when it has one, else
  // inherits the answer of the nearest ancestor that has one. Computed only
  // when a rule fails.
  const unchanged = old !== undefined ? once(() => jsonEqual(value, old)) : parentUnchanged;
  const rules = s['x-kubernetes-validations'];
  if (rules !== undefined && rules.length > 0) {
    evaluateNode(w, value, old, s, path, root, unchanged, rules);
    if (w.stopped) return;
  }
  if (Array.isArray(value)) {
    if (s.items === undefined) return;
    const oldItems = correlatedItems(s, old);
    const itemRoot = isEmbedded(w.resolver.resolve(s.items));
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      walk(w, item, oldItems?.(item), s.items, `${path}[${i}]`, itemRoot, unchanged, depth + 1);
      if (w.stopped) return;
    }
    return;
  }
  if (typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  const oldObj = isPlainObject(old) ? old : undefined;
  const oldOf = (k: string): unknown =>
    oldObj !== undefined && Object.hasOwn(oldObj, k) ? oldObj[k] : undefined;
  const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const apRoot = ap !== undefined && isEmbedded(w.resolver.resolve(ap));
  for (const k of Object.keys(obj)) {
    const prop =
      s.properties !== undefined && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop !== undefined) {
      const childPath = path === '' ? k : `${path}.${k}`;
      const propRoot = isEmbedded(w.resolver.resolve(prop));
      walk(w, obj[k], oldOf(k), prop, childPath, propRoot, unchanged, depth + 1);
    } else if (ap !== undefined) {
      walk(w, obj[k], oldOf(k), ap, `${path}[${k}]`, apRoot, unchanged, depth + 1);
    }
    if (w.stopped) return;
  }
}

function once(fn: () => boolean): () => boolean {
  let answer: boolean | undefined;
  return () => (answer ??= fn());
}

/** Whether a node or anything below it has rules, so rule-free subtrees are not walked. */
const hasRulesCache = new WeakMap<JSONSchemaProps, boolean>();

function hasRules(s: JSONSchemaProps, resolver: SchemaResolver, depth: number): boolean {
  const hit = hasRulesCache.get(s);
  if (hit !== undefined) return hit;
  // Deeper than any CRD schema: only self-referring built-in schemas get here.
  if (depth > 64) return true;
  const below = (x: JSONSchemaProps | undefined): boolean => {
    const r = resolver.resolve(x);
    return r !== undefined && hasRules(r, resolver, depth + 1);
  };
  const answer =
    (s['x-kubernetes-validations']?.length ?? 0) > 0 ||
    below(s.items) ||
    (typeof s.additionalProperties === 'object' && below(s.additionalProperties)) ||
    Object.values(s.properties ?? {}).some(below);
  hasRulesCache.set(s, answer);
  return answer;
}

/**
 * For a `x-kubernetes-list-type: map` list, a lookup of the old item with the
 * same key fields as a new one; undefined for lists whose items cannot be
 * correlated.
 */
function correlatedItems(
  s: JSONSchemaProps,
  old: unknown,
): ((item: unknown) => unknown) | undefined {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(old)) return undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const keyOf = (item: unknown): string | undefined =>
    isPlainObject(item)
      ? JSON.stringify(keys.map((k) => (Object.hasOwn(item, k) ? item[k] : null)))
      : undefined;
  const byKey = new Map<string, unknown>();
  for (const item of old) {
    const k = keyOf(item);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, item);
  }
  return (item) => {
    const k = keyOf(item);
    return k === undefined ? undefined : byKey.get(k);
  };
}

function evaluateNode(
  w: Walk,
  value: unknown,
  old: unknown,
  s: JSONSchemaProps,
  path: string,
  root: boolean,
  unchanged: () => boolean,
  rules: Rule[],
): void {
  const at = path === '' ? '<nil>' : path;
  const typeText = s.type ?? '';
  if (w.budgetLeft <= 0) {
    w.causes.push(fieldError.invalid(at, typeText, BUDGET_MESSAGE));
    w.stopped = true;
    return;
  }
  const type = nodeType(s, w.resolver, root);
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  for (const rule of rules) {
    const text = rule.rule ?? '';
    if (text.trim() === '') continue;
    const c = compile(text, s, w.resolver, root, 'rule');
    if (c.error !== undefined || c.program === undefined || type === undefined) {
      w.causes.push(fieldError.invalid(at, typeText, `rule compile error: ${c.error}`));
      continue;
    }
    if (rule.optionalOldSelf === true) {
      // Needs CEL optional types; refused when the CRD is written (crd/schema.ts).
      w.causes.push(
        fieldError.invalid(
          at,
          typeText,
          'rule compile error: optionalOldSelf is not supported by Verge',
        ),
      );
      continue;
    }
    if (c.usesOldSelf && (old === undefined || old === null)) continue;
    self ??= toCelValue(value, type, w.cache);
    if (c.usesOldSelf) oldSelf ??= toCelValue(old, type, w.cache);
    const activation: Record<string, CelInput> = { self };
    if (oldSelf !== undefined) activation.oldSelf = oldSelf;
    const program = c.program;
    const run = runMetered(w, () => program(activation));
    if (run.exhausted !== undefined) {
      const message =
        run.exhausted === 'limit'
          ? `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`
          : BUDGET_MESSAGE;
      w.causes.push(fieldError.invalid(at, typeText, message));
      w.stopped = true;
      return;
    }
    const result = run.result;
    if (isCelError(result)) {
      w.causes.push(fieldError.invalid(at, typeText, runtimeError(result, rule)));
      continue;
    }
    if (result === true) continue;

    // The rule failed: say so, on its fieldPath if it has one.
    let failPath = at;
    if (rule.fieldPath !== undefined && rule.fieldPath.trim() !== '') {
      const fp = parseFieldPath(rule.fieldPath, s, w.resolver);
      if ('path' in fp && fp.path !== '') failPath = path === '' ? fp.path : `${path}.${fp.path}`;
    }
    let detail: string | undefined;
    if (rule.messageExpression !== undefined && rule.messageExpression.trim() !== '') {
      if (activation.oldSelf === undefined && old !== undefined && old !== null) {
        activation.oldSelf = oldSelf ??= toCelValue(old, type, w.cache);
      }
      const m = messageFromExpression(w, rule.messageExpression, s, root, activation);
      if (m.stop !== undefined) {
        addFailure(w, fieldError.invalid(failPath, typeText, m.stop), unchanged, c.usesOldSelf);
        w.stopped = true;
        return;
      }
      detail = m.message;
    }
    detail ??= ruleMessageOrDefault(rule);
    addFailure(w, failureCause(failPath, typeText, detail, rule.reason), unchanged, c.usesOldSelf);
  }
}

const BUDGET_MESSAGE =
  'validation failed due to running out of cost budget, no further validation rules will be run';

function runMetered(
  w: Walk,
  fn: () => CelValue | CelError,
): { result?: CelValue | CelError; exhausted?: Exhaustion } {
  const meter = new Meter(w.perRuleLimit, w.budgetLeft, w.deadline);
  let result: CelValue | CelError | undefined;
  let thrown: unknown;
  try {
    result = metered(meter, fn);
  } catch (err) {
    // The evaluator turns exceptions into CEL errors, so this is a bug in it.
    thrown = err;
  }
  w.budgetLeft -= meter.used;
  if (meter.exhausted !== undefined) return { exhausted: meter.exhausted };
  if (thrown !== undefined || result === undefined) {
    return { result: celError(thrown instanceof Error ? thrown : String(thrown)) };
  }
  return { result };
}

/**
 * The message of a failed rule from its messageExpression; `stop` when the
 * expression exhausted the budget (which ends all validation, as in
 * Kubernetes). Any other problem falls back to the rule's message.
 */
function messageFromExpression(
  w: Walk,
  expr: string,
  s: JSONSchemaProps,
  root: boolean,
  activation: Record<string, CelInput>,
): { message?: string; stop?: string } {
  const c = compile(expr, s, w.resolver, root, 'messageExpression');
  if (c.program === undefined) return {};
  const program = c.program;
  const run = runMetered(w, () => program(activation));
  if (run.exhausted === 'limit') {
    return {
      stop: `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(expr)}`,
    };
  }
  if (run.exhausted !== undefined) {
    return {
      stop: 'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run',
    };
  }
  if (typeof run.result !== 'string') return {};
  const trimmed = run.result.trim();
  if (trimmed === '' || /\n/.test(trimmed)) return {};
  if (Buffer.byteLength(trimmed) > MAX_MESSAGE_EXPRESSION_BYTES) return {};
  return { message: trimmed };
}

function addFailure(
  w: Walk,
  cause: FieldCause,
  unchanged: () => boolean,
  usesOldSelf: boolean,
): void {
  if (w.ratcheting && !usesOldSelf && unchanged()) {
    w.warnings?.push(`${cause.field}: ${cause.message}`);
    return;
  }
  w.causes.push(cause);
}

function failureCause(path: string, typeText: string, detail: string, reason?: string): FieldCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return fieldError.forbidden(path, detail);
    case 'FieldValueRequired':
      return fieldError.required(path, detail);
    case 'FieldValueDuplicate':
      return fieldError.duplicate(path, typeText);
    default:
      return fieldError.invalid(path, typeText, detail);
  }
}

function ruleErrorString(rule: Rule): string {
  const message = rule.message ?? '';
  return message !== '' ? message.trim() : (rule.rule ?? '').trim();
}

function ruleMessageOrDefault(rule: Rule): string {
  const message = rule.message ?? '';
  return message === '' ? `failed rule: ${ruleErrorString(rule)}` : message.trim();
}

/** A runtime error in cel-go's words, as Kubernetes reports it. */
function runtimeError(err: CelError, rule: Rule): string {
  const m = err.message;
  if (m.startsWith('found no matching overload') || m.startsWith('unbound function')) {
    return `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`;
  }
  return `${celGoMessage(m)} evaluating rule: ${ruleErrorString(rule)}`;
}

/** @bufbuild/cel's runtime error texts, reworded as cel-go words the same errors. */
const CEL_GO_MESSAGES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^field not found: (.*)$/s, (m) => `no such key: ${m[1]}`],
  [/^(?:int|uint|double) divide by zero$/, () => 'division by zero'],
  [/^(?:int|uint|double) modulus by zero$/, () => 'modulus by zero'],
  [/^int overflow during /, () => 'integer overflow'],
  [/^uint overflow during /, () => 'unsigned integer overflow'],
  // The evaluator does not know the list's length here (it prints -1).
  [/^index (-?\d+) out of bounds \[0, -1\)$/, (m) => `index out of bounds: ${m[1]}`],
];

function celGoMessage(message: string): string {
  for (const [re, reword] of CEL_GO_MESSAGES) {
    const m = re.exec(message);
    if (m !== null) return reword(m);
  }
  return message;
}
