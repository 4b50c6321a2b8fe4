/**
 * Label selectors (the query-string form `app=web,tier!=db,env in (a,b),!legacy`
 * and the `LabelSelector` object form) and field selectors
 * (`metadata.name=x,spec.nodeName!=`), parsed and matched with Kubernetes'
 * grammar and error messages.
 *
 * Parsed requirements are plain data: callers may keep, compare and print them.
 * Every function here is pure.
 */
import { InvalidError } from '../../util/errors.ts';
import type { LabelSelector } from '../types/meta.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { goQuote, goStringSlice } from './format.ts';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

// ------------------------------------------------------------------ labels

type TokenKind =
  | 'error'
  | 'end'
  | 'closePar'
  | 'comma'
  | 'not'
  | 'doubleEquals'
  | 'equals'
  | 'greater'
  | 'identifier'
  | 'in'
  | 'less'
  | 'notEquals'
  | 'notin'
  | 'openPar';

interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS: Record<string, TokenKind> = {
  ')': 'closePar',
  ',': 'comma',
  '!': 'not',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greater',
  '<': 'less',
  '!=': 'notEquals',
  '(': 'openPar',
};
const KEYWORDS: Record<string, TokenKind> = { in: 'in', notin: 'notin' };
const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const ALL_OPERATORS = [...BINARY_OPERATORS, 'exists', '!'];

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSymbol = (c: string): boolean => '=!(),><'.includes(c);

/** Splits a selector into tokens; an operator is the longest run of symbol characters that is one. */
function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) {
      tokens.push({ kind: 'end', text: '' });
      return tokens;
    }
    if (isSymbol(s[i])) {
      let buf = '';
      let last: Token | undefined;
      while (i < s.length && isSymbol(s[i])) {
        buf += s[i];
        const kind = SYMBOLS[buf];
        if (kind) {
          last = { kind, text: buf };
        } else if (last) {
          break;
        }
        i++;
      }
      tokens.push(last ?? { kind: 'error', text: `error expected: keyword found '${buf}'` });
      continue;
    }
    let word = '';
    while (i < s.length && !isSymbol(s[i]) && !isSpace(s[i])) word += s[i++];
    tokens.push({ kind: KEYWORDS[word] ?? 'identifier', text: word });
  }
}

class SelectorParser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(s: string) {
    this.#tokens = tokenize(s);
  }

  /** In value position the keywords `in` and `notin` are plain identifiers. */
  #peek(valueContext = true): Token {
    return asValue(this.#tokens[this.#pos], valueContext);
  }

  #next(valueContext = true): Token {
    return asValue(this.#tokens[this.#pos++], valueContext);
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.kind === 'end') return out;
      if (t.kind !== 'identifier' && t.kind !== 'not') {
        throw new InvalidError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      }
      try {
        out.push(this.#requirement());
      } catch (err) {
        throw new InvalidError(`unable to parse requirement: ${(err as Error).message}`);
      }
      const after = this.#next();
      if (after.kind === 'end') return out;
      if (after.kind !== 'comma') {
        throw new InvalidError(`found '${after.text}', expected: ',' or 'end of string'`);
      }
      const more = this.#peek();
      if (more.kind !== 'identifier' && more.kind !== 'not') {
        throw new InvalidError(`found '${more.text}', expected: identifier after ','`);
      }
    }
  }

  #requirement(): Requirement {
    let t = this.#next();
    let negated = false;
    if (t.kind === 'not') {
      negated = true;
      t = this.#next();
    }
    if (t.kind !== 'identifier') throw new Error(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length)
      throw new Error(`<nil>: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
    // `!key` takes no operator: whatever follows it is reported by the caller.
    if (negated) return checked(key, '!', []);
    const la = this.#peek();
    if (la.kind === 'end' || la.kind === 'comma') return checked(key, 'exists', []);
    const opTok = this.#next(false);
    const op = OPERATOR_OF[opTok.kind];
    if (!op) throw new Error(`found '${opTok.text}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = op === 'in' || op === 'notin' ? this.#setValues() : this.#exactValue();
    return checked(key, op, values);
  }

  #setValues(): string[] {
    const open = this.#next();
    if (open.kind !== 'openPar') throw new Error(`found '${open.text}' expected: '('`);
    const first = this.#peek();
    if (first.kind === 'closePar') {
      this.#next();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== 'comma') {
      throw new Error(`found '${first.text}', expected: ',', ')' or identifier`);
    }
    const set = new Set<string>();
    for (;;) {
      const t = this.#next();
      if (t.kind === 'identifier') {
        set.add(t.text);
        const la = this.#peek();
        if (la.kind === 'comma') continue;
        if (la.kind === 'closePar') break;
        throw new Error(`found '${la.text}', expected: ',' or ')'`);
      } else if (t.kind === 'comma') {
        // Empty items (`(a,,b)`, `(,a)`, `(a,)`) stand for the empty value.
        if (set.size === 0) set.add('');
        const la = this.#peek();
        if (la.kind === 'closePar') {
          set.add('');
          break;
        }
        if (la.kind === 'comma') {
          this.#next();
          set.add('');
        }
      } else {
        throw new Error(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    const close = this.#next();
    if (close.kind !== 'closePar') throw new Error(`found '${first.text}', expected: ')'`);
    return [...set].sort();
  }

  #exactValue(): string[] {
    const la = this.#peek();
    if (la.kind === 'end' || la.kind === 'comma') return [''];
    const t = this.#next();
    if (t.kind === 'identifier') return [t.text];
    throw new Error(`found '${t.text}', expected: identifier`);
  }
}

