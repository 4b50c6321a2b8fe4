/**
 * The three PATCH body formats of the Kubernetes API, as pure functions from
 * (document, patch) to a new document. Each throws `InvalidError` for a patch
 * it cannot apply; `details.reason` says which HTTP status Kubernetes would use
 * (`BadRequest` 400, `RequestEntityTooLarge` 413, none 422).
 */
export { applyJsonPatch } from './json-patch.ts';
export type { JsonPatchOptions } from './json-patch.ts';
export { applyMergePatch, createMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';

/** A PATCH body format, named as `kubectl patch --type` names it. */
export type PatchType = 'json' | 'merge' | 'strategic';

const CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/**
 * The patch format of a request's `Content-Type` (parameters such as
 * `; charset=utf-8` ignored), or undefined for one that is no patch format
 * here (server-side apply's `application/apply-patch+yaml` included).
 */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, media) ? CONTENT_TYPES[media] : undefined;
}
