/**
 * The namespace controller: empties a namespace being deleted, then finalizes
 * it, as Kubernetes' namespace controller does.
 *
 * For a namespace with a deletionTimestamp (phase Terminating) and the
 * `kubernetes` token in spec.finalizers, each pass:
 * 1. deletes (propagationPolicy Background) every object of every namespaced,
 *    deletable resource discovery lists, custom resources included;
 * 2. lists again what is left, and records the outcome in the namespace's
 *    conditions (NamespaceDeletionDiscoveryFailure, ...ContentFailure,
 *    NamespaceContentRemaining, NamespaceFinalizersRemaining);
 * 3. when nothing is left, removes `kubernetes` through namespaces/finalize, and
 *    the API server deletes the namespace.
 * Content that is going away (pods in their grace period, objects with
 * finalizers) is looked at again after half its estimated time plus a second;
 * failures retry with the queue's backoff (5 ms doubling to 60 s).
 */
import { UnavailableError, errorMessage, isConflict, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import type { Clock } from '../util/clock.ts';
import { GVR, type Client, type ServedResource } from '../api/client.ts';
import type { Namespace, Pod } from '../api/types/core.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';
import { rfc3339 } from './time.ts';
import {
  FINALIZER_ESTIMATE_SECONDS,
  NAMESPACE_FINALIZER,
  finalizeNamespace,
  mergeNamespaceConditions,
  namespaceDeletionConditions,
  podTerminationEstimate,
  remainingContentDelayMs,
} from './gc/namespace-deletion.ts';
import { gvrOf, namespacedDeletableResources } from './gc/resources.ts';

export { finalizeNamespace } from './gc/namespace-deletion.ts';

export const NAMESPACE_CONTROLLER_NAME = 'namespace-controller';

export interface NamespaceControllerOptions {
  /** Namespaces emptied at once. Default 10 (Kubernetes' --concurrent-namespace-syncs). */
  workers?: number;
}

/** What deleting one resource's objects in a namespace left behind. */
interface ResourceOutcome {
  estimate: number;
  remaining: number;
  finalizers: Map<string, number>;
  error?: string;
}

class NamespaceController implements Controller {
  readonly name = NAMESPACE_CONTROLLER_NAME;
  readonly #client: Client;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #queue: WorkQueue;
  readonly #workers: number;

  constructor(ctx: ControllerContext, options: NamespaceControllerOptions) {
    this.#client = ctx.client;
    this.#log = ctx.log.child({ controller: NAMESPACE_CONTROLLER_NAME });
    this.#clock = ctx.clock;
    this.#workers = Math.max(1, options.workers ?? 10);
    this.#queue = new WorkQueue({ clock: ctx.clock, maxDelayMs: 60_000 });
    const informer: Informer<Namespace> = ctx.informer<Namespace>(GVR.namespaces);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata.deletionTimestamp) this.#queue.add(ns.metadata.name!);
    };
    informer.on({ add: enqueue, update: (_old, ns) => enqueue(ns) });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#queue.run((name) => this.#sync(name), this.#workers, signal, this.#log);
  }

  async #sync(name: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.#client.get<Namespace>(GVR.namespaces, undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      try {
        ns = await this.#client.update<Namespace>(
          GVR.namespaces,
          undefined,
          { ...ns, status: { ...ns.status, phase: 'Terminating' } },
          { subresource: 'status', fieldManager: NAMESPACE_CONTROLLER_NAME },
        );
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
    const { estimate, errors, namespace } = await this.#deleteAllContent(ns);
    if (errors.length > 0) {
      throw new UnavailableError(`deletion of namespace ${name} failed: ${errors.join('; ')}`);
    }
    if (estimate > 0) {
      this.#log.debug({ namespace: name, estimate }, 'content remaining in namespace');
      this.#queue.addAfter(name, remainingContentDelayMs(estimate));
      return;
    }
    await finalizeNamespace(this.#client, namespace, NAMESPACE_CONTROLLER_NAME);
    this.#log.info({ namespace: name }, 'namespace emptied and finalized');
  }

  /**
   * Deletes what is in the namespace and records the outcome in its conditions.
   * Returns the estimated seconds until what is left is gone, the errors met,
   * and the namespace as last written.
   */
  async #deleteAllContent(
    ns: Namespace,
  ): Promise<{ estimate: number; errors: string[]; namespace: Namespace }> {
    const name = ns.metadata.name!;
    const errors: string[] = [];
    let discoveryError: string | undefined;
    let resources: ServedResource[] = [];
    try {
      resources = await this.#client.discover();
    } catch (err) {
      discoveryError = errorMessage(err);
      errors.push(discoveryError);
    }
    const contentErrors: string[] = [];
    const remainingByResource = new Map<string, number>();
    const remainingByFinalizer = new Map<string, number>();
    let estimate = 0;
    for (const r of namespacedDeletableResources(resources)) {
      let outcome: ResourceOutcome;
      try {
        outcome = await this.#deleteResource(r, name, ns.metadata.deletionTimestamp!);
      } catch (err) {
        outcome = { estimate: 0, remaining: 0, finalizers: new Map(), error: errorMessage(err) };
      }
      if (outcome.error !== undefined) contentErrors.push(outcome.error);
      estimate = Math.max(estimate, outcome.estimate);
      if (outcome.remaining > 0) {
        remainingByResource.set(`${r.resource}.${r.group}`, outcome.remaining);
        for (const [f, n] of outcome.finalizers) {
          remainingByFinalizer.set(f, (remainingByFinalizer.get(f) ?? 0) + n);
        }
      }
    }
    errors.push(...contentErrors);
    const wanted = namespaceDeletionConditions({
      discoveryError,
      contentErrors,
      remainingByResource,
      remainingByFinalizer,
    });
    const merged = mergeNamespaceConditions(
      ns.status?.conditions,
      wanted,
      rfc3339(this.#clock.now()),
    );
    let namespace = ns;
    if (merged.changed) {
      try {
        namespace = await this.#client.update<Namespace>(
          GVR.namespaces,
          undefined,
          { ...ns, status: { ...ns.status, conditions: merged.conditions } },
          { subresource: 'status', fieldManager: NAMESPACE_CONTROLLER_NAME },
        );
      } catch (err) {
        // As in Kubernetes, a lost status write does not stop the deletion.
        if (!isConflict(err) && !isNotFound(err)) throw err;
        this.#log.debug({ err, namespace: name }, 'namespace conditions not written');
      }
    }
    return { estimate, errors, namespace };
  }

  /** Deletes the objects of one resource in `namespace`, then counts what is left. */
  async #deleteResource(
    r: ServedResource,
    namespace: string,
    deletionTimestamp: string,
  ): Promise<ResourceOutcome> {
    const gvr = gvrOf(r);
    const finalizers = new Map<string, number>();
    if (!r.verbs.includes('list')) return { estimate: 0, remaining: 0, finalizers };
    const { items } = await this.#client.list(gvr, namespace);
    // Pods end after their grace period: that long is not a problem.
    const estimate =
      r.group === '' && r.resource === 'pods'
        ? podTerminationEstimate(items as Pod[], deletionTimestamp, this.#clock.now())
        : 0;
    for (const obj of items) {
      // Already on its way out: deleting again would change nothing.
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await this.#client.delete(gvr, namespace, obj.metadata.name!, {
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata.uid },
        });
      } catch (err) {
        // Gone, or replaced by a new object the next pass will see.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    const left = (await this.#client.list(gvr, namespace)).items;
    if (left.length === 0) return { estimate: 0, remaining: 0, finalizers };
    for (const obj of left) {
      for (const f of obj.metadata.finalizers ?? [])
        finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    }
    if (estimate > 0) return { estimate, remaining: left.length, finalizers };
    // Finalizers are normal: give their controllers time.
    if (finalizers.size > 0) {
      return { estimate: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
    }
    return {
      estimate: 0,
      remaining: left.length,
      finalizers,
      error: `unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.resource}`,
    };
  }
}

export function namespaceControllerWith(
  options: NamespaceControllerOptions = {},
): ControllerFactory {
  return (ctx) => new NamespaceController(ctx, options);
}

export const namespaceController: ControllerFactory = namespaceControllerWith();
