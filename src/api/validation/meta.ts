/**
 * Metadata rules shared by every kind, custom resources included: the name (or
 * generateName prefix) against the kind's name rule, namespace presence,
 * labels, annotations (256 KiB in total), owner references and finalizers; and,
 * on update, the fields that may not change. Also label selector objects, which
 * many specs embed.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, FieldPath } from '../field-errors.ts';
import { isObject, list, map, sortedKeys, str } from './access.ts';
import { goQuote, goStringMap, goStringSlice, invalidRaw } from './format.ts';
import {
  byteLength,
  checkName,
  isDns1123Label,
  isQualifiedName,
  isValidLabelValue,
  type NameRule,
} from './names.ts';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

type Path = FieldPath | string;

export interface ObjectMetaOptions {
  /** The kind lives in a namespace: metadata.namespace is required (else forbidden). */
  namespaced: boolean;
  /** How names of the kind are checked. `dns1035Label` is accepted too (Service). */
  nameRule: NameRule;
  /** Where the metadata sits; default `metadata`. */
  path?: string;
}

/** A label key's problems, one cause per problem, as Kubernetes reports them. */
export function validateLabelName(key: string, path: Path): FieldCause[] {
  return isQualifiedName(key).map((m) => fieldError.invalid(path, key, m));
}

/** Keys and values of a label map. Causes name the map, not the key, as in Kubernetes. */
export function validateLabels(labels: unknown, path: Path): FieldCause[] {
  const out: FieldCause[] = [];
  const m = map(labels);
  if (!m) return out;
  for (const k of sortedKeys(m)) {
    out.push(...validateLabelName(k, path));
    const v = str(m[k]);
    for (const msg of isValidLabelValue(v)) out.push(fieldError.invalid(path, v, msg));
  }
  return out;
}

