/**
 * Helpers for this folder's tests: build minimal valid objects, default them,
 * and read validation results as the `field: message` lines kubectl prints.
 */
import { describeCause } from '../field-errors.ts';
import type { GroupVersionKind } from '../schema.ts';
import type { KubeObject } from '../types/meta.ts';
import { applyDefaults, validateObject } from './index.ts';

export const POD: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
export const SERVICE: GroupVersionKind = { group: '', version: 'v1', kind: 'Service' };
export const DEPLOYMENT: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'Deployment' };
export const REPLICASET: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
export const DAEMONSET: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'DaemonSet' };

/** A JSON-ish object literal for tests (any nesting). */
export type Loose = Record<string, unknown>;

/** Defaults (a copy of) `obj` and `old`, validates, and returns `field: message` lines. */
export function problems(gvk: GroupVersionKind, obj: Loose, old?: Loose): string[] {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(gvk, o);
  let prev: KubeObject | undefined;
  if (old) {
    prev = structuredClone(old) as KubeObject;
    applyDefaults(gvk, prev);
  }
  return validateObject(gvk, o, prev).map(describeCause);
}

/** A valid pod named `web` in `default` with one container; `spec` is merged over its spec. */
export function pod(spec: Loose = {}, metadata: Loose = {}): Loose {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
  };
}

/** A pod with `container` merged over its one container. */
export function podWith(container: Loose, spec: Loose = {}): Loose {
  return pod({ containers: [{ name: 'app', image: 'nginx:1.27', ...container }], ...spec });
}

/** A valid Deployment `web` selecting app=web; `spec` is merged over its spec. */
export function deployment(spec: Loose = {}): Loose {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
      ...spec,
    },
  };
}

/** A valid ClusterIP Service `web` with one port; `spec` is merged over its spec. */
export function service(spec: Loose = {}): Loose {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}
