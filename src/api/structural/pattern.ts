/**
 * `pattern` matching for schema validation, safe against patterns written to
 * backtrack forever.
 *
 * Kubernetes compiles patterns with Go's RE2, which is linear-time and has no
 * lookaround or backreferences. JavaScript's engine backtracks, so a pattern such
 * as `^(a+)+$` could stall the event loop on a 40-character input. Three guards:
 *
 * - Patterns RE2 would reject (lookaround, backreferences) are reported invalid,
 *   with Go's wording, so every accepted pattern is one V8's linear-time engine
 *   can run.
 * - V8 is told to switch a match to that linear-time engine once it backtracks
 *   excessively (`--enable-experimental-regexp-engine-on-excessive-backtracks`,
 *   a process-wide flag set once when this module loads; it changes no result).
 * - Patterns the linear engine does not take (case-insensitive flags, a bounded
 *   repeat nested in another repeat) are matched in a `vm` context with a time
 *   limit; inputs longer than MAX_PATTERN_INPUT are not matched at all.
 *
 * Compiled patterns are cached (bounded), since the same few patterns are matched
 * against every object of a kind.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** Longest string matched against a pattern; longer strings fail the pattern. */
export const MAX_PATTERN_INPUT = 256 * 1024;

/** Time limit for one guarded match. */
const GUARDED_MATCH_MS = 100;

const CACHE_SIZE = 1024;

export interface CompiledPattern {
  readonly re?: RegExp;
  /** Why the pattern cannot be used, worded like Go's regexp parser. */
  readonly error?: string;
  /** Match under a time limit (see the module comment). */
  readonly guarded: boolean;
}

const cache = new Map<string, CompiledPattern>();

/** Compiles (or returns the cached) pattern. Never throws. */
export function compilePattern(pattern: string): CompiledPattern {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const compiled = compile(pattern);
  // Evicts the oldest entry: schemas change rarely, so a full cache means churn anyway.
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, compiled);
  return compiled;
}

export type MatchResult = 'match' | 'mismatch' | 'timeout';

export function matchPattern(p: CompiledPattern, input: string): MatchResult {
  if (p.re === undefined) return 'mismatch';
  if (input.length > MAX_PATTERN_INPUT) return 'mismatch';
  if (!p.guarded) return p.re.test(input) ? 'match' : 'mismatch';
  return guardedTest(p.re, input);
}

const sandbox = vm.createContext({ re: undefined as RegExp | undefined, s: '' });
const testScript = new vm.Script('re.test(s)');

function guardedTest(re: RegExp, s: string): MatchResult {
  sandbox.re = re;
  sandbox.s = s;
  try {
    return testScript.runInContext(sandbox, { timeout: GUARDED_MATCH_MS }) === true
      ? 'match'
      : 'mismatch';
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw err;
  } finally {
    sandbox.re = undefined;
    sandbox.s = '';
  }
}

function compile(pattern: string): CompiledPattern {
  let source = pattern;
  let flags = '';
  // Go's leading inline flags, `(?i)` etc., become JavaScript flags.
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline !== null) {
    if (inline[1].includes('U')) {
      return { guarded: false, error: 'error parsing regexp: invalid or unsupported flag: `U`' };
    }
    flags = [...new Set(inline[1])].join('');
    source = source.slice(inline[0].length);
  }
  const scan = scanPattern(source);
  if (scan.error !== undefined) return { guarded: false, error: scan.error };
  try {
    const re = new RegExp(source, flags);
    return { re, guarded: flags !== '' || scan.guarded };
  } catch (err) {
    return { guarded: false, error: (err as Error).message };
  }
}

interface Scan {
  error?: string;
  guarded: boolean;
}

/**
 * One pass over the pattern source: rejects what RE2 rejects (lookaround,
 * backreferences) and notes nesting the linear engine may not take (a bounded
 * repeat `{n,m}` inside or around another repeat, inline modifiers).
 */
function scanPattern(src: string): Scan {
  interface Group {
    hasRepeat: boolean;
    hasBounded: boolean;
  }
  const stack: Group[] = [{ hasRepeat: false, hasBounded: false }];
  let guarded = false;
  let inClass = false;
  // What the last atom was, for deciding what a following quantifier applies to.
  let lastGroup: Group | undefined;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (!inClass && n !== undefined && n >= '1' && n <= '9') {
        return { guarded, error: `error parsing regexp: invalid escape sequence: \`\\${n}\`` };
      }
      if (!inClass && n === 'k' && src[i + 2] === '<') {
        return { guarded, error: 'error parsing regexp: invalid escape sequence: `\\k`' };
      }
      i++;
      lastGroup = undefined;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        lastGroup = undefined;
        break;
      case '(': {
        const ahead = src.slice(i, i + 4);
        for (const look of ['(?=', '(?!', '(?<=', '(?<!']) {
          if (ahead.startsWith(look)) {
            return {
              guarded,
              error: `error parsing regexp: invalid or unsupported Perl syntax: \`${look}\``,
            };
          }
        }
        if (src[i + 1] === '?') {
          // Skip the group's prefix (`?:`, `?<name>`, `?i:`) so its `?` is not read as a repeat.
          const prefix = /^\?(:|<[^>]*>|[imsx-]+:)/.exec(src.slice(i + 1));
          if (prefix !== null) {
            if (/^\?[imsx-]/.test(prefix[0])) guarded = true;
            i += prefix[0].length;
          }
        }
        stack.push({ hasRepeat: false, hasBounded: false });
        lastGroup = undefined;
        break;
      }
      case ')': {
        const g = stack.length > 1 ? stack.pop() : undefined;
        lastGroup = g;
        if (g !== undefined) {
          const top = stack[stack.length - 1];
          top.hasRepeat ||= g.hasRepeat;
          top.hasBounded ||= g.hasBounded;
        }
        break;
      }
      case '*':
      case '+':
      case '?':
      case '{': {
        let bounded = false;
        if (c === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
          if (m === null) {
            lastGroup = undefined;
            break; // a literal brace, as in Annex B JavaScript
          }
          bounded = true;
          i += m[0].length - 1;
        } else if (c === '?' && i > 0 && /[*+?}]/.test(src[i - 1])) {
          break; // lazy modifier of the previous quantifier
        }
        if (lastGroup !== undefined && lastGroup.hasRepeat && (bounded || lastGroup.hasBounded)) {
          guarded = true;
        }
        const top = stack[stack.length - 1];
        top.hasRepeat = true;
        top.hasBounded ||= bounded;
        lastGroup = undefined;
        break;
      }
      default:
        lastGroup = undefined;
    }
  }
  return { guarded };
}
