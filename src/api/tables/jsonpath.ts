/**
 * Kubernetes' JSONPath dialect (client-go `util/jsonpath`, what kubectl's
 * `-o jsonpath` and CRD `additionalPrinterColumns` speak), reimplemented for
 * plain JSON values.
 *
 * A template mixes text and `{...}` actions. Inside an action: `.field`,
 * `['key']`, `[i]`, `[start:end:step]` (negative indices count from the end),
 * `[*]` and `.*`, `..` (recursive descent), unions `[a,b]`, filters
 * `[?(@.type=="Ready")]` with `== != < > <= >=` or bare existence `[?(@.x)]`,
 * string/number/boolean literals, and `@`/`$` for the current object.
 *
 * Missing keys yield no result rather than an error (client-go's
 * AllowMissingKeys, which CRD columns use). Not supported: `range`/`end`
 * blocks (they fail at evaluation).
 *
 * Known approximation: Go tells a JSON `2.0` (float64) from `2` (int64); plain
 * JSON values in JavaScript cannot, so every integral number counts as an
 * integer when filters compare numbers.
 */
import { InvalidError } from '../../util/errors.ts';

/** A float literal of the path itself (`1.0`), kept apart from integers the way Go's parser does. */
export class GoFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

interface ArrayParam {
  known: boolean;
  value: number;
  derived: boolean;
}

type ListNode = { kind: 'list'; nodes: PathNode[] };

type PathNode =
  | ListNode
  | { kind: 'text'; text: string }
  | { kind: 'field'; name: string }
  | { kind: 'array'; params: readonly [ArrayParam, ArrayParam, ArrayParam] }
  | { kind: 'filter'; left: ListNode; right: ListNode; operator: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'union'; nodes: ListNode[] }
  | { kind: 'identifier'; name: string };

/** Evaluation failed (not an array, index out of range, incomparable values...). */
export class JsonPathError extends Error {
  /** What the failing step had in hand; Go's evaluator returns it, and existence filters use it. */
  readonly partial: unknown[];
  constructor(message: string, partial: unknown[]) {
    super(message);
    this.partial = partial;
  }
}

// ------------------------------------------------------------------ parser

const EOF = '';

function isTerminator(c: string): boolean {
  return (
    c === EOF ||
    c === ' ' ||
    c === '\t' ||
    c === '\r' ||
    c === '\n' ||
    c === '.' ||
    c === ',' ||
    c === '[' ||
    c === ']' ||
    c === '$' ||
    c === '@' ||
    c === '{' ||
    c === '}'
  );
}

const ALNUM = /^[\p{L}\p{Nd}_]$/u;
const DIGIT = /^\p{Nd}$/u;
const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)([^\n]+?)$/;

function list(): ListNode {
  return { kind: 'list', nodes: [] };
}

/** Go's strconv.Atoi: optional sign, ASCII digits, within int64. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) return undefined;
  return Number(n);
}

/** Go's strconv.Unquote, extended to single-quoted strings. */
function unquote(s: string): string {
  const fail = (): never => {
    throw new InvalidError(`invalid quoted string ${s}`);
  };
  if (s.length < 2) fail();
  const quote = s[0];
  if ((quote !== '"' && quote !== "'") || s[s.length - 1] !== quote) fail();
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote) fail();
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
    } else if (e === quote) {
      out += quote;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) fail();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (e !== 'x' && code >= 0xd800 && code < 0xe000)) fail();
      out += e === 'x' ? String.fromCharCode(code) : String.fromCodePoint(code);
      i += len;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) fail();
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      fail();
    }
  }
  return out;
}

/** Parses Go-style: one pass, one rune of lookahead, errors as InvalidError. */
class Parser {
  readonly #input: string;
  #pos = 0;
  #width = 0;

  constructor(input: string) {
    this.#input = input;
  }

