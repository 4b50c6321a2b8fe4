/**
 * Admission: checks and mutations that need more than the object itself (other
 * objects, the caller's identity), run by the REST layer after defaulting. Mutating
 * plugins run before validation, validating plugins after it, as in Kubernetes.
 */
import type { ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import type { RequestContext } from './context.ts';
import type { ResourceStorage } from './rest.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  ctx: RequestContext;
  operation: Operation;
  type: ResourceType;
  subresource?: string;
  /** The new object (create, update); plugins in the mutate phase may change it. */
  object?: KubeObject;
  /** The current object (update, delete). */
  oldObject?: KubeObject;
  dryRun: boolean;
  /** To read other objects. */
  storage: ResourceStorage;
}

export interface AdmissionPlugin {
  name: string;
  /** May change `request.object`; throws to refuse. */
  mutate?(request: AdmissionRequest): void | Promise<void>;
  /** Throws to refuse; must not change anything. */
  validate?(request: AdmissionRequest): void | Promise<void>;
}

export async function runAdmission(
  plugins: readonly AdmissionPlugin[],
  phase: 'mutate' | 'validate',
  request: AdmissionRequest,
): Promise<void> {
  for (const plugin of plugins) {
    const fn = phase === 'mutate' ? plugin.mutate : plugin.validate;
    if (fn) await fn.call(plugin, request);
  }
}
