/**
 * Server-side apply and managedFields. The API server calls `serverSideApply`
 * for `PATCH` with `application/apply-patch+yaml` and `updateManagedFields` for
 * every other write (create, update, patch, subresources), so every stored object
 * says which manager owns which fields.
 */
export {
  FieldSet,
  element,
  elementText,
  pathText,
  type Path,
  type PathElement,
} from './field-set.ts';
export { fieldsOf } from './typed.ts';
export {
  MAX_UPDATE_MANAGERS,
  UNOWNED_FIELDS,
  decodeManagedFields,
  encodeManagedFields,
  managerIdentifier,
  updateManagedFields,
  type ManagedFields,
  type ManagerEntry,
  type Operation,
  type UpdateOptions,
} from './managed-fields.ts';
export { LAST_APPLIED_ANNOTATION, serverSideApply, type ApplyOptions } from './apply.ts';