  parse(): ListNode {
    const root = list();
    for (;;) {
      const open = this.#input.indexOf('{', this.#pos);
      if (open < 0) {
        if (this.#pos < this.#input.length) {
          root.nodes.push({ kind: 'text', text: this.#input.slice(this.#pos) });
        }
        return root;
      }
      if (open > this.#pos)
        root.nodes.push({ kind: 'text', text: this.#input.slice(this.#pos, open) });
      this.#pos = open + 1;
      const action = list();
      root.nodes.push(action);
      this.#parseAction(action);
    }
  }

  #next(): string {
    if (this.#pos >= this.#input.length) {
      this.#width = 0;
      return EOF;
    }
    const cp = this.#input.codePointAt(this.#pos) ?? 0;
    const c = String.fromCodePoint(cp);
    this.#width = c.length;
    this.#pos += c.length;
    return c;
  }

  #peek(): string {
    const c = this.#next();
    this.#pos -= this.#width;
    return c;
  }

  #backup(): void {
    this.#pos -= this.#width;
  }

  #startsWith(prefix: string): boolean {
    return this.#input.startsWith(prefix, this.#pos);
  }

  /** Parses the inside of `{...}` into `cur`, consuming the closing brace. */
  #parseAction(cur: ListNode): void {
    for (;;) {
      if (this.#startsWith('}')) {
        this.#pos += 1;
        return;
      }
      if (this.#startsWith('[?(')) {
        this.#parseFilter(cur);
        continue;
      }
      if (this.#startsWith('..')) {
        this.#parseRecursive(cur);
        continue;
      }
      const start = this.#pos;
      const c = this.#next();
      if (c === EOF || c === '\r' || c === '\n') throw new InvalidError('unclosed action');
      if (c === ' ' || c === '@' || c === '$') continue;
      if (c === '[') this.#parseArray(cur, start);
      else if (c === '"' || c === "'") this.#parseQuote(cur, start, c);
      else if (c === '.') this.#parseField(cur);
      else if (c === '+' || c === '-' || DIGIT.test(c)) {
        this.#backup();
        this.#parseNumber(cur);
      } else if (ALNUM.test(c)) {
        this.#backup();
        this.#parseIdentifier(cur);
      } else {
        throw new InvalidError(`unrecognized character in action: ${JSON.stringify(c)}`);
      }
    }
  }

