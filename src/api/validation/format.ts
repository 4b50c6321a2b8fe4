/**
 * How Kubernetes prints an offending value that is not a plain string or
 * number. Its messages show such values in Go syntax (`map[string]string{"app":"x"}`,
 * `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`), and users search for
 * those texts, so the validators reproduce them for the few shapes they report.
 *
 * Also the `FieldCause` constructors for values so formatted, since
 * `fieldError` (src/api/field-errors.ts) formats values its own way.
 */
import type { FieldCause } from '../../util/errors.ts';
import type { FieldPath } from '../field-errors.ts';
import { goQuote } from '../structural/messages.ts';

export { goQuote };

/** `[]string{"a", "b"}`, or `[]string(nil)` for a missing list. */
export function goStringSlice(a: readonly unknown[] | undefined | null): string {
  if (a == null) return '[]string(nil)';
  return `[]string{${a.map((v) => goQuote(String(v))).join(', ')}}`;
}

/** `map[string]string{"a":"b"}` with keys sorted, or `map[string]string(nil)`. */
export function goStringMap(m: Record<string, unknown> | undefined | null): string {
  if (m == null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ')}}`;
}

/** An int-or-string value as Go's `%#v` shows `intstr.IntOrString`. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(String(v ?? ''))}}`;
}

interface SelectorLike {
  matchLabels?: Record<string, unknown>;
  matchExpressions?: { key?: unknown; operator?: unknown; values?: unknown[] }[];
}

/** A meta/v1 LabelSelector as Go's `%#v` shows it (`v1.LabelSelector{MatchLabels:...}`). */
export function goLabelSelector(sel: SelectorLike | undefined | null): string {
  if (sel == null) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goQuote(String(e?.key ?? ''))}, Operator:${goQuote(String(e?.operator ?? ''))}, Values:${goStringSlice(Array.isArray(e?.values) ? e.values : null)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  const labels = sel.matchLabels && typeof sel.matchLabels === 'object' ? sel.matchLabels : null;
  return `v1.LabelSelector{MatchLabels:${goStringMap(labels)}, MatchExpressions:${exprs}}`;
}

type Path = FieldPath | string;

/** `Invalid value: <valueText>: <detail>` where the caller has formatted the value. */
export function invalidRaw(path: Path, valueText: string, detail: string): FieldCause {
  return {
    reason: 'FieldValueInvalid',
    field: String(path),
    message: `Invalid value: ${valueText}${detail ? `: ${detail}` : ''}`,
  };
}

/** `Duplicate value: <valueText>[: <detail>]` */
export function duplicateRaw(path: Path, valueText: string, detail?: string): FieldCause {
  return {
    reason: 'FieldValueDuplicate',
    field: String(path),
    message: `Duplicate value: ${valueText}${detail ? `: ${detail}` : ''}`,
  };
}

/** `Unsupported value: <valueText>: supported values: "a", "b"` */
export function notSupportedRaw(
  path: Path,
  valueText: string,
  supported: readonly string[],
): FieldCause {
  return {
    reason: 'FieldValueNotSupported',
    field: String(path),
    message:
      `Unsupported value: ${valueText}` +
      (supported.length
        ? `: supported values: ${supported.map((v) => goQuote(v)).join(', ')}`
        : ''),
  };
}

/** `Not found: <valueText>: <detail>` */
export function notFoundRaw(path: Path, valueText: string, detail: string): FieldCause {
  return {
    reason: 'FieldValueNotFound',
    field: String(path),
    message: `Not found: ${valueText}: ${detail}`,
  };
}
