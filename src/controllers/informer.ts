/**
 * An informer keeps a local cache of one resource in step with the API: it
 * lists, then watches from the list's resourceVersion; when a watch ends it
 * watches again from the last version it saw; when that version has been
 * compacted (410) it lists again and reports the differences as events. Handlers
 * learn of every add, update and delete; controllers read the cache and its
 * indexes instead of asking the API.
 *
 * Objects in the cache are shared: never mutate one (clone it first).
 */
import { isExpired } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { realClock, sleep, type Clock } from '../util/clock.ts';
import {
  objectKey,
  type Client,
  type ClientWatchOptions,
  type GroupVersionResource,
} from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
}

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

type IndexFn<T> = (obj: T) => string[];

export class Informer<T extends KubeObject = KubeObject> {
  readonly gvr: GroupVersionResource;
  readonly #client: Client;
  readonly #options: InformerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #cache = new Map<string, T>();
  readonly #handlers: InformerHandlers<T>[] = [];
  readonly #indexes = new Map<string, { fn: IndexFn<T>; map: Map<string, Set<string>> }>();
  #revision = '';
  /** Until the first list, and whenever the last version seen has been compacted. */
  #needList = true;
  #synced = false;
  #syncedWaiters: (() => void)[] = [];

  constructor(
    client: Client,
    gvr: GroupVersionResource,
    log: Logger,
    options: InformerOptions = {},
  ) {
    this.gvr = gvr;
    this.#client = client;
    this.#options = options;
    this.#log = log.child({ informer: `${gvr.group || 'core'}/${gvr.resource}` });
    this.#clock = options.clock ?? realClock;
  }

  /** Registers handlers; they run synchronously, in order, and must not throw. */
  on(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
  }

  /** Adds an index; call before start. `fn` returns the index values of an object. */
  addIndex(name: string, fn: IndexFn<T>): void {
    this.#indexes.set(name, { fn, map: new Map() });
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been loaded (and its add events delivered). */
  synced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncedWaiters.push(resolve));
  }

  /** The last resourceVersion seen. */
  get revision(): string {
    return this.#revision;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.#cache.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.#indexes.get(index);
    if (!idx) throw new Error(`informer has no index ${JSON.stringify(index)}`);
    return [...(idx.map.get(value) ?? [])].map((k) => this.#cache.get(k)!).filter(Boolean);
  }

  #index(key: string, obj: T | undefined, old: T | undefined): void {
    for (const { fn, map } of this.#indexes.values()) {
      if (old) {
        for (const v of fn(old)) {
          const set = map.get(v);
          set?.delete(key);
          if (set?.size === 0) map.delete(v);
        }
      }
      if (obj) {
        for (const v of fn(obj)) {
          let set = map.get(v);
          if (!set) map.set(v, (set = new Set()));
          set.add(key);
        }
      }
    }
  }

  #upsert(obj: T): void {
    const key = objectKey(obj);
    const old = this.#cache.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#cache.set(key, obj);
    this.#index(key, obj, old);
    for (const h of this.#handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  #remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.#cache.get(key);
    if (!old) return;
    this.#cache.delete(key);
    this.#index(key, undefined, old);
    for (const h of this.#handlers) h.delete?.(obj);
  }

  /** Replaces the cache with a fresh list, reporting the differences. */
  async #relist(): Promise<void> {
    const list = await this.#client.list<T>(this.gvr, this.#options.namespace, {
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
    });
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(objectKey(obj));
      this.#upsert(obj);
    }
    for (const [key, obj] of [...this.#cache]) if (!seen.has(key)) this.#remove(obj);
    this.#revision = list.metadata.resourceVersion ?? '';
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncedWaiters.splice(0)) w();
    }
  }

  /** Lists and watches until `signal` aborts. Never throws; retries with backoff. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      try {
        if (this.#needList) {
          await this.#relist();
          this.#needList = false;
        }
        const options: ClientWatchOptions = {
          resourceVersion: this.#revision,
          labelSelector: this.#options.labelSelector,
          fieldSelector: this.#options.fieldSelector,
          allowWatchBookmarks: true,
        };
        const watch = await this.#client.watch<T>(this.gvr, this.#options.namespace, options);
        const stop = (): void => watch.close();
        // The abort may have come while the watch was being opened.
        if (signal.aborted) stop();
        signal.addEventListener('abort', stop, { once: true });
        try {
          for await (const event of watch) {
            backoff = 500;
            const obj = event.object as T;
            if (event.type === 'ERROR') {
              // A 410 in the stream: the version we asked for is gone.
              this.#needList = true;
              break;
            }
            if (obj.metadata?.resourceVersion) this.#revision = obj.metadata.resourceVersion;
            if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#upsert(obj);
            else if (event.type === 'DELETED') this.#remove(obj);
          }
        } finally {
          signal.removeEventListener('abort', stop);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (isExpired(err)) {
          this.#needList = true;
          continue;
        }
        this.#log.warn({ err, retryInMs: backoff }, 'list/watch failed');
        await sleep(this.#clock, backoff, signal);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }
}
