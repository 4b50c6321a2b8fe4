/**
 * Serves CustomResourceDefinitions: follows CRD objects in the store and keeps
 * the registry in step, the way Kubernetes' apiextensions controllers do.
 *
 * - Names: a CRD's plural, singular, kind, listKind and short names must not
 *   collide with another resource of its group (built-in or CRD). Accepted
 *   names go into status.acceptedNames with NamesAccepted=True; a clash is
 *   NamesAccepted=False with the reason, and the CRD is not served.
 * - Established: once names are accepted, every served version is registered
 *   (discovery, OpenAPI and the REST endpoints appear at once, no restart) and
 *   the CRD gets Established=True.
 * - Deletion: a CRD carries the `customresourcecleanup.apiextensions.k8s.io`
 *   finalizer. When it is deleted it stops being served (Terminating=True),
 *   every object of it is deleted, and then the finalizer goes, so the CRD goes.
 *
 * On start every existing CRD is served before the server listens, so a
 * restart serves custom resources immediately.
 */
import { isNotFound, isConflict } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import type { ResourceRegistry, ResourceType } from '../api/registry.ts';
import { crdResourceTypes, servedNames } from '../api/crd/resource-type.ts';
import type { CustomResourceDefinition } from '../api/types/apiextensions.ts';
import type { KubeObject, Condition } from '../api/types/meta.ts';
import { systemContext } from './context.ts';
import type { ResourceStorage } from './rest.ts';
import { rfc3339 } from '../util/time.ts';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

type Crd = CustomResourceDefinition & KubeObject;

interface Names {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
}

export class CrdManager {
  readonly #registry: ResourceRegistry;
  readonly #storage: ResourceStorage;
  readonly #log: Logger;
  readonly #crdType: ResourceType;
  /** CRD name -> group/resource it is served as. */
  readonly #served = new Map<string, { group: string; resource: string }>();
  readonly #cleanupRetries = new Map<string, NodeJS.Timeout>();
  readonly #retryMs: number;