  #parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.kind === 'recursive') {
      throw new InvalidError('invalid multiple recursive descent');
    }
    this.#pos += 2;
    cur.nodes.push({ kind: 'recursive' });
    if (ALNUM.test(this.#peek())) this.#parseField(cur);
  }

  #parseField(cur: ListNode): void {
    const start = this.#pos;
    for (;;) {
      const c = this.#next();
      if (c === '\\') {
        this.#next();
      } else if (isTerminator(c)) {
        this.#backup();
        break;
      }
    }
    const value = this.#input.slice(start, this.#pos);
    if (value === '*') cur.nodes.push({ kind: 'wildcard' });
    else cur.nodes.push({ kind: 'field', name: value.replaceAll('\\', '') });
  }

  #parseNumber(cur: ListNode): void {
    const start = this.#pos;
    const sign = this.#peek();
    if (sign === '+' || sign === '-') this.#next();
    for (;;) {
      const c = this.#next();
      if (c !== '.' && !DIGIT.test(c)) {
        this.#backup();
        break;
      }
    }
    const text = this.#input.slice(start, this.#pos);
    const int = atoi(text);
    if (int !== undefined) {
      cur.nodes.push({ kind: 'int', value: int });
    } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(text)) {
      cur.nodes.push({ kind: 'float', value: Number(text) });
    } else {
      throw new InvalidError(`cannot parse number ${text}`);
    }
  }

  #parseIdentifier(cur: ListNode): void {
    const start = this.#pos;
    for (;;) {
      if (isTerminator(this.#next())) {
        this.#backup();
        break;
      }
    }
    const value = this.#input.slice(start, this.#pos);
    if (value === 'true' || value === 'false')
      cur.nodes.push({ kind: 'bool', value: value === 'true' });
    else cur.nodes.push({ kind: 'identifier', name: value });
  }

  #parseArray(cur: ListNode, start: number): void {
    for (;;) {
      const c = this.#next();
      if (c === EOF || c === '\n') throw new InvalidError('unterminated array');
      if (c === ']') break;
    }
    let text = this.#input.slice(start + 1, this.#pos - 1);
    if (text === '*') text = ':';

    const parts = text.split(',');
    if (parts.length > 1) {
      const nodes = parts.map((p) => parseSubAction(`[${p.replace(/^ +| +$/g, '')}]`));
      cur.nodes.push({ kind: 'union', nodes });
      return;
    }

    const key = DICT_KEY.exec(text);
    if (key) {
      cur.nodes.push(...parseSubAction(`.${key[1]}`).nodes);
      return;
    }

    const slice = SLICE.exec(text);
    if (!slice) throw new InvalidError(`invalid array index ${text}`);
    const params: ArrayParam[] = [];
    for (let i = 0; i < 3; i++) {
      let raw = slice[i + 1] ?? '';
      if (raw !== '') {
        if (i > 0) raw = raw.slice(1);
        if (i > 0 && raw === '') {
          params.push({ known: false, value: 0, derived: false });
        } else {
          const n = atoi(raw);
          if (n === undefined) throw new InvalidError(`array index ${raw} is not a number`);
          params.push({ known: true, value: n, derived: false });
        }
      } else if (i === 1) {
        params.push({ known: true, value: params[0].value + 1, derived: true });
      } else {
        params.push({ known: false, value: 0, derived: false });
      }
    }
    cur.nodes.push({ kind: 'array', params: [params[0], params[1], params[2]] });
  }

  #parseFilter(cur: ListNode): void {
    this.#pos += 3;
    const start = this.#pos;
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.#next();
      if (c === EOF || c === '\n') throw new InvalidError('unterminated filter');
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
          continue;
        }
        if (this.#input[this.#pos - 2] !== '\\' && c === pair) end = true;
      } else if (c === ')' && begin === end) {
        break;
      }
    }
    if (this.#next() !== ']') throw new InvalidError('unclosed array expect ]');
    const text = this.#input.slice(start, this.#pos - 2);
    const m = FILTER.exec(text);
    if (!m) {
      cur.nodes.push({
        kind: 'filter',
        left: parseSubAction(text),
        right: list(),
        operator: 'exists',
      });
    } else {
      cur.nodes.push({
        kind: 'filter',
        left: parseSubAction(m[1]),
        right: parseSubAction(m[3]),
        operator: m[2],
      });
    }
  }

  #parseQuote(cur: ListNode, start: number, quote: string): void {
    for (;;) {
      const c = this.#next();
      if (c === EOF || c === '\n') throw new InvalidError('unterminated quoted string');
      if (c === quote && this.#input[this.#pos - 2] !== '\\') break;
    }
    cur.nodes.push({ kind: 'text', text: unquote(this.#input.slice(start, this.#pos)) });
  }
}

/** Parses `text` as the inside of one action (Go's parseAction). */
function parseSubAction(text: string): ListNode {
  const root = new Parser(`{${text}}`).parse();
  const first = root.nodes[0];
  if (first?.kind !== 'list') throw new InvalidError(`invalid path ${text}`);
  return first;
}

// ------------------------------------------------------------------ evaluation

type Kind = 'int' | 'float' | 'string' | 'bool';

function kindOf(v: unknown): Kind | undefined {
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return undefined;
}

function plain(v: unknown): unknown {
  return v instanceof GoFloat ? v.value : v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);
}

/** The children Go's reflection walks into: map values, elements, or a string's bytes. */
function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return Object.values(v);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return [];
}

function compare(left: unknown, right: unknown, operator: string, input: unknown[]): boolean {
  const kl = kindOf(left);
  const kr = kindOf(right);
  if (kl === undefined || kr === undefined)
    throw new JsonPathError('invalid type for comparison', input);
  if (kl !== kr) throw new JsonPathError('incompatible types for comparison', input);
  const a = plain(left) as number | string | boolean;
  const b = plain(right) as number | string | boolean;
  const less = (): boolean => {
    if (kl === 'bool') throw new JsonPathError('invalid type for comparison', input);
    return a < b;
  };
  switch (operator) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return less();
    case '<=':
      return less() || a === b;
    case '>':
      return !(less() || a === b);
    case '>=':
      return !less();
    default:
      throw new JsonPathError(`unrecognized filter operator ${operator}`, []);
  }
}

