/**
 * Informer indexes the workload controllers share: objects by namespace, and
 * by the uid of their controller. Names are prefixed so they cannot collide
 * with another controller's index on the same shared informer; adding them
 * twice (both workload controllers do) is harmless, as the manager starts
 * informers only after every controller has been built.
 */
import type { Informer } from '../informer.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { labelSelectorFromObject, type Requirement } from '../../api/validation/selectors.ts';
import type { LabelSelector } from '../../api/types/meta.ts';
import { controllerRefOf } from './controller-ref.ts';
import { normalizeJson } from './template-hash.ts';

export const BY_NAMESPACE = 'workload/namespace';
export const BY_CONTROLLER_UID = 'workload/controller-uid';

export function addWorkloadIndexes(informer: Informer<KubeObject>): void {
  informer.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
  informer.addIndex(BY_CONTROLLER_UID, (o) => {
    const ref = controllerRefOf(o);
    return ref ? [ref.uid] : [];
  });
}

/**
 * The requirements of a selector for matching objects that might be adopted:
 * undefined for a selector that is empty (it must select nothing, not
 * everything) or invalid.
 */
export function adoptionSelector(sel: LabelSelector | undefined): Requirement[] | undefined {
  if (!sel || normalizeJson(sel) === undefined) return undefined;
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return undefined;
  }
}
