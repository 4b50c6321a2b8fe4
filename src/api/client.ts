/**
 * The Client: what controllers (and later the cloud side of the edge link) use
 * to read and write objects. Two implementations: in process, over the REST
 * layer (src/apiserver/local-client.ts), with the same admission and validation
 * as HTTP requests; and over HTTP to any Kubernetes API server (later).
 *
 * Ownership: objects returned by get/list/create/update/patch/delete belong to
 * the caller. Objects from `watch` may be shared with other watchers and must
 * not be mutated (clone first), as with client-go's informer caches.
 */
import type { KubeList, KubeObject, Status } from './types/meta.ts';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface ClientListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ClientWatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Watch after this version; unset: the current state as ADDED events, then changes. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export interface ClientWriteOptions {
  dryRun?: boolean;
  /** Who makes the change (managedFields). */
  fieldManager?: string;
}

export type ClientPatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ClientDeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ClientWatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | Status;
}

/** Iteration ends on close(); throws Expired when the version is too old, Unavailable when cut off. */
export interface ClientWatch<T extends KubeObject = KubeObject> extends AsyncIterable<
  ClientWatchEvent<T>
> {
  close(): void;
}

/** A served resource, as discovery describes it. */
export interface ServedResource extends GroupVersionResource {
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  /** True for the preferred version of its group. */
  preferred: boolean;
}

export interface Client {
  get<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    options?: ClientListOptions,
  ): Promise<KubeList<T>>;
  watch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    options?: ClientWatchOptions,
  ): Promise<ClientWatch<T>>;
  create<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    obj: T,
    options?: ClientWriteOptions,
  ): Promise<T>;
  /**
   * Replaces the object; with `subresource: 'status'`, only its status; with
   * `subresource: 'finalize'` (namespaces), only spec.finalizers. Conditional on
   * obj.metadata.resourceVersion when set.
   */
  update<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    obj: T,
    options?: ClientWriteOptions & { subresource?: 'status' | 'finalize' },
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    type: ClientPatchType,
    patch: unknown,
    options?: ClientWriteOptions & { subresource?: 'status'; force?: boolean },
  ): Promise<T>;
  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options?: ClientDeleteOptions,
  ): Promise<KubeObject>;
  /** POSTs to a subresource: pods/binding, pods/eviction. */
  createSubresource(
    gvr: GroupVersionResource,
    namespace: string,
    name: string,
    subresource: 'binding' | 'eviction',
    body: unknown,
  ): Promise<void>;
  /** Every resource served now (changes as CRDs come and go). */
  discover(): Promise<ServedResource[]>;
}

/** The resources controllers use, by name. */
export const GVR = {
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  events: { group: '', version: 'v1', resource: 'events' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  services: { group: '', version: 'v1', resource: 'services' },
  endpoints: { group: '', version: 'v1', resource: 'endpoints' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments' },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets' },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
} as const satisfies Record<string, GroupVersionResource>;

export function gvrKey(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.version}/${gvr.resource}`;
}

/** The cache/queue key of an object: `namespace/name`, or `name` when cluster scoped. */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name}`
    : (obj.metadata.name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