const OPERATOR_OF: Partial<Record<TokenKind, LabelOperator>> = {
  in: 'in',
  notin: 'notin',
  equals: '=',
  doubleEquals: '==',
  notEquals: '!=',
  greater: 'gt',
  less: 'lt',
};

function asValue(t: Token, valueContext: boolean): Token {
  if (valueContext && (t.kind === 'in' || t.kind === 'notin'))
    return { kind: 'identifier', text: t.text };
  return t;
}

/**
 * Kubernetes' rules for one requirement (labels.NewRequirement). Throws a plain
 * Error whose message is Kubernetes' aggregate of the problems; callers wrap it.
 */
function checked(key: string, operator: LabelOperator, values: string[]): Requirement {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(`key: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
  const valuesText = goStringSlice(values);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) {
        errs.push(
          `values: Invalid value: ${valuesText}: for 'in', 'notin' operators, values set can't be empty`,
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) {
        errs.push(
          `values: Invalid value: ${valuesText}: exact-match compatibility requires one single value`,
        );
      }
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) {
        errs.push(
          `values: Invalid value: ${valuesText}: values set must be empty for exists and does not exist`,
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) {
        errs.push(
          `values: Invalid value: ${valuesText}: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      }
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            `values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(String(operator))}: supported values: ${ALL_OPERATORS.map((o) => JSON.stringify(o)).join(', ')}`,
      );
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) {
      errs.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${valueErrs.join('; ')}`);
    }
  });
  if (errs.length) throw new Error(aggregate(errs));
  return { key, operator, values };
}

/** Kubernetes' aggregate error text: one message alone, several as `[a, b]`, duplicates once. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

/**
 * Parses a label selector in query-string form. The empty string selects
 * everything (returns []). Requirements come back sorted by key; set values
 * sorted and without duplicates. Throws `InvalidError` with Kubernetes' message.
 */
export function parseLabelSelector(s: string): Requirement[] {
  const reqs = new SelectorParser(s).parse();
  return reqs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i))
    .map(({ r }) => r);
}

const OBJECT_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * The requirements of a `LabelSelector` object (matchLabels, then
 * matchExpressions). An empty selector selects everything (returns []); whether
 * a missing selector selects nothing is the caller's decision, as in Kubernetes.
 * Throws `InvalidError` with Kubernetes' message for an unknown operator, a bad
 * key or value, or values that do not fit the operator.
 */
export function labelSelectorFromObject(sel: LabelSelector): Requirement[] {
  const out: Requirement[] = [];
  try {
    const labels = sel.matchLabels ?? {};
    for (const key of Object.keys(labels)) out.push(checked(key, '=', [String(labels[key])]));
    for (const expr of sel.matchExpressions ?? []) {
      const op = OBJECT_OPERATORS[expr.operator];
      if (!op)
        throw new Error(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
      out.push(checked(String(expr.key), op, [...(expr.values ?? [])].map(String)));
    }
  } catch (err) {
    throw new InvalidError((err as Error).message);
  }
  return out;
}

/** True if `labels` satisfies every requirement (AND). No requirements match everything. */
export function matchesLabels(
  reqs: Requirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const ls = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(ls, k);
  for (const r of reqs) {
    const present = has(r.key);
    const value = present ? ls[r.key] : undefined;
    let ok: boolean;
    switch (r.operator) {
      case 'in':
      case '=':
      case '==':
        ok = present && r.values.includes(value as string);
        break;
      case 'notin':
      case '!=':
        ok = !present || !r.values.includes(value as string);
        break;
      case 'exists':
        ok = present;
        break;
      case '!':
        ok = !present;
        break;
      case 'gt':
      case 'lt': {
        const have = present ? parseInt64(value as string) : undefined;
        const want = r.values.length === 1 ? parseInt64(r.values[0]) : undefined;
        ok =
          have !== undefined &&
          want !== undefined &&
          (r.operator === 'gt' ? have > want : have < want);
        break;
      }
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

/** The query-string form of requirements, as Kubernetes prints a selector (`a=b,c in (x,y),!d`). */
export function formatLabelSelector(reqs: Requirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case '!':
          return `!${r.key}`;
        case 'exists':
          return r.key;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        case 'gt':
          return `${r.key}>${r.values.join(',')}`;
        case 'lt':
          return `${r.key}<${r.values.join(',')}`;
        default:
          return `${r.key}${r.operator}${r.values.join(',')}`;
      }
    })
    .join(',');
}

// ------------------------------------------------------------------ fields

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new InvalidError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      // Kubernetes prints the character's code point here.
      throw new InvalidError(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0)}`,
      );
    } else {
      out += c;
    }
  }
  if (escaped) throw new InvalidError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * Parses a field selector (`a=b,c!=d`). Values may escape `\`, `,` and `=` with
 * a backslash; field names cannot. Empty terms are skipped; the empty string
 * selects everything. Terms come back sorted by their text, as Kubernetes sorts
 * them. Throws `InvalidError` with Kubernetes' message.
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(s).sort()) {
    if (term === '') continue;
    let found: { at: number; op: FieldRequirement['operator'] } | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          found = { at: i, op };
          break;
        }
      }
    }
    if (!found) throw new InvalidError(`invalid selector: '${s}'; can't understand '${term}'`);
    out.push({
      field: term.slice(0, found.at),
      operator: found.op,
      value: unescapeValue(term.slice(found.at + found.op.length)),
    });
  }
  return out;
}

/** True if every requirement holds; a field missing from `fields` has the value "". */
export function matchesFields(reqs: FieldRequirement[], fields: Record<string, string>): boolean {
  for (const r of reqs) {
    const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
    if (r.operator === '!=' ? v === r.value : v !== r.value) return false;
  }
  return true;
}

/** Escapes `\`, `,` and `=` so an arbitrary string can be a field selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}
