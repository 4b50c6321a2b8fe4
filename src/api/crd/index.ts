/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1) as objects: their
 * defaults and the validation the API server runs on create and update, worded
 * as Kubernetes 1.33 words it. Serving the resources a CRD defines is not here.
 *
 * A write of a CRD goes: `defaultCustomResourceDefinition`, then
 * `prepareCustomResourceDefinitionForCreate` / `...ForUpdate` (status), then
 * `validateCustomResourceDefinition`; a non-empty result becomes
 * `invalidObject('CustomResourceDefinition', name, causes, 'apiextensions.k8s.io')`.
 */
export {
  API_APPROVAL_ANNOTATION,
  defaultCustomResourceDefinition,
  prepareCustomResourceDefinitionForCreate,
  prepareCustomResourceDefinitionForUpdate,
  recordStorageVersion,
  validateCustomResourceDefinition,
} from './validate.ts';
export type { ValidateCustomResourceDefinitionOptions } from './validate.ts';
export type { CelCheck } from './schema.ts';
export { MAX_SELECTABLE_FIELDS, resolveFieldPath, usesOldSelf } from './schema.ts';
export type { ResolvedPath } from './schema.ts';
export { defaultNames, validateGroup, validateNamesFormat, validateSpecNames } from './names.ts';
