/**
 * Per-node authorization on the HTTPS API: Kubernetes' Node authorizer and the
 * `system:node` ClusterRole in one, narrowed to the node's view (the same view
 * the cloud hub sends down the edge link).
 *
 * A node is a user named `system:node:<name>` in the group `system:nodes` (the
 * subject of the certificate it got when it joined). It may read its Node, the
 * pods bound to it and the ConfigMaps, Secrets, PersistentVolumeClaims and
 * ServiceAccounts those pods reference; write its Node (and its status), its
 * pods' status, its Lease and events; and delete its pods once they stopped.
 * Anything else is denied here, with a reason, so that no later authorizer can
 * widen a node's view. Discovery and self reviews are left to the
 * basic-user authorizer, as for any authenticated user. What the written
 * objects may contain is the NodeRestriction admission plugin's part
 * (node-restriction.ts).
 *
 * Which node references what comes from a graph of the bound pods, kept current
 * by a watch on the store (`NodeGraph.start`). A pod just bound may reach the
 * graph a moment after its node asks for its Secret; a miss is therefore
 * re-checked against the store before it becomes a denial.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { podReferences } from '../api/pod-references.ts';
import type { ResourceType } from '../api/registry.ts';
import type { Pod } from '../api/types/core.ts';
import { parseFieldSelector, type FieldRequirement } from '../api/validation/selectors.ts';
import type { Attributes, Authorizer, Decision } from './auth.ts';
import { systemContext, type UserInfo } from './context.ts';
import type { ResourceStorage } from './rest.ts';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
/** Where node Leases live (Kubernetes' node heartbeat namespace). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * The node a user is: its name for `system:node:<name>` in `system:nodes`, ''
 * for a member of `system:nodes` without a usable name, undefined for anyone
 * else (not a node at all).
 */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  if (!user.name.startsWith(NODE_USER_PREFIX)) return '';
  return user.name.slice(NODE_USER_PREFIX.length);
}

/** The kinds a node may read because a pod bound to it references them. */
export type ReferencedResource =
  'configmaps' | 'secrets' | 'persistentvolumeclaims' | 'serviceaccounts';

/** Edge keys of one pod: `<resource>/<namespace>/<name>`, each once. */
function podEdges(pod: Pod, namespace: string): string[] {
  const refs = podReferences(pod);
  const edges: string[] = [];
  for (const name of refs.configMaps) edges.push(`configmaps/${namespace}/${name}`);
  for (const name of refs.secrets) edges.push(`secrets/${namespace}/${name}`);
  for (const name of refs.persistentVolumeClaims) {
    edges.push(`persistentvolumeclaims/${namespace}/${name}`);
  }
  if (refs.serviceAccount) edges.push(`serviceaccounts/${namespace}/${refs.serviceAccount}`);
  return edges;
}

interface PodEntry {
  node: string;
  edges: string[];
}

interface NodeEntry {
  pods: Set<string>;
  /** Edge key -> how many pods bound to the node reference it. */
  refs: Map<string, number>;
}

/** Where the graph reads pods from. */
export interface NodeGraphSource {
  storage: ResourceStorage;
  /** The core/v1 pods type. */
  podType: ResourceType;
  log: Logger;
  /** First delay before re-listing after the watch failed; doubles up to 30 s. Default 500 ms. */
  retryDelayMs?: number;
}

/**
 * Which pods are bound to which node, and what each node's pods reference.
 * Edges are reference-counted per node: the last pod that references an object
 * going (deleted, or changed to no longer reference it) removes the edge.
 * Not thread-safe in any sense that matters here: one writer (the watch loop or
 * a test), any number of readers, all on the event loop.
 */
export class NodeGraph {
  /** `<namespace>/<name>` -> the node it is bound to and what it references. */
  readonly #pods = new Map<string, PodEntry>();
  readonly #nodes = new Map<string, NodeEntry>();
  #synced = false;

  /** True once the first full list of pods has been loaded. */
  get synced(): boolean {
    return this.#synced;
  }

  /**
   * Records `pod` as it is now. A pod without `spec.nodeName` is not bound and
   * leaves the graph. Idempotent.
   */
  setPod(pod: Pod): void {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    this.#removeKey(key);
    const node = pod.spec?.nodeName;
    if (!node) return;
    const edges = podEdges(pod, namespace);
    this.#pods.set(key, { node, edges });
    let entry = this.#nodes.get(node);
    if (!entry) this.#nodes.set(node, (entry = { pods: new Set(), refs: new Map() }));
    entry.pods.add(key);
    for (const e of edges) entry.refs.set(e, (entry.refs.get(e) ?? 0) + 1);
  }