/** Annotation keys (qualified names, case-insensitive) and their total size. */
export function validateAnnotations(annotations: unknown, path: Path): FieldCause[] {
  const out: FieldCause[] = [];
  const m = map(annotations);
  if (!m) return out;
  let total = 0;
  for (const k of sortedKeys(m)) {
    for (const msg of isQualifiedName(k.toLowerCase())) out.push(fieldError.invalid(path, k, msg));
    total += byteLength(k) + byteLength(str(m[k]));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
    out.push(fieldError.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return out;
}

function goOwnerReference(r: unknown): string {
  const o = isObject(r) ? r : {};
  const ptr = (v: unknown): string => (typeof v === 'boolean' ? `&${v}` : '(*bool)(nil)');
  return (
    `v1.OwnerReference{APIVersion:${goQuote(str(o.apiVersion))}, Kind:${goQuote(str(o.kind))}, ` +
    `Name:${goQuote(str(o.name))}, UID:${goQuote(str(o.uid))}, Controller:${ptr(o.controller)}, ` +
    `BlockOwnerDeletion:${ptr(o.blockOwnerDeletion)}}`
  );
}

/** The version of an apiVersion string, as Kubernetes' ParseGroupVersion splits it. */
function versionOf(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: '', version: '' };
}

export function validateOwnerReferences(refs: unknown, path: Path): FieldCause[] {
  const out: FieldCause[] = [];
  const p = String(path);
  let firstController = '';
  for (const ref of list<unknown>(refs)) {
    const r = isObject(ref) ? ref : {};
    const apiVersion = str(r.apiVersion);
    const kind = str(r.kind);
    const gv = versionOf(apiVersion);
    if (gv.version === '')
      out.push(fieldError.invalid(`${p}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind === '') out.push(fieldError.invalid(`${p}.kind`, kind, 'kind must not be empty'));
    if (str(r.name) === '')
      out.push(fieldError.invalid(`${p}.name`, str(r.name), 'name must not be empty'));
    if (str(r.uid) === '')
      out.push(fieldError.invalid(`${p}.uid`, str(r.uid), 'uid must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
      out.push(
        invalidRaw(p, goOwnerReference(r), '/v1, Kind=Event is disallowed from being an owner'),
      );
    }
    if (r.controller === true) {
      const name = `${kind}/${str(r.name)}`;
      if (firstController !== '') {
        out.push(
          invalidRaw(
            p,
            `[]v1.OwnerReference{${list<unknown>(refs).map(goOwnerReference).join(', ')}}`,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
          ),
        );
      } else {
        firstController = name;
      }
    }
  }
  return out;
}

/** Finalizer names are qualified names; `orphan` and `foregroundDeletion` exclude each other. */
export function validateFinalizers(finalizers: unknown, path: Path): FieldCause[] {
  const out: FieldCause[] = [];
  const all = list<unknown>(finalizers).map(str);
  for (const f of all) {
    for (const msg of isQualifiedName(f)) out.push(fieldError.invalid(path, f, msg));
  }
  if (all.includes('orphan') && all.includes('foregroundDeletion')) {
    out.push(
      invalidRaw(
        path,
        goStringSlice(all),
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    );
  }
  return out;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/**
 * Built-in kinds only: a finalizer without a `/` must be one of Kubernetes'
 * own (`kubernetes`, `orphan`, `foregroundDeletion`).
 */
export function validateKubeFinalizerName(name: string, path: Path): FieldCause[] {
  if (name.split('/').length === 1 && !STANDARD_FINALIZERS.has(name)) {
    return [
      fieldError.invalid(
        path,
        name,
        'name is neither a standard finalizer name nor is it fully qualified',
      ),
    ];
  }
  return [];
}

/**
 * Metadata rules shared by every kind (custom resources too). An empty name
 * with a generateName is accepted: the name is generated after validation of
 * the prefix. Namespace is checked for presence and format only; whether it
 * matches the request URL is the API layer's check.
 */
export function validateObjectMeta(meta: unknown, options: ObjectMetaOptions): FieldCause[] {
  const path = FieldPath.root(options.path ?? 'metadata');
  const m = isObject(meta) ? meta : {};
  const out: FieldCause[] = [];
  const name = str(m.name);
  const generateName = str(m.generateName);
  if (generateName !== '') {
    for (const msg of checkName(options.nameRule, generateName, true)) {
      out.push(fieldError.invalid(path.child('generateName'), generateName, msg));
    }
  }
  if (name === '') {
    if (generateName === '')
      out.push(fieldError.required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of checkName(options.nameRule, name))
      out.push(fieldError.invalid(path.child('name'), name, msg));
  }
  const namespace = str(m.namespace);
  if (options.namespaced) {
    if (namespace === '') out.push(fieldError.required(path.child('namespace')));
    else
      for (const msg of isDns1123Label(namespace))
        out.push(fieldError.invalid(path.child('namespace'), namespace, msg));
  } else if (namespace !== '') {
    out.push(fieldError.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) {
    out.push(fieldError.invalid(path.child('generation'), m.generation, IS_NEGATIVE));
  }
  out.push(...validateLabels(m.labels, path.child('labels')));
  out.push(...validateAnnotations(m.annotations, path.child('annotations')));
  out.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  out.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  return out;
}

/** Go's default rendering of a metav1.Time (`2024-05-01 10:00:00 +0000 UTC`). */
function goTime(v: unknown): string {
  if (typeof v !== 'string' || v === '') return 'null';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return goQuote(v);
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/**
 * What may not change in metadata on update: name, namespace, uid, creation and
 * deletion timestamps, deletion grace period; generation may not decrease;
 * finalizers may not be added once deletion has started. (resourceVersion is
 * the API layer's business.)
 *
 * A system field the update leaves out (uid, timestamps, grace period,
 * generation) is not an error: Kubernetes copies those from the stored object
 * before validating (rest.BeforeUpdate), and the API layer is expected to do the
 * same before storing. A different value that is present is an error.
 */
export function validateObjectMetaUpdate(
  meta: unknown,
  oldMeta: unknown,
  pathText = 'metadata',
): FieldCause[] {
  const path = FieldPath.root(pathText);
  const m = isObject(meta) ? meta : {};
  const o = isObject(oldMeta) ? oldMeta : {};
  const out: FieldCause[] = [];
  const given = (f: string): boolean => m[f] !== undefined && m[f] !== null && m[f] !== '';
  if (typeof o.deletionTimestamp === 'string' && o.deletionTimestamp !== '') {
    const old = new Set(list<unknown>(o.finalizers).map(str));
    const added = [...new Set(list<unknown>(m.finalizers).map(str))]
      .filter((f) => !old.has(f))
      .sort();
    if (added.length) {
      out.push(
        fieldError.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`,
        ),
      );
    }
  }
  if (given('generation')) {
    const gen = typeof m.generation === 'number' ? m.generation : 0;
    const oldGen = typeof o.generation === 'number' ? o.generation : 0;
    if (gen < oldGen) {
      out.push(fieldError.invalid(path.child('generation'), gen, 'must not be decremented'));
    }
  }
  for (const f of ['name', 'namespace', 'uid'] as const) {
    if (f === 'uid' && !given(f)) continue;
    if (str(m[f]) !== str(o[f])) {
      out.push(fieldError.invalid(path.child(f), str(m[f]), FIELD_IMMUTABLE));
    }
  }
  for (const f of ['creationTimestamp', 'deletionTimestamp'] as const) {
    if (given(f) && goTime(m[f]) !== goTime(o[f])) {
      out.push(invalidRaw(path.child(f), goTime(m[f]), FIELD_IMMUTABLE));
    }
  }
  if (
    given('deletionGracePeriodSeconds') &&
    m.deletionGracePeriodSeconds !== (o.deletionGracePeriodSeconds ?? null)
  ) {
    out.push(
      fieldError.invalid(
        path.child('deletionGracePeriodSeconds'),
        m.deletionGracePeriodSeconds,
        FIELD_IMMUTABLE,
      ),
    );
  }
  return out;
}

export interface LabelSelectorOptions {
  /** Kubernetes tolerates bad values in selectors stored before they were checked. Default false. */
  allowInvalidLabelValue?: boolean;
}

/** A LabelSelector object embedded in a spec (matchLabels and matchExpressions). */
export function validateLabelSelector(
  sel: unknown,
  path: FieldPath,
  opts: LabelSelectorOptions = {},
): FieldCause[] {
  const out: FieldCause[] = [];
  if (!isObject(sel)) return out;
  out.push(...validateLabels(sel.matchLabels, path.child('matchLabels')));
  list<unknown>(sel.matchExpressions).forEach((e, i) => {
    const expr = isObject(e) ? e : {};
    const p = path.child('matchExpressions').index(i);
    const values = list<unknown>(expr.values).map(str);
    const op = str(expr.operator);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        out.push(
          fieldError.required(
            p.child('values'),
            "must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        out.push(
          fieldError.forbidden(
            p.child('values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
    } else {
      out.push(fieldError.invalid(p.child('operator'), op, 'not a valid selector operator'));
    }
    out.push(...validateLabelName(str(expr.key), p.child('key')));
    if (!opts.allowInvalidLabelValue) {
      values.forEach((v, j) => {
        for (const msg of isValidLabelValue(v))
          out.push(fieldError.invalid(p.child('values').index(j), v, msg));
      });
    }
  });
  return out;
}

/** `map[string]string{...}` of a label map, for messages that show one. */
export function showLabels(labels: unknown): string {
  return goStringMap(map(labels) ?? null);
}