function evalList(input: unknown[], node: ListNode): unknown[] {
  let cur = input;
  for (const n of node.nodes) cur = walk(cur, n);
  return cur;
}

function walk(input: unknown[], node: PathNode): unknown[] {
  switch (node.kind) {
    case 'list':
      return evalList(input, node);
    case 'text':
      return [node.text];
    case 'int':
    case 'bool':
      return input.map(() => node.value);
    case 'float':
      return input.map(() => new GoFloat(node.value));
    case 'field':
      return evalField(input, node.name);
    case 'array':
      return evalArray(input, node.params);
    case 'filter':
      return evalFilter(input, node);
    case 'wildcard':
      return input.flatMap((v) => (v == null ? [] : children(v)));
    case 'recursive':
      return evalRecursive(input);
    case 'union':
      return node.nodes.flatMap((n) => evalList(input, n));
    case 'identifier':
      throw new JsonPathError(
        node.name === 'range' || node.name === 'end'
          ? `${node.name} is not supported here`
          : `unrecognized identifier ${node.name}`,
        input,
      );
  }
}

function evalField(input: unknown[], name: string): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (isRecord(v) && Object.hasOwn(v, name)) out.push(v[name]);
  }
  return out;
}

function evalArray(input: unknown[], params: readonly ArrayParam[]): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (v == null) continue;
    if (!Array.isArray(v)) throw new JsonPathError('value is not an array', input);
    const len = v.length;
    let start = params[0].known ? params[0].value : 0;
    if (start < 0) start += len;
    let end = params[1].known ? params[1].value : len;
    if (end < 0 || (end === 0 && params[1].derived)) end += len;
    if (end === start) return out;
    if (start >= len || start < 0) {
      throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`, input);
    }
    if (end > len || end < 0) {
      throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`, input);
    }
    if (start > end) {
      throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`, input);
    }
    let step = 1;
    if (params[2].known) {
      if (params[2].value <= 0) throw new JsonPathError('step must be > 0', input);
      step = params[2].value;
    }
    for (let i = start; i < end; i += step) out.push(v[i]);
  }
  return out;
}

function evalRecursive(input: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (v == null) continue;
    const kids = children(v);
    if (kids.length > 0) {
      out.push(v);
      out.push(...evalRecursive(kids));
    }
  }
  return out;
}

function evalFilter(
  input: unknown[],
  node: { left: ListNode; right: ListNode; operator: string },
): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    if (!Array.isArray(v))
      throw new JsonPathError('value is not an array and cannot be filtered', input);
    for (const item of v) {
      let lefts: unknown[];
      try {
        lefts = evalList([item], node.left);
      } catch (err) {
        if (!(err instanceof JsonPathError) || node.operator !== 'exists') throw err;
        lefts = err.partial;
      }
      if (node.operator === 'exists') {
        if (lefts.length > 0) out.push(item);
        continue;
      }
      if (lefts.length === 0) continue;
      if (lefts.length > 1)
        throw new JsonPathError('can only compare one element at a time', input);
      const rights = evalList([item], node.right);
      if (rights.length === 0) continue;
      if (rights.length > 1)
        throw new JsonPathError('can only compare one element at a time', input);
      if (compare(lefts[0], rights[0], node.operator, input)) out.push(item);
    }
  }
  return out;
}

/** A parsed template. Immutable; `findResults` may be called any number of times. */
export class JsonPath {
  readonly #root: ListNode;

  private constructor(root: ListNode) {
    this.#root = root;
  }

  /** Parses a template such as `{.status.conditions[?(@.type=="Ready")].status}`. Throws InvalidError. */
  static parse(template: string): JsonPath {
    return new JsonPath(new Parser(template).parse());
  }

  /**
   * One result list per top-level text or action of the template, values in
   * document order (JSON `null` included as null). Float literals of the path
   * come back as GoFloat. Throws JsonPathError when a step cannot apply.
   * Never mutates `data`; results alias parts of it.
   */
  findResults(data: unknown): unknown[][] {
    return this.#root.nodes.map((node) => walk([data], node));
  }
}
