/**
 * Fixtures for the tests of the garbage collector, namespace, service account
 * and pod GC controllers: objects with ownerReferences, a client that counts
 * what goes through it, a condition poller that moves a fake clock, and CRDs
 * served the way the server serves them.
 */
import assert from 'node:assert/strict';
import type { Client, GroupVersionResource } from '../../api/client.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import type { CustomResourceDefinition } from '../../api/types/apiextensions.ts';
import { crdResourceTypes } from '../../api/crd/resource-type.ts';
import { isNotFound } from '../../util/errors.ts';
import type { FakeClock } from '../../util/clock.ts';
import type { TestApi } from '../testing.ts';

/** A client that counts the calls made through it, by verb. */
export interface CountingClient extends Client {
  readonly calls: Map<string, number>;
  /** `verb resource` of every call naming a resource, e.g. `watch gadgets`. */
  readonly log: string[];
  /** create + update + patch + delete + createSubresource. */
  writes(): number;
  reads(): number;
}

const WRITES = ['create', 'update', 'patch', 'delete', 'createSubresource'];
const READS = ['get', 'list'];

export function countingClient(inner: Client): CountingClient {
  const calls = new Map<string, number>();
  const log: string[] = [];
  const sum = (verbs: string[]): number => verbs.reduce((n, v) => n + (calls.get(v) ?? 0), 0);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'calls') return calls;
      if (prop === 'log') return log;
      if (prop === 'writes') return () => sum(WRITES);
      if (prop === 'reads') return () => sum(READS);
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        const gvr = args[0] as Partial<GroupVersionResource> | undefined;
        if (gvr?.resource) log.push(`${prop} ${gvr.resource}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as CountingClient;
}

/**
 * Polls `check` until it returns something truthy, advancing `clock` by
 * `stepMs` between tries (timers fall due, promises settle); fails naming
 * `what` after `maxSteps` tries.
 */
export async function waitFor<T>(
  clock: FakeClock,
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { stepMs = 10, maxSteps = 3000 }: { stepMs?: number; maxSteps?: number } = {},
): Promise<T> {
  for (let i = 0; i < maxSteps; i++) {
    const v = await check();
    if (v) return v;
    await clock.advance(stepMs);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The object, or undefined when it does not exist. */
export async function getOrUndefined<T extends KubeObject = KubeObject>(
  client: Client,
  gvr: GroupVersionResource,
  namespace: string | undefined,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(gvr, namespace, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function ownerRef(
  owner: KubeObject,
  options: { controller?: boolean; blockOwnerDeletion?: boolean } = {},
): OwnerReference {
  return {
    apiVersion: owner.apiVersion!,
    kind: owner.kind!,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    ...options,
  };
}

export function replicaSet(name: string, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}

/** Metadata with only the fields given (the API refuses explicit nulls in lists). */
function meta(
  name: string,
  options: { namespace?: string; owners?: OwnerReference[]; finalizers?: string[] },
): KubeObject['metadata'] {
  return {
    name,
    namespace: options.namespace ?? 'default',
    ...(options.owners ? { ownerReferences: options.owners } : {}),
    ...(options.finalizers ? { finalizers: options.finalizers } : {}),
  };
}

export function pod(
  name: string,
  options: {
    namespace?: string;
    owners?: OwnerReference[];
    nodeName?: string;
    finalizers?: string[];
  } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, options),
    spec: {
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      containers: [{ name: 'c', image: 'busybox' }],
    },
  };
}

export function configMap(
  name: string,
  options: { namespace?: string; owners?: OwnerReference[]; finalizers?: string[] } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(name, options),
    data: { k: 'v' },
  };
}

export const GADGETS: GroupVersionResource = {
  group: 'example.com',
  version: 'v1',
  resource: 'gadgets',
};

export const CRDS: GroupVersionResource = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
};

/** A namespaced custom resource with an open schema. */
export function gadgetCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  };
}

export function gadget(
  name: string,
  options: { namespace?: string; owners?: OwnerReference[]; finalizers?: string[] } = {},
): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Gadget',
    metadata: meta(name, options),
    spec: { size: 1 },
  };
}

/**
 * Serves `crd` the way the server's CRD manager would (its types go into the
 * registry), then stores the CRD object so that watchers of CRDs hear of it.
 * The CRD manager itself is not run: see the report on its status writes.
 */
export async function serveCrd(api: TestApi, crd: CustomResourceDefinition): Promise<void> {
  for (const type of crdResourceTypes(crd)) api.registry.add(type);
  await api.client.create(CRDS, undefined, crd);
}

/** Stops serving `crd`'s resource, as the CRD manager does when a CRD is deleted. */
export function unserveCrd(api: TestApi, crd: CustomResourceDefinition): void {
  api.registry.removeResource(crd.spec.group, crd.spec.names.plural);
}

export function names(list: { items: KubeObject[] }): string[] {
  return list.items.map((o) => o.metadata.name!).sort();
}