  constructor(registry: ResourceRegistry, storage: ResourceStorage, log: Logger, retryMs = 2000) {
    this.#retryMs = retryMs;
    this.#registry = registry;
    this.#storage = storage;
    this.#log = log.child({ component: 'crds' });
    this.#crdType = registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  }

  /** Serves every stored CRD; returns the store revision it read them at. */
  async load(): Promise<number> {
    const list = await this.#storage.list(systemContext(), this.#crdType, undefined, {});
    for (const crd of list.items) await this.#reconcile(crd as Crd);
    return Number(list.metadata.resourceVersion);
  }

  /** Follows CRD changes from `fromRevision` until `signal` aborts. */
  async run(fromRevision: number, signal: AbortSignal): Promise<void> {
    let revision = fromRevision;
    while (!signal.aborted) {
      let watch;
      try {
        watch = await this.#storage.watch(systemContext(), this.#crdType, undefined, {
          resourceVersion: String(revision),
        });
      } catch (err) {
        if (signal.aborted) return;
        // History gone (compacted while we were away): start over from a fresh list.
        this.#log.warn({ err }, 'CRD watch failed; reloading');
        revision = await this.load();
        continue;
      }
      const stop = (): void => watch.close();
      if (signal.aborted) stop();
      signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const event of watch) {
          const crd = event.object as Crd;
          revision = Number(crd.metadata.resourceVersion);
          if (event.type === 'DELETED') this.#unserve(crd.metadata.name!);
          else await this.#reconcile(crd);
        }
      } catch (err) {
        if (!signal.aborted) this.#log.warn({ err }, 'CRD watch ended; resuming');
      } finally {
        signal.removeEventListener('abort', stop);
      }
    }
  }

  #unserve(name: string): void {
    const was = this.#served.get(name);
    if (!was) return;
    this.#served.delete(name);
    this.#registry.removeResource(was.group, was.resource);
    this.#log.info({ crd: name }, 'stopped serving');
  }

  /** Brings the registry and the CRD's status in line with the CRD. Idempotent. */
  async #reconcile(crd: Crd): Promise<void> {
    const name = crd.metadata.name!;
    if (crd.metadata.deletionTimestamp) {
      this.#unserve(name);
      await this.#setConditions(crd, [
        {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionInProgress',
          message: 'CustomResource deletion is in progress',
        },
        {
          type: 'Established',
          status: 'False',
          reason: 'Terminating',
          message: 'the CustomResourceDefinition is being deleted',
        },
      ]);
      await this.#cleanup(crd);
      return;
    }
    const clash = this.#nameClash(crd);
    if (clash) {
      this.#unserve(name);
      await this.#setConditions(crd, [
        { type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: clash },
        {
          type: 'Established',
          status: 'False',
          reason: 'NotAccepted',
          message: 'not all names are accepted',
        },
      ]);
      return;
    }
    const accepted = {
      ...crd.spec.names,
      listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List`,
      singular: crd.spec.names.singular ?? crd.spec.names.kind.toLowerCase(),
    };
    const withNames: Crd = { ...crd, status: { ...crd.status, acceptedNames: accepted } } as Crd;
    // Resource names can change on update: drop what the old names served.
    const previous = this.#served.get(name);
    if (previous && (previous.resource !== accepted.plural || previous.group !== crd.spec.group))
      this.#unserve(name);
    for (const v of this.#registry.all()) {
      if (v.crd === name && !crd.spec.versions.some((x) => x.served && x.name === v.version)) {
        this.#registry.removeResource(v.group, v.resource);
      }
    }
    for (const type of crdResourceTypes(withNames)) this.#registry.add(type);
    this.#served.set(name, { group: crd.spec.group, resource: accepted.plural });
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    await this.#setConditions(
      crd,
      [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ],
      accepted,
      storage,
    );
  }

  /** A clash of this CRD's names with another served resource of its group, described; or undefined. */
  #nameClash(crd: Crd): string | undefined {
    const mine = crd.spec.names as Names;
    const group = crd.spec.group;
    const wanted = [
      mine.plural,
      mine.singular ?? mine.kind.toLowerCase(),
      ...(mine.shortNames ?? []),
    ];
    for (const t of this.#registry.all()) {
      if (t.group !== group || t.crd === crd.metadata.name) continue;
      const taken = new Set([t.resource, t.singular, ...t.shortNames]);
      const resourceClash = wanted.find((n) => taken.has(n));
      if (resourceClash) return `"${resourceClash}" is already in use`;
      if (t.kind === mine.kind) return `"${mine.kind}" is already in use`;
      if (t.listKind === (mine.listKind ?? `${mine.kind}List`))
        return `"${t.listKind}" is already in use`;
    }
    // Another CRD, not yet served (e.g. itself in conflict), that came first also holds its names.
    return undefined;
  }

  async #setConditions(
    crd: Crd,
    wanted: Condition[],
    acceptedNames?: Names,
    storageVersion?: string,
  ): Promise<void> {
    const now = rfc3339(this.#storage.now());
    try {
      await this.#storage.guaranteedUpdate(
        systemContext(),
        this.#crdType,
        undefined,
        crd.metadata.name!,
        { subresource: 'status', fieldManager: 'verge-apiextensions' },
        (current) => {
          const status = { ...((current.status as Record<string, unknown> | undefined) ?? {}) };
          const conditions = [...((status.conditions as Condition[] | undefined) ?? [])];
          for (const w of wanted) {
            const i = conditions.findIndex((c) => c.type === w.type);
            const prev = i >= 0 ? conditions[i] : undefined;
            const next: Condition = {
              ...w,
              lastTransitionTime: prev && prev.status === w.status ? prev.lastTransitionTime : now,
            };
            if (i >= 0) conditions[i] = next;
            else conditions.push(next);
          }
          status.conditions = conditions;
          if (acceptedNames) status.acceptedNames = acceptedNames;
          const stored = new Set((status.storedVersions as string[] | undefined) ?? []);
          if (storageVersion) stored.add(storageVersion);
          status.storedVersions = [...stored];
          return { ...current, status };
        },
      );
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  #retryCleanup(name: string): void {
    if (this.#cleanupRetries.has(name)) return;
    const timer = setTimeout(() => {
      this.#cleanupRetries.delete(name);
      this.#storage
        .get(systemContext(), this.#crdType, undefined, name)
        .then((crd) => this.#reconcile(crd as Crd))
        .catch((err: unknown) => {
          if (!isNotFound(err)) this.#log.warn({ err, crd: name }, 'CRD cleanup retry failed');
        });
    }, this.#retryMs);
    timer.unref();
    this.#cleanupRetries.set(name, timer);
  }

  /** Stops pending retries (server shutdown). */
  stop(): void {
    for (const t of this.#cleanupRetries.values()) clearTimeout(t);
    this.#cleanupRetries.clear();
  }

  /** Deletes every object of a CRD being deleted, then lets the CRD go. */
  async #cleanup(crd: Crd): Promise<void> {
    const names = servedNames(crd);
    const prefix = `/registry/${crd.spec.group}/${names.plural}/`;
    const ctx = systemContext();
    const types = crdResourceTypes(crd);
    const type =
      types.find((t) => t.version === crd.spec.versions.find((v) => v.storage)?.name) ?? types[0];
    let remaining = 0;
    if (type) {
      const { items } = await this.#storage.store.list(prefix);
      for (const kv of items) {
        const obj = this.#storage.decode(type, kv.value, kv.modRevision);
        try {
          const after = await this.#storage.delete(
            ctx,
            type,
            obj.metadata.namespace,
            obj.metadata.name!,
            {},
          );
          // An object with finalizers of its own stays until they are removed.
          if (after.metadata.deletionTimestamp && (after.metadata.finalizers?.length ?? 0) > 0)
            remaining++;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Nothing tells us when those finalizers go; look again shortly.
      this.#log.info(
        { crd: crd.metadata.name, remaining },
        'waiting for custom resources with finalizers',
      );
      this.#retryCleanup(crd.metadata.name!);
      return;
    }
    try {
      await this.#storage.guaranteedUpdate(
        ctx,
        this.#crdType,
        undefined,
        crd.metadata.name!,
        { fieldManager: 'verge-apiextensions' },
        (current) => {
          const finalizers = (current.metadata.finalizers ?? []).filter(
            (f) => f !== CRD_CLEANUP_FINALIZER,
          );
          return { ...current, metadata: { ...current.metadata, finalizers } };
        },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
