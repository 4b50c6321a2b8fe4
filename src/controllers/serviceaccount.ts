/**
 * The service account controller: every active namespace has the ServiceAccount
 * `default`, created with the namespace and again whenever it is deleted, as
 * Kubernetes' serviceaccounts controller does. (No token Secrets: tokens are
 * not issued that way any more.)
 */
import { isAlreadyExists, isForbidden, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { GVR, type Client } from '../api/client.ts';
import type { Namespace, ServiceAccount } from '../api/types/core.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';

export const SERVICE_ACCOUNT_CONTROLLER_NAME = 'serviceaccount-controller';

export interface ServiceAccountControllerOptions {
  /** Accounts every namespace must have. Default `default`. */
  serviceAccounts?: readonly string[];
}

/**
 * The accounts to create in `ns`: none unless the namespace is Active (a
 * terminating namespace refuses new content), else those of `wanted` missing
 * from `existing`.
 */
export function missingServiceAccounts(
  ns: Namespace,
  wanted: readonly string[],
  existing: (name: string) => boolean,
): string[] {
  if (ns.metadata.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return [];
  return wanted.filter((name) => !existing(name));
}

class ServiceAccountsController implements Controller {
  readonly name = SERVICE_ACCOUNT_CONTROLLER_NAME;
  readonly #client: Client;
  readonly #log: Logger;
  readonly #queue: WorkQueue;
  readonly #namespaces: Informer<Namespace>;
  readonly #accounts: Informer<ServiceAccount>;
  readonly #wanted: readonly string[];

  constructor(ctx: ControllerContext, options: ServiceAccountControllerOptions) {
    this.#client = ctx.client;
    this.#log = ctx.log.child({ controller: SERVICE_ACCOUNT_CONTROLLER_NAME });
    this.#queue = new WorkQueue({ clock: ctx.clock });
    this.#wanted = options.serviceAccounts ?? ['default'];
    this.#namespaces = ctx.informer<Namespace>(GVR.namespaces);
    this.#accounts = ctx.informer<ServiceAccount>(GVR.serviceaccounts);
    this.#namespaces.on({
      add: (ns) => this.#queue.add(ns.metadata.name!),
      update: (_old, ns) => this.#queue.add(ns.metadata.name!),
    });
    this.#accounts.on({
      delete: (sa) => {
        if (this.#wanted.includes(sa.metadata.name!)) this.#queue.add(sa.metadata.namespace!);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#queue.run((name) => this.#sync(name), 4, signal, this.#log);
  }

  async #terminating(name: string): Promise<boolean> {
    try {
      const ns = await this.#client.get<Namespace>(GVR.namespaces, undefined, name);
      return !!ns.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  async #sync(name: string): Promise<void> {
    const ns = this.#namespaces.get(undefined, name);
    if (!ns) return;
    const missing = missingServiceAccounts(
      ns,
      this.#wanted,
      (sa) => this.#accounts.get(name, sa) !== undefined,
    );
    for (const sa of missing) {
      try {
        await this.#client.create<ServiceAccount>(
          GVR.serviceaccounts,
          name,
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: name } },
          { fieldManager: SERVICE_ACCOUNT_CONTROLLER_NAME },
        );
        this.#log.debug({ namespace: name, serviceAccount: sa }, 'created service account');
      } catch (err) {
        // There already, or the namespace is gone: nothing to do.
        if (isAlreadyExists(err) || isNotFound(err)) continue;
        // Refused because the namespace began terminating meanwhile: also fine.
        if (isForbidden(err) && (await this.#terminating(name))) return;
        throw err;
      }
    }
  }
}

export function serviceAccountControllerWith(
  options: ServiceAccountControllerOptions = {},
): ControllerFactory {
  return (ctx) => new ServiceAccountsController(ctx, options);
}

export const serviceAccountController: ControllerFactory = serviceAccountControllerWith();
