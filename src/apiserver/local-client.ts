/**
 * The in-process Client: controllers call the REST layer directly, under the
 * controller manager's identity, through the same defaulting, admission and
 * validation as HTTP requests, without serialization or sockets.
 */
import { NotFoundError } from '../util/errors.ts';
import type {
  Client,
  ClientDeleteOptions,
  ClientListOptions,
  ClientPatchType,
  ClientWatch,
  ClientWatchOptions,
  ClientWriteOptions,
  GroupVersionResource,
  ServedResource,
} from '../api/client.ts';
import { servedResource, type ResourceRegistry, type ResourceType } from '../api/registry.ts';
import type { KubeList, KubeObject } from '../api/types/meta.ts';
import { systemContext, type RequestContext } from './context.ts';
import type { ResourceStorage } from './rest.ts';
import { bindPod } from './subresources.ts';

/**
 * What an HTTP client's body would carry: a deep copy without `undefined`
 * members, so in-process writes are exactly what the same write over HTTP
 * would be (and the caller keeps its object).
 */
function asSent<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class LocalClient implements Client {
  readonly #registry: ResourceRegistry;
  readonly #storage: ResourceStorage;
  readonly #context: () => RequestContext;

  constructor(
    registry: ResourceRegistry,
    storage: ResourceStorage,
    context: () => RequestContext = systemContext,
  ) {
    this.#registry = registry;
    this.#storage = storage;
    this.#context = context;
  }

  #type(gvr: GroupVersionResource): ResourceType {
    const t = this.#registry.get(gvr.group, gvr.version, gvr.resource);
    if (!t) {
      throw new NotFoundError(
        `the server could not find the requested resource (${gvr.group || 'core'}/${gvr.version} ${gvr.resource})`,
      );
    }
    return t;
  }

  get<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    return this.#storage.get(this.#context(), this.#type(gvr), namespace, name) as Promise<T>;
  }

  list<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    options: ClientListOptions = {},
  ): Promise<KubeList<T>> {
    return this.#storage.list(this.#context(), this.#type(gvr), namespace, options) as Promise<
      KubeList<T>
    >;
  }

  async watch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    options: ClientWatchOptions = {},
  ): Promise<ClientWatch<T>> {
    const w = await this.#storage.watch(this.#context(), this.#type(gvr), namespace, options);
    return w as unknown as ClientWatch<T>;
  }

  create<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    obj: T,
    options: ClientWriteOptions = {},
  ): Promise<T> {
    // The REST layer takes ownership of what it is given; callers keep theirs.
    return this.#storage.create(
      this.#context(),
      this.#type(gvr),
      namespace,
      asSent(obj),
      options,
    ) as Promise<T>;
  }

  update<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    obj: T,
    options: ClientWriteOptions & { subresource?: 'status' | 'finalize' } = {},
  ): Promise<T> {
    if (options.subresource === 'finalize') {
      const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      return this.#storage.finalize(
        this.#context(),
        this.#type(gvr),
        obj.metadata.name!,
        finalizers,
        options,
      ) as Promise<T>;
    }
    return this.#storage.update(
      this.#context(),
      this.#type(gvr),
      namespace,
      obj.metadata.name!,
      asSent(obj),
      options,
    ) as Promise<T>;
  }

  patch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    type: ClientPatchType,
    patch: unknown,
    options: ClientWriteOptions & { subresource?: 'status'; force?: boolean } = {},
  ): Promise<T> {
    return this.#storage.patch(
      this.#context(),
      this.#type(gvr),
      namespace,
      name,
      type,
      asSent(patch),
      options,
    ) as Promise<T>;
  }

  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options: ClientDeleteOptions = {},
  ): Promise<KubeObject> {
    return this.#storage.delete(this.#context(), this.#type(gvr), namespace, name, options);
  }

  async createSubresource(
    gvr: GroupVersionResource,
    namespace: string,
    name: string,
    subresource: 'binding' | 'eviction',
    body: unknown,
  ): Promise<void> {
    const type = this.#type(gvr);
    if (subresource === 'binding') {
      await bindPod(this.#storage, this.#context(), type, namespace, name, body);
      return;
    }
    const opts = (body as { deleteOptions?: ClientDeleteOptions } | undefined)?.deleteOptions ?? {};
    await this.#storage.delete(this.#context(), type, namespace, name, opts);
  }

  discover(): Promise<ServedResource[]> {
    return Promise.resolve(this.#registry.all().map(servedResource));
  }
}
