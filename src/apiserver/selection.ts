/**
 * Label and field selectors turned into predicates over objects, with the errors
 * Kubernetes gives for bad selectors (400 Bad Request).
 */
import { InvalidError, isInvalid } from '../util/errors.ts';
import type { ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../api/validation/selectors.ts';

export type ObjectMatcher = (obj: KubeObject) => boolean;

function badRequest(message: string, cause?: unknown): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest', cause });
}

export function labelSelectorMatcher(selector: string): ObjectMatcher {
  let reqs;
  try {
    reqs = parseLabelSelector(selector);
  } catch (err) {
    if (isInvalid(err)) throw badRequest(err.message, err);
    throw err;
  }
  return (obj) => matchesLabels(reqs, obj.metadata.labels);
}

/** Every selectable field of `obj`: metadata.name, metadata.namespace, and the kind's own. */
export function objectFields(type: ResourceType, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': obj.metadata.name ?? '',
  };
  if (type.namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  return type.hooks.fields ? { ...fields, ...type.hooks.fields(obj) } : fields;
}

export function fieldSelectorMatcher(type: ResourceType, selector: string): ObjectMatcher {
  let reqs;
  try {
    reqs = parseFieldSelector(selector);
  } catch (err) {
    if (isInvalid(err)) throw badRequest(err.message, err);
    throw err;
  }
  if (reqs.length === 0) return () => true;
  // Refuse a field the kind does not support, as Kubernetes does, before any
  // object is read (so an empty list cannot hide a typo).
  const probe: KubeObject = { metadata: { name: '', namespace: '' } };
  const known = new Set(Object.keys(objectFields(type, probe)));
  for (const r of reqs) {
    if (!known.has(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  return (obj) => matchesFields(reqs, objectFields(type, obj));
}