  /** Forgets a pod; a no-op for one the graph does not hold. */
  deletePod(namespace: string, name: string): void {
    this.#removeKey(`${namespace}/${name}`);
  }

  /** Replaces everything with `pods` (after a full list) and marks the graph synced. */
  replaceAll(pods: Iterable<Pod>): void {
    this.#pods.clear();
    this.#nodes.clear();
    for (const pod of pods) this.setPod(pod);
    this.#synced = true;
  }

  /** The node `namespace/name` is bound to, if the graph knows the pod. */
  nodeOf(namespace: string, name: string): string | undefined {
    return this.#pods.get(`${namespace}/${name}`)?.node;
  }

  /** Whether a pod bound to `node` references `resource` `namespace/name`. */
  references(node: string, resource: ReferencedResource, namespace: string, name: string): boolean {
    return (this.#nodes.get(node)?.refs.get(`${resource}/${namespace}/${name}`) ?? 0) > 0;
  }

  /** How many pods are bound to `node`. */
  podCount(node: string): number {
    return this.#nodes.get(node)?.pods.size ?? 0;
  }

  #removeKey(key: string): void {
    const old = this.#pods.get(key);
    if (!old) return;
    this.#pods.delete(key);
    const entry = this.#nodes.get(old.node);
    if (!entry) return;
    entry.pods.delete(key);
    for (const e of old.edges) {
      const n = (entry.refs.get(e) ?? 0) - 1;
      if (n > 0) entry.refs.set(e, n);
      else entry.refs.delete(e);
    }
    if (entry.pods.size === 0) this.#nodes.delete(old.node);
  }

  /**
   * Keeps the graph current until `signal` aborts: lists every pod, then
   * follows the store's watch from that revision. When the watch fails (history
   * compacted, the watcher fell behind) it lists again, after a growing delay
   * when failures repeat. Resolves once stopped; never rejects.
   */
  async start(source: NodeGraphSource, signal: AbortSignal): Promise<void> {
    const { storage, podType, log } = source;
    const initialDelay = source.retryDelayMs ?? 500;
    let retry = initialDelay;
    const prefix = storage.prefix(podType, undefined);
    while (!signal.aborted) {
      try {
        const list = await storage.store.list(prefix);
        this.replaceAll(list.items.map((kv) => storage.decode(podType, kv.value, kv.modRevision)));
        const watcher = await storage.store.watch(prefix, list.revision);
        const stop = (): void => watcher.close();
        signal.addEventListener('abort', stop, { once: true });
        try {
          for await (const e of watcher) {
            retry = initialDelay;
            const pod = storage.decode(podType, e.value, e.revision) as Pod;
            if (e.type === 'delete') {
              this.deletePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
            } else {
              this.setPod(pod);
            }
          }
        } finally {
          signal.removeEventListener('abort', stop);
          watcher.close();
        }
        if (signal.aborted) return;
        // The watcher ended without an error and without being asked to: list again.
      } catch (err) {
        if (signal.aborted) return;
        log.warn({ err: errorMessage(err), retryMs: retry }, 'node graph: pod watch failed');
      }
      try {
        await delay(retry, undefined, { signal });
      } catch {
        return; // aborted
      }
      retry = Math.min(retry * 2, 30_000);
    }
  }
}

export interface NodeAuthorizerOptions {
  graph: NodeGraph;
  /** To re-check a miss against the store. */
  storage: ResourceStorage;
  /** The core/v1 pods type. */
  podType: ResourceType;
  log: Logger;
}

const ALLOW: Decision = { decision: 'allow' };
const NO_OPINION: Decision = { decision: 'no-opinion' };

/** Resource requests a node may make as any user may (basicUserAuthorizer decides). */
const SELF_REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

const SINGULAR: Record<string, string> = {
  nodes: 'node',
  pods: 'pod',
  configmaps: 'configmap',
  secrets: 'secret',
  persistentvolumeclaims: 'persistentvolumeclaim',
  serviceaccounts: 'serviceaccount',
  leases: 'lease',
  events: 'event',
};

/** Whether `fieldSelector` requires `field` to equal `value` (possibly among other terms, which only narrow). */
export function selectsField(
  fieldSelector: string | undefined,
  field: string,
  value: string,
): boolean {
  if (!fieldSelector) return false;
  let reqs: FieldRequirement[];
  try {
    reqs = parseFieldSelector(fieldSelector);
  } catch {
    return false; // the REST layer answers 400; nothing to allow
  }
  return reqs.some((r) => r.field === field && r.operator !== '!=' && r.value === value);
}

