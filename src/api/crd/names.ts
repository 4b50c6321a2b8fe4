/**
 * The naming rules of a CustomResourceDefinition: its API group and the names
 * its resource is served under (`spec.names`, and `status.acceptedNames`), with
 * Kubernetes' defaults for the names a user may leave out.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError } from '../field-errors.ts';
import type { CustomResourceDefinitionNames } from '../types/apiextensions.ts';
import { isDns1035Label, isDns1123Subdomain } from '../validation/names.ts';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Fills `singular` (the kind in lower case) and `listKind` (kind + "List") when
 * they are empty, as Kubernetes' v1 defaulting does. Mutates `names`; idempotent.
 * Nothing is filled from an empty kind except `singular`, which stays empty.
 */
export function defaultNames(names: CustomResourceDefinitionNames): void {
  const kind = text(names.kind);
  if (text(names.singular) === '') names.singular = kind.toLowerCase();
  if (text(names.listKind) === '' && kind !== '') names.listKind = `${kind}List`;
}

/**
 * `spec.group`: required, a DNS subdomain, and with at least one dot (a bare
 * word would collide with the built-in groups' naming).
 */
export function validateGroup(group: unknown, path: string): FieldCause[] {
  const g = text(group);
  if (g === '') return [fieldError.required(path)];
  const errs = isDns1123Subdomain(g);
  if (errs.length > 0) return [fieldError.invalid(path, g, errs.join(','))];
  if (g.split('.').length < 2) {
    return [fieldError.invalid(path, g, 'should be a domain with at least one dot')];
  }
  return [];
}

/**
 * `spec.names`: plural, singular, kind and listKind are required (defaulting has
 * filled singular and listKind from kind when it could), then the format rules
 * of `validateNamesFormat`.
 */
export function validateSpecNames(names: unknown, path: string): FieldCause[] {
  const n = (typeof names === 'object' && names !== null ? names : {}) as Record<string, unknown>;
  const out: FieldCause[] = [];
  for (const key of ['plural', 'singular', 'kind', 'listKind']) {
    if (text(n[key]) === '') out.push(fieldError.required(`${path}.${key}`));
  }
  out.push(...validateNamesFormat(n, path));
  return out;
}

/**
 * The format of a set of names (also applied to `status.acceptedNames`): plural,
 * singular, short names and categories are lower-case DNS-1035 labels; kind and
 * listKind may have upper case but must otherwise be one; kind and listKind must
 * differ. Empty values are not reported here (see `validateSpecNames`).
 */
export function validateNamesFormat(names: unknown, path: string): FieldCause[] {
  const n = (typeof names === 'object' && names !== null ? names : {}) as Record<string, unknown>;
  const out: FieldCause[] = [];
  const label = (value: string, at: string, prefix = '', lower = false) => {
    if (value === '') return;
    const errs = isDns1035Label(lower ? value.toLowerCase() : value);
    if (errs.length > 0) out.push(fieldError.invalid(at, value, prefix + errs.join(',')));
  };
  const mixed = 'may have mixed case, but should otherwise match: ';
  label(text(n.plural), `${path}.plural`);
  label(text(n.singular), `${path}.singular`);
  label(text(n.kind), `${path}.kind`, mixed, true);
  label(text(n.listKind), `${path}.listKind`, mixed, true);
  list(n.shortNames).forEach((s, i) => {
    // An empty short name is reported: unlike the fields above, it is never "unset".
    const errs = isDns1035Label(text(s));
    if (errs.length > 0) {
      out.push(fieldError.invalid(`${path}.shortNames[${i}]`, text(s), errs.join(',')));
    }
  });
  const kind = text(n.kind);
  if (kind !== '' && kind === text(n.listKind)) {
    out.push(fieldError.invalid(`${path}.listKind`, kind, 'kind and listKind may not be the same'));
  }
  list(n.categories).forEach((c, i) => {
    const errs = isDns1035Label(text(c));
    if (errs.length > 0) {
      out.push(fieldError.invalid(`${path}.categories[${i}]`, text(c), errs.join(',')));
    }
  });
  return out;
}
