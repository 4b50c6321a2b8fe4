/**
 * The PATCH content types and how each applies to an object of a resource type.
 * Strategic merge patch needs the type's schema (merge keys); custom resources
 * have none for it, and Kubernetes refuses it for them with 415.
 */
import { InvalidError, isVergeError } from '../util/errors.ts';
import { isObject } from '../util/objects.ts';
import type { ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../api/patch/index.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export const PATCH_CONTENT_TYPES = Object.keys(CONTENT_TYPES).filter((t) => !t.endsWith('cbor'));

export function patchTypeOf(contentType: string): PatchType | undefined {
  return CONTENT_TYPES[contentType.split(';')[0].trim().toLowerCase()];
}

function unsupported(type: ResourceType): InvalidError {
  const accepted = PATCH_CONTENT_TYPES.filter(
    (t) => !(type.crd !== undefined && t === 'application/strategic-merge-patch+json'),
  );
  return new InvalidError(
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { reason: 'UnsupportedMediaType' },
  );
}

export function checkPatchType(type: ResourceType, patchType: PatchType): void {
  if (patchType === 'strategic' && (type.crd !== undefined || type.schema === undefined)) {
    throw unsupported(type);
  }
}

/** Applies a JSON, merge or strategic patch to `current` (not mutated). */
export function applyPatch(
  type: ResourceType,
  current: KubeObject,
  patchType: Exclude<PatchType, 'apply'>,
  patch: unknown,
): KubeObject {
  checkPatchType(type, patchType);
  let result: unknown;
  try {
    if (patchType === 'json') result = applyJsonPatch(current, patch);
    else if (patchType === 'merge') result = applyMergePatch(current, patch);
    else result = applyStrategicMergePatch(current, patch, type.schema, type.resolver);
  } catch (err) {
    if (isVergeError(err)) throw err;
    throw new InvalidError(`the patch could not be applied: ${(err as Error).message}`, {
      reason: 'BadRequest',
      cause: err,
    });
  }
  if (!isObject(result)) {
    throw new InvalidError('the patch must leave an object', { reason: 'BadRequest' });
  }
  return result as KubeObject;
}