/** The single name `fieldSelector` pins `metadata.name` to, if it does. */
function selectedName(fieldSelector: string | undefined): string | undefined {
  if (!fieldSelector) return undefined;
  try {
    const names = parseFieldSelector(fieldSelector).filter(
      (r) => r.field === 'metadata.name' && r.operator !== '!=',
    );
    return names.length > 0 && names.every((r) => r.value === names[0].value)
      ? names[0].value
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kubernetes' Node authorizer with the `system:node` role folded in, narrowed
 * to the node's view. No opinion for users that are not nodes, for non-resource
 * paths and for self reviews; otherwise allow or deny (never pass on), so that
 * nothing later in the chain can grant a node more. Every denial is logged.
 */
export class NodeAuthorizer implements Authorizer {
  readonly #graph: NodeGraph;
  readonly #storage: ResourceStorage;
  readonly #podType: ResourceType;
  readonly #log: Logger;
  /** Store re-checks in flight, per `<node>/<namespace>`, shared by concurrent misses. */
  readonly #rechecks = new Map<string, Promise<Set<string>>>();

  constructor(options: NodeAuthorizerOptions) {
    this.#graph = options.graph;
    this.#storage = options.storage;
    this.#podType = options.podType;
    this.#log = options.log.child({ component: 'node-authorizer' });
  }

  async authorize(a: Attributes): Promise<Decision> {
    const node = nodeIdentity(a.user);
    if (node === undefined) return NO_OPINION;
    if (!a.isResourceRequest || SELF_REVIEWS.has(`${a.group}/${a.resource}`)) return NO_OPINION;
    const d =
      node === ''
        ? {
            decision: 'deny' as const,
            reason: `unknown node for user "${a.user.name}" (expected ${NODE_USER_PREFIX}<name>)`,
          }
        : await this.#decide(node, a);
    if (d.decision === 'deny') {
      this.#log.info(
        {
          user: a.user.name,
          verb: a.verb,
          resource: a.subresource ? `${a.resource}/${a.subresource}` : a.resource,
          group: a.group,
          namespace: a.namespace || undefined,
          name: a.name || undefined,
          reason: d.reason,
        },
        'node request forbidden',
      );
    }
    return d;
  }

  async #decide(node: string, a: Attributes): Promise<Decision> {
    if (a.group === '') {
      switch (a.resource) {
        case 'nodes':
          return this.#node(node, a);
        case 'pods':
          return this.#pod(node, a);
        case 'events':
          return this.#event(node, a);
        case 'configmaps':
        case 'secrets':
        case 'persistentvolumeclaims':
        case 'serviceaccounts':
          return this.#referenced(node, a, a.resource);
      }
    }
    if (a.group === 'coordination.k8s.io' && a.resource === 'leases') return this.#lease(node, a);
    if (a.group === 'events.k8s.io' && a.resource === 'events') return this.#event(node, a);
    return deny(
      node,
      a,
      "not part of a node's view (its Node, its pods and what they reference, its Lease, events)",
    );
  }

  #node(node: string, a: Attributes): Decision {
    if (a.subresource !== '' && a.subresource !== 'status') {
      return deny(node, a, 'a node may use only its Node and its status');
    }
    switch (a.verb) {
      case 'create':
        // The body names the node; NodeRestriction checks that it is this one.
        return a.subresource === '' ? ALLOW : deny(node, a, 'nodes/status cannot be created');
      case 'get':
      case 'update':
      case 'patch':
        return a.name === node
          ? ALLOW
          : deny(node, a, `a node may only access its own Node object ("${node}")`);
      case 'list':
      case 'watch':
        return selectsField(a.fieldSelector, 'metadata.name', node)
          ? ALLOW
          : deny(node, a, `only with fieldSelector metadata.name=${node}`);
      default:
        return deny(node, a, 'a node may only create, read, update and patch its own Node');
    }
  }

  async #pod(node: string, a: Attributes): Promise<Decision> {
    const sub = a.subresource;
    switch (a.verb) {
      case 'list':
      case 'watch':
        if (sub !== '') break;
        return selectsField(a.fieldSelector, 'spec.nodeName', node)
          ? ALLOW
          : deny(node, a, `only with fieldSelector spec.nodeName=${node}`);
      case 'create':
        if (sub !== '') break; // eviction, binding, exec, ...
        return deny(
          node,
          a,
          'Verge has no static (mirror) pods: a node runs the pods the API binds to it and creates none',
        );
      case 'get':
      case 'delete':
        if (sub !== '' && !(a.verb === 'get' && sub === 'status')) break;
        return this.#boundPod(node, a);
      case 'update':
      case 'patch':
        if (sub !== 'status') {
          return deny(node, a, 'a node may only write the status of the pods bound to it');
        }
        return this.#boundPod(node, a);
    }
    return deny(node, a, 'a node may get, delete and write the status of the pods bound to it');
  }

  async #boundPod(node: string, a: Attributes): Promise<Decision> {
    if (!a.namespace) return deny(node, a, 'a pod is named with its namespace');
    if (this.#graph.nodeOf(a.namespace, a.name) === node) return ALLOW;
    // The graph may lag behind a bind that just happened: ask the store.
    try {
      const pod = (await this.#storage.get(
        systemContext(),
        this.#podType,
        a.namespace,
        a.name,
      )) as Pod;
      if (pod.spec?.nodeName === node) return ALLOW;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return deny(node, a, `it is not bound to node "${node}"`);
  }

  async #referenced(node: string, a: Attributes, resource: ReferencedResource): Promise<Decision> {
    if (!a.namespace) {
      return deny(node, a, `a node may only read ${resource} one namespace and name at a time`);
    }
    let name: string | undefined;
    switch (a.verb) {
      case 'get':
        name = a.subresource === '' ? a.name : undefined;
        break;
      case 'list':
      case 'watch':
        if (a.subresource !== '') break;
        name = selectedName(a.fieldSelector);
        if (name === undefined) {
          return deny(
            node,
            a,
            `only with fieldSelector metadata.name=<name> of one referenced by a pod bound to node "${node}"`,
          );
        }
        break;
    }
    if (name === undefined) {
      return deny(
        node,
        a,
        `a node may only get the ${resource} referenced by the pods bound to it`,
      );
    }
    if (this.#graph.references(node, resource, a.namespace, name)) return ALLOW;
    const refs = await this.#recheck(node, a.namespace);
    if (refs.has(`${resource}/${a.namespace}/${name}`)) {
      this.#log.debug({ node, resource, namespace: a.namespace, name }, 'graph behind the store');
      return ALLOW;
    }
    return {
      decision: 'deny',
      reason: `node "${node}" cannot ${a.verb} ${SINGULAR[resource]} ${a.namespace}/${name}: no pod bound to node "${node}" references it`,
    };
  }

  /** What the pods bound to `node` in `namespace` reference, read from the store now. */
  #recheck(node: string, namespace: string): Promise<Set<string>> {
    const key = `${node}/${namespace}`;
    let p = this.#rechecks.get(key);
    if (!p) {
      p = (async () => {
        const list = await this.#storage.list(systemContext(), this.#podType, namespace);
        const edges = new Set<string>();
        for (const pod of list.items as Pod[]) {
          if (pod.spec?.nodeName === node) for (const e of podEdges(pod, namespace)) edges.add(e);
        }
        return edges;
      })().finally(() => this.#rechecks.delete(key));
      this.#rechecks.set(key, p);
    }
    return p;
  }

  #lease(node: string, a: Attributes): Decision {
    const own = `a node may only use its own Lease (${NODE_LEASE_NAMESPACE}/${node})`;
    if (a.namespace !== NODE_LEASE_NAMESPACE || a.subresource !== '') return deny(node, a, own);
    switch (a.verb) {
      case 'create':
        return ALLOW; // NodeRestriction checks the name in the body
      case 'get':
      case 'update':
      case 'patch':
      case 'delete':
        return a.name === node ? ALLOW : deny(node, a, own);
      case 'list':
      case 'watch':
        return selectsField(a.fieldSelector, 'metadata.name', node)
          ? ALLOW
          : deny(node, a, `only with fieldSelector metadata.name=${node}`);
    }
    return deny(node, a, own);
  }

  #event(node: string, a: Attributes): Decision {
    if (
      a.subresource === '' &&
      (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch')
    ) {
      return ALLOW; // NodeRestriction checks what the event is about
    }
    return deny(node, a, 'a node may only create, update and patch events');
  }
}

/** A denial worded `node "a" cannot get secret default/s: <why>`. */
function deny(node: string, a: Attributes, why: string): Decision {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name
    ? `${SINGULAR[a.resource] ?? a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace ? `${a.namespace}/` : ''}${a.name}`
    : `${resource}${a.namespace ? ` in namespace "${a.namespace}"` : ''}`;
  return { decision: 'deny', reason: `node "${node}" cannot ${a.verb} ${what}: ${why}` };
}
