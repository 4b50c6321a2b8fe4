/**
 * The generic REST layer: create, get, list, watch, update, patch, delete and
 * deletecollection for any ResourceType, over the revisioned store. It is the
 * Kubernetes "generic registry": it owns object lifecycle rules (uid,
 * creationTimestamp, generation, resourceVersion, finalizers and
 * deletionTimestamp, managedFields, status/spec split, graceful deletion,
 * optimistic concurrency), and calls the type's hooks and the admission chain at
 * fixed points. Per-kind behaviour lives in the hooks, never here.
 *
 * Both the HTTP front end (after authentication and authorization) and the
 * in-process client (for controllers) call this layer, so every write goes
 * through the same defaulting, admission and validation.
 *
 * Objects passed in are owned by the callee (may be mutated); objects returned
 * are fresh copies the caller owns.
 */
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnavailableError,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type FieldCause,
} from '../util/errors.ts';
import { clone, deepEqual, isObject } from '../util/objects.ts';
import { fieldError, invalidObject } from '../api/field-errors.ts';
import { apiVersionOf, type ResourceType } from '../api/registry.ts';
import type { KubeList, KubeObject, ObjectMeta, Status } from '../api/types/meta.ts';
import type { KeyValue, Store, WatchEvent } from '../store/store.ts';
import { encodeContinue } from '../store/keys.ts';
import { labelSelectorMatcher, fieldSelectorMatcher, type ObjectMatcher } from './selection.ts';
import type { RequestContext } from './context.ts';
import { runAdmission, type AdmissionPlugin, type Operation } from './admission.ts';
import { decodeObject, type FieldValidation } from './decode.ts';
import { applyPatch, type PatchType } from './patching.ts';
import { recordManagedFields, applyConfiguration } from './managed-fields.ts';
import { rfc3339 } from '../util/time.ts';

export type { FieldValidation } from './decode.ts';
export type { PatchType } from './patching.ts';

export interface WriteOptions {
  dryRun?: boolean;
  /** Who makes the change, for managedFields. Default `unknown`. */
  fieldManager?: string;
  /** What to do with unknown fields. Default Warn, as Kubernetes. */
  fieldValidation?: FieldValidation;
}

export interface UpdateOptions extends WriteOptions {
  /** `status` to write only the status; undefined for the main resource. */
  subresource?: string;
}

export interface PatchOptions extends UpdateOptions {
  /** Server-side apply: take fields owned by other managers. */
  force?: boolean;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Send the current state as ADDED events first (watch-list). */
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
}

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ObjectEvent {
  type: ObjectEventType;
  object: KubeObject | Status;
}

/**
 * A watch in Kubernetes terms; iteration ends on close, throws on failure.
 * Objects it yields may be shared with other watchers: do not mutate them.
 */
export interface ObjectWatch extends AsyncIterable<ObjectEvent> {
  close(): void;
  /** Every change up to this resourceVersion has been yielded (for bookmarks). */
  progressRevision(): number;
}

export interface ResourceStorageOptions {
  store: Store;
  admission?: AdmissionPlugin[];
  /** Clock for timestamps; injectable for tests. */
  now?: () => Date;
}

/** Finalizers with meaning to the garbage collector. */
export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

interface ListPage {
  kvs: KeyValue[];
  /** Decoded objects, when decoding was needed or asked for. */
  objects: KubeObject[] | undefined;
  revision: number;
  continue: string | undefined;
  remaining: number | undefined;
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATE_NAME_ATTEMPTS = 8;
const UPDATE_ATTEMPTS = 16;

function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.resource : `${type.resource}.${type.group}`;
}

export function notFound(type: ResourceType, name: string): NotFoundError {
  return new NotFoundError(`${qualifiedResource(type)} "${name}" not found`, {
    name,
    group: type.group,
    kind: type.resource,
  });
}

function conflict(type: ResourceType, name: string, why: string): ConflictError {
  return new ConflictError(
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`,
    { name, group: type.group, kind: type.resource },
  );
}

const MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

function badRequest(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

function meta(obj: KubeObject): ObjectMeta {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata;
}

/** The parts of an object that decide whether its generation moves. */
function specOf(type: ResourceType, obj: KubeObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return type.hasStatus ? rest : { ...rest, status: obj.status };
}

/** Kinds whose metadata.generation Kubernetes maintains. */
function tracksGeneration(type: ResourceType): boolean {
  return (
    type.crd !== undefined ||
    (type.hasStatus &&
      type.resource !== 'pods' &&
      type.resource !== 'nodes' &&
      type.resource !== 'namespaces')
  );
}

export class ResourceStorage {
  readonly store: Store;
  readonly #admission: AdmissionPlugin[];
  readonly #now: () => Date;
  readonly #decodedEvents = new WeakMap<WatchEvent, Map<string, KubeObject>>();

  constructor(options: ResourceStorageOptions) {
    this.store = options.store;
    this.#admission = options.admission ?? [];
    this.#now = options.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  // ---- keys and encoding ------------------------------------------------

  key(type: ResourceType, namespace: string | undefined, name: string): string {
    if (type.namespaced) {
      if (!namespace) throw badRequest(`a namespace is required for ${type.resource}`);
      return `${type.storagePrefix}${namespace}/${name}`;
    }
    return `${type.storagePrefix}${name}`;
  }

  prefix(type: ResourceType, namespace: string | undefined): string {
    return type.namespaced && namespace ? `${type.storagePrefix}${namespace}/` : type.storagePrefix;
  }

  /** A stored value as the object clients see at `type`'s version. */
  decode(type: ResourceType, value: string, revision: number): KubeObject {
    let obj = JSON.parse(value) as KubeObject;
    meta(obj).resourceVersion = String(revision);
    obj = type.hooks.fromStorage ? type.hooks.fromStorage(obj) : obj;
    obj.apiVersion = apiVersionOf(type.group, type.version);
    obj.kind = type.kind;
    return obj;
  }

  /**
   * The object of a store event, decoded once per event and version however many
   * watchers receive it (the store hands the same event object to every live
   * watcher). Watch consumers must treat the object as read-only, as with
   * client-go's informer caches.
   */
  #eventObject(type: ResourceType, e: WatchEvent, which: 'now' | 'prev'): KubeObject {
    let byType = this.#decodedEvents.get(e);
    if (!byType) this.#decodedEvents.set(e, (byType = new Map()));
    const key = `${which}:${type.group}/${type.version}/${type.resource}`;
    let obj = byType.get(key);
    if (!obj) {
      obj =
        which === 'now'
          ? this.decode(type, e.value, e.revision)
          : this.decode(type, e.prevValue!, e.prevRevision ?? 0);
      byType.set(key, obj);
    }
    return obj;
  }

  #decodeKv(type: ResourceType, kv: KeyValue): KubeObject {
    return this.decode(type, kv.value, kv.modRevision);
  }

  /**
   * The stored form: storage version, no resourceVersion (the store's revision is
   * the truth), and always `apiVersion`, `kind`, `metadata` first, so that
   * `rawJson` can add the resourceVersion without parsing.
   */
  encode(type: ResourceType, obj: KubeObject): string {
    const converted = type.hooks.toStorage ? type.hooks.toStorage(clone(obj)) : obj;
    const { apiVersion: _a, kind: _k, metadata, ...rest } = converted;
    const { resourceVersion: _rv, ...m } = metadata;
    return JSON.stringify({
      apiVersion: type.storageVersion,
      kind: type.kind,
      metadata: m,
      ...rest,
    });
  }

  /**
   * A stored value as JSON at `type`'s version with its resourceVersion, built
   * without parsing when the stored form already is that version; otherwise by
   * decoding. Lists and watches use it to serve thousands of objects cheaply.
   */
  rawJson(type: ResourceType, value: string, revision: number): string {
    if (!type.hooks.fromStorage && type.storageVersion === apiVersionOf(type.group, type.version)) {
      const prefix = `{"apiVersion":${JSON.stringify(type.storageVersion)},"kind":${JSON.stringify(type.kind)},"metadata":{`;
      if (value.startsWith(prefix)) {
        const rv = `"resourceVersion":"${revision}"`;
        const rest = value.slice(prefix.length);
        return prefix + rv + (rest.startsWith('}') ? '' : ',') + rest;
      }
    }
    return JSON.stringify(this.decode(type, value, revision));
  }

  // ---- reads ----------------------------------------------------------------

  async get(
    _ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject> {
    const kv = await this.store.get(this.key(type, namespace, name));
    if (!kv) throw notFound(type, name);
    return this.#decodeKv(type, kv);
  }

  async list(
    _ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<KubeList> {
    const page = await this.#listPage(type, namespace, options, true);
    return { ...this.#listHead(type, page), items: page.objects! };
  }

  /**
   * The list as JSON text, without decoding objects when no selector needs them:
   * what a plain `GET` of a collection answers. Same semantics as `list`.
   */
  async listJson(
    _ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<string> {
    const page = await this.#listPage(type, namespace, options, false);
    const items = page.objects
      ? page.objects.map((o) => JSON.stringify(o))
      : page.kvs.map((kv) => this.rawJson(type, kv.value, kv.modRevision));
    const head = JSON.stringify(this.#listHead(type, page));
    return `${head.slice(0, -1)},"items":[${items.join(',')}]}`;
  }

  #listHead(type: ResourceType, page: ListPage): Omit<KubeList, 'items'> {
    const metadata: KubeList['metadata'] = { resourceVersion: String(page.revision) };
    if (page.continue) {
      metadata.continue = page.continue;
      if (page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
    }
    return { apiVersion: apiVersionOf(type.group, type.version), kind: type.listKind, metadata };
  }

  /**
   * Reads store pages until `limit` objects matched (a selector may skip many),
   * from one snapshot. Objects are decoded when a selector needs them or when
   * `decode` asks for them; otherwise only the raw entries are returned.
   */
  async #listPage(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions,
    decode: boolean,
  ): Promise<ListPage> {
    const matcher = this.#matcher(type, options.labelSelector, options.fieldSelector);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    let atRevision: number | undefined;
    const rv = options.resourceVersion;
    if (rv && rv !== '0' && !options.continue) {
      const n = parseResourceVersion(rv);
      if (options.resourceVersionMatch === 'Exact') atRevision = n;
      else await this.#waitForRevision(n);
    } else if (options.resourceVersionMatch === 'Exact') {
      throw badRequest('resourceVersionMatch "Exact" requires a resourceVersion');
    }
    const prefix = this.#narrowPrefix(type, namespace, options.fieldSelector);
    const kvs: KeyValue[] = [];
    const objects: KubeObject[] | undefined = matcher || decode ? [] : undefined;
    let token = options.continue || undefined;
    let revision: number;
    let next: string | undefined;
    let remaining: number | undefined;
    try {
      pages: for (;;) {
        const want = limit ? limit - kvs.length : 0;
        const page = await this.store.list(prefix, {
          limit: want && matcher ? Math.max(want, 100) : want,
          continueToken: token,
          atRevision: token ? undefined : atRevision,
        });
        revision = page.revision;
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i];
          if (objects) {
            const obj = this.#decodeKv(type, kv);
            if (matcher && !matcher(obj)) continue;
            objects.push(obj);
          }
          kvs.push(kv);
          if (limit && kvs.length === limit) {
            if (i < page.items.length - 1) {
              next = encodeContinue({ revision, after: kv.key });
            } else {
              next = page.continueToken;
              if (!matcher) remaining = page.remaining;
            }
            break pages;
          }
        }
        token = page.continueToken;
        if (!token) break;
      }
    } catch (err) {
      if (err instanceof ExpiredError && options.continue) {
        throw new ExpiredError(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          { cause: err },
        );
      }
      throw err;
    }
    return { kvs, objects, revision, continue: next, remaining };
  }

  /** `metadata.name=x` in a field selector names one key: read only it. */
  #narrowPrefix(
    type: ResourceType,
    namespace: string | undefined,
    fieldSelector: string | undefined,
  ): string {
    const m = fieldSelector && /^metadata\.name==?([^,=!]+)$/.exec(fieldSelector.trim());
    if (m && (namespace || !type.namespaced)) return this.key(type, namespace, m[1]);
    return this.prefix(type, namespace);
  }

  #matcher(
    type: ResourceType,
    labelSelector?: string,
    fieldSelector?: string,
  ): ObjectMatcher | undefined {
    const byLabel = labelSelector ? labelSelectorMatcher(labelSelector) : undefined;
    const byField = fieldSelector ? fieldSelectorMatcher(type, fieldSelector) : undefined;
    if (byLabel && byField) return (o) => byLabel(o) && byField(o);
    return byLabel ?? byField;
  }

  async #waitForRevision(n: number): Promise<void> {
    // Same process, same store: a revision the client saw exists already, unless
    // the client made it up. Kubernetes answers that with 504 after a short wait.
    if (n <= (await this.store.revision())) return;
    throw new UnavailableError(
      `Too large resource version: ${n}, current: ${await this.store.revision()}`,
      {
        reason: 'ResourceVersionTooLarge',
        retryAfterSeconds: 1,
      },
    );
  }

  async watch(
    _ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    options: WatchOptions = {},
  ): Promise<ObjectWatch> {
    const matcher = this.#matcher(type, options.labelSelector, options.fieldSelector);
    const prefix = this.#narrowPrefix(type, namespace, options.fieldSelector);
    const rv = options.resourceVersion;
    const initial = options.sendInitialEvents ?? (rv === undefined || rv === '' || rv === '0');
    let from: number;
    let initialObjects: KubeObject[] = [];
    if (initial) {
      const snapshot = await this.store.list(prefix);
      from = snapshot.revision;
      initialObjects = snapshot.items
        .map((kv) => this.#decodeKv(type, kv))
        .filter((o) => !matcher || matcher(o));
    } else if (rv === undefined || rv === '' || rv === '0') {
      from = await this.store.revision(); // "start at most recent"
    } else {
      from = parseResourceVersion(rv);
    }
    let watcher;
    try {
      watcher = await this.store.watch(prefix, from);
    } catch (err) {
      if (err instanceof ExpiredError) {
        const compacted = await this.store.compactedRevision();
        throw new ExpiredError(`too old resource version: ${from} (${compacted})`, { cause: err });
      }
      throw err;
    }
    const bookmarkEnd = options.sendInitialEvents === true && options.allowWatchBookmarks === true;
    const decodeEvent = (e: WatchEvent): ObjectEvent | undefined => {
      const now = this.#eventObject(type, e, 'now');
      if (e.type === 'create')
        return !matcher || matcher(now) ? { type: 'ADDED', object: now } : undefined;
      if (e.type === 'delete')
        return !matcher || matcher(now) ? { type: 'DELETED', object: now } : undefined;
      if (!matcher) return { type: 'MODIFIED', object: now };
      const was = e.prevValue !== undefined && matcher(this.#eventObject(type, e, 'prev'));
      const is = matcher(now);
      if (was && is) return { type: 'MODIFIED', object: now };
      if (is) return { type: 'ADDED', object: now };
      if (was) return { type: 'DELETED', object: now };
      return undefined;
    };
    const apiVersion = apiVersionOf(type.group, type.version);
    async function* events(): AsyncGenerator<ObjectEvent> {
      for (const object of initialObjects) yield { type: 'ADDED', object };
      initialObjects = [];
      if (bookmarkEnd) {
        yield {
          type: 'BOOKMARK',
          object: {
            apiVersion,
            kind: type.kind,
            metadata: {
              resourceVersion: String(from),
              annotations: { 'k8s.io/initial-events-end': 'true' },
            },
          },
        };
      }
      for await (const e of watcher!) {
        const out = decodeEvent(e);
        if (out) yield out;
      }
    }
    const gen = events();
    return {
      [Symbol.asyncIterator]: () => gen,
      close: () => {
        watcher.close();
        void gen.return(undefined);
      },
      progressRevision: () => watcher.progressRevision,
    };
  }

  // ---- writes -----------------------------------------------------------------

  /** Decodes, defaults and checks a request body for `type` (apiVersion, kind, unknown fields). */
  #fromBody(
    ctx: RequestContext,
    type: ResourceType,
    body: unknown,
    options: WriteOptions,
    operation: string,
  ): KubeObject {
    return decodeObject(type, body, {
      fieldValidation: options.fieldValidation ?? 'Warn',
      warnings: ctx.warnings,
      operation,
    });
  }

  async create(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const obj = this.#fromBody(ctx, type, body, options, 'create');
    return this.#create(ctx, type, namespace, obj, options, false);
  }

  /** `managed`: managedFields were already computed (server-side apply creating). */
  async #create(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    options: WriteOptions,
    managed: boolean,
  ): Promise<KubeObject> {
    const m = meta(obj);
    this.#checkNamespace(type, namespace, m);
    if (!m.name && !m.generateName) {
      throw invalidObject(
        type.kind,
        '',
        [fieldError.required('metadata.name', 'name or generateName is required')],
        type.group,
      );
    }
    const now = this.#now();
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339(now);
    if (tracksGeneration(type)) m.generation = 1;
    else delete m.generation;
    type.hooks.defaults?.(obj);
    type.hooks.prepareForCreate?.(obj);
    if (type.hasStatus && !type.hooks.prepareForCreate) delete obj.status;
    if (!managed) recordManagedFields(type, undefined, obj, options.fieldManager, undefined, now);

    const named = !!m.name;
    for (let attempt = 0; ; attempt++) {
      if (!named) m.name = generateName(m.generateName!);
      await this.#admitAndValidate(ctx, type, 'CREATE', obj, undefined, options);
      if (options.dryRun) return obj;
      try {
        const rev = await this.store.create(
          this.key(type, m.namespace, m.name!),
          this.encode(type, obj),
        );
        m.resourceVersion = String(rev);
        return obj;
      } catch (err) {
        if (isAlreadyExists(err)) {
          if (!named && attempt < GENERATE_NAME_ATTEMPTS) continue;
          throw alreadyExists(type, m.name!);
        }
        throw err;
      }
    }
  }

  #checkNamespace(type: ResourceType, namespace: string | undefined, m: ObjectMeta): void {
    if (type.namespaced) {
      if (m.namespace && namespace && m.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      m.namespace = namespace ?? m.namespace;
      if (!m.namespace) throw badRequest('the namespace of the object is required');
    } else {
      delete m.namespace;
    }
  }

  async #admitAndValidate(
    ctx: RequestContext,
    type: ResourceType,
    operation: Operation,
    obj: KubeObject,
    old: KubeObject | undefined,
    options: UpdateOptions,
  ): Promise<void> {
    await runAdmission(this.#admission, 'mutate', {
      ctx,
      operation,
      type,
      object: obj,
      oldObject: old,
      subresource: options.subresource,
      dryRun: !!options.dryRun,
      storage: this,
    });
    // binding and finalize are the server's own ways to change fields clients may
    // never change (spec.nodeName, spec.finalizers); the kind's update rules,
    // written for clients, would refuse them.
    const serverWrite = options.subresource === 'binding' || options.subresource === 'finalize';
    const causes: FieldCause[] = serverWrite ? [] : (type.hooks.validate?.(obj, old) ?? []);
    if (old) causes.push(...immutableMetadata(obj, old));
    if (causes.length > 0)
      throw invalidObject(type.kind, obj.metadata.name ?? '', causes, type.group);
    await runAdmission(this.#admission, 'validate', {
      ctx,
      operation,
      type,
      object: obj,
      oldObject: old,
      subresource: options.subresource,
      dryRun: !!options.dryRun,
      storage: this,
    });
  }

  /**
   * Replaces the object (PUT). A resourceVersion in the body makes the update
   * conditional (409 when stale); without one the latest version is replaced.
   */
  async update(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: UpdateOptions = {},
  ): Promise<KubeObject> {
    const obj = this.#fromBody(ctx, type, body, options, 'update');
    const m = meta(obj);
    if (m.name !== undefined && m.name !== name) {
      throw badRequest(
        `the name of the object (${m.name}) does not match the name on the URL (${name})`,
      );
    }
    m.name = name;
    this.#checkNamespace(type, namespace, m);
    const expected = m.resourceVersion || undefined;
    return this.guaranteedUpdate(
      ctx,
      type,
      namespace,
      name,
      options,
      (current) => {
        if (expected !== undefined && expected !== current.metadata.resourceVersion) {
          throw conflict(type, name, MODIFIED);
        }
        return clone(obj);
      },
      type.allowCreateOnUpdate
        ? () => this.#create(ctx, type, namespace, clone(obj), options, false)
        : undefined,
    );
  }

  async patch(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<KubeObject> {
    if (patchType === 'apply') return this.#apply(ctx, type, namespace, name, patch, options);
    return this.guaranteedUpdate(ctx, type, namespace, name, options, (current) => {
      const patched = applyPatch(type, current, patchType, patch);
      const m = meta(patched);
      if (m.resourceVersion && m.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(type, name, MODIFIED);
      }
      if (m.name !== name)
        throw badRequest(
          `metadata.name: Invalid value: ${JSON.stringify(m.name)}: field is immutable`,
        );
      return this.#fromBody(ctx, type, patched, options, 'patch');
    });
  }

  async #apply(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: PatchOptions,
  ): Promise<KubeObject> {
    if (!options.fieldManager) {
      throw badRequest(
        'PATCH, application/apply-patch+yaml requests must set the fieldManager parameter',
      );
    }
    const applied = this.#fromBody(
      ctx,
      type,
      body,
      { ...options, fieldValidation: options.fieldValidation ?? 'Strict' },
      'apply',
    );
    const am = meta(applied);
    if (am.name !== undefined && am.name !== name) {
      throw badRequest(
        `the name of the object (${am.name}) does not match the name on the URL (${name})`,
      );
    }
    am.name = name;
    this.#checkNamespace(type, namespace, am);
    const now = this.#now();
    return this.guaranteedUpdate(
      ctx,
      type,
      namespace,
      name,
      options,
      (current) =>
        applyConfiguration(
          type,
          current,
          applied,
          options.fieldManager!,
          !!options.force,
          options.subresource,
          now,
        ),
      async () => {
        const created = applyConfiguration(
          type,
          undefined,
          applied,
          options.fieldManager!,
          !!options.force,
          options.subresource,
          now,
        );
        return this.#create(ctx, type, namespace, created, options, true);
      },
      true,
    );
  }

  /**
   * Read-modify-write with optimistic concurrency: `mutate` gets the current
   * object and returns the desired one (or throws); a concurrent writer makes it
   * run again on the newer object. No write happens when nothing changed.
   */
  async guaranteedUpdate(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: UpdateOptions,
    mutate: (current: KubeObject) => KubeObject,
    createIfMissing?: () => Promise<KubeObject>,
    /** `mutate` maintains managedFields itself (server-side apply). */
    managed = false,
  ): Promise<KubeObject> {
    const key = this.key(type, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) {
        if (createIfMissing) return createIfMissing();
        throw notFound(type, name);
      }
      const current = this.#decodeKv(type, kv);
      const next = this.#prepareUpdate(type, current, mutate(clone(current)), options, managed);
      if (next === current) return current;
      await this.#admitAndValidate(ctx, type, 'UPDATE', next, current, options);
      if (options.dryRun) return next;
      try {
        if (this.#readyToDelete(type, next)) {
          const res = await this.store.delete(key, kv.modRevision);
          return this.decode(type, this.encode(type, next), res.revision);
        }
        const rev = await this.store.update(key, this.encode(type, next), kv.modRevision);
        next.metadata.resourceVersion = String(rev);
        return next;
      } catch (err) {
        if (isConflict(err) && attempt < UPDATE_ATTEMPTS) continue;
        if (isConflict(err)) throw conflict(type, name, MODIFIED);
        if (isNotFound(err)) throw notFound(type, name);
        throw err;
      }
    }
  }

  /**
   * Applies lifecycle rules to an update: immutable metadata, the status/spec
   * split, generation, managedFields. Returns `current` itself for a no-op.
   *
   * Three kinds of write: `status` (a client may change only the status), the
   * main resource (a client may change anything but the status, and the kind's
   * prepareForUpdate rules apply), and the server's own subresource writes
   * (scale, binding, finalize), whose changes the server built from the
   * current object and are taken as they are.
   */
  #prepareUpdate(
    type: ResourceType,
    current: KubeObject,
    desired: KubeObject,
    options: UpdateOptions,
    managed: boolean,
  ): KubeObject {
    let next = desired;
    const cm = current.metadata;
    if (options.subresource === 'status') {
      // Only status changes through /status (and managedFields bookkeeping).
      next = { ...clone(current), status: desired.status };
      next.metadata.resourceVersion = desired.metadata?.resourceVersion ?? cm.resourceVersion;
    } else if (options.subresource === undefined && type.hasStatus) {
      next.status = clone(current.status);
      if (current.status === undefined) delete next.status;
    }
    const m = meta(next);
    // What clients may never change.
    m.uid ??= cm.uid;
    m.creationTimestamp = cm.creationTimestamp;
    if (cm.namespace === undefined) delete m.namespace;
    else m.namespace = cm.namespace;
    if (cm.deletionTimestamp) {
      m.deletionTimestamp = cm.deletionTimestamp;
      m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    if (cm.deletionTimestamp) {
      // Once deletion started, finalizers may only be removed.
      const allowed = new Set(cm.finalizers ?? []);
      const added = (m.finalizers ?? []).filter((f) => !allowed.has(f));
      if (added.length > 0) {
        throw new ForbiddenError(
          `${qualifiedResource(type)} "${cm.name}" is being deleted; no new finalizers (${added.join(', ')}) may be added`,
        );
      }
    }
    type.hooks.defaults?.(next);
    // The kind's update rules are for main-resource writes only, as Kubernetes
    // gives status writes a strategy of their own.
    if (options.subresource === undefined) type.hooks.prepareForUpdate?.(next, current);
    if (tracksGeneration(type)) {
      m.generation = cm.generation ?? 1;
      if (!deepEqual(specOf(type, next), specOf(type, current))) m.generation += 1;
    }
    if (m.managedFields === undefined && cm.managedFields !== undefined)
      m.managedFields = cm.managedFields;
    // No-op: nothing but bookkeeping differs.
    if (sameObject(next, current)) return current;
    if (!managed)
      recordManagedFields(
        type,
        current,
        next,
        options.fieldManager,
        options.subresource,
        this.#now(),
      );
    return next;
  }

  #readyToDelete(type: ResourceType, obj: KubeObject): boolean {
    const m = obj.metadata;
    if (!m.deletionTimestamp || (m.finalizers?.length ?? 0) > 0) return false;
    // A pod in its grace period is deleted by its node agent once its containers
    // stopped; one whose grace period is over (0) goes when its finalizers do.
    if (isCore(type, 'pods')) return (m.deletionGracePeriodSeconds ?? 0) === 0;
    return namespaceFinalizers(type, obj).length === 0;
  }

  /**
   * namespaces/finalize: replaces spec.finalizers and nothing else (the
   * namespace controller's last step; the namespace goes when none are left and
   * it is being deleted).
   */
  finalize(
    ctx: RequestContext,
    type: ResourceType,
    name: string,
    finalizers: string[],
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    return this.guaranteedUpdate(
      ctx,
      type,
      undefined,
      name,
      { ...options, subresource: 'finalize' },
      (ns) => {
        const next = clone(ns);
        next.spec = { ...(isObject(next.spec) ? next.spec : {}), finalizers };
        return next;
      },
    );
  }

  async delete(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject> {
    const key = this.key(type, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(type, name);
      const current = this.#decodeKv(type, kv);
      const cm = current.metadata;
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== cm.uid) {
        throw conflict(
          type,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cm.uid}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cm.resourceVersion) {
        throw conflict(
          type,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cm.resourceVersion}`,
        );
      }
      await runAdmission(this.#admission, 'validate', {
        ctx,
        operation: 'DELETE',
        type,
        object: undefined,
        oldObject: current,
        dryRun: !!options.dryRun,
        storage: this,
      });
      const next = this.#prepareDelete(type, current, options);
      try {
        if (next) {
          if (options.dryRun || sameObject(next, current)) return next;
          const rev = await this.store.update(key, this.encode(type, next), kv.modRevision);
          next.metadata.resourceVersion = String(rev);
          return next;
        }
        if (options.dryRun) return current;
        const res = await this.store.delete(key, kv.modRevision);
        return this.decode(type, res.prev.value, res.revision);
      } catch (err) {
        if (isConflict(err) && attempt < UPDATE_ATTEMPTS) continue;
        if (isNotFound(err)) throw notFound(type, name);
        throw err;
      }
    }
  }

  /**
   * Decides between deleting now and marking for deletion: finalizers (including
   * those propagationPolicy adds) and graceful deletion (bound pods, namespaces)
   * keep the object with a deletionTimestamp. Returns the object to store, or
   * undefined to delete it now.
   */
  #prepareDelete(
    type: ResourceType,
    current: KubeObject,
    options: DeleteOptions,
  ): KubeObject | undefined {
    const next = clone(current);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    const policy = options.propagationPolicy;
    if (policy === 'Orphan') {
      finalizers.add(FINALIZER_ORPHAN);
      finalizers.delete(FINALIZER_FOREGROUND);
    } else if (policy === 'Foreground') {
      finalizers.add(FINALIZER_FOREGROUND);
      finalizers.delete(FINALIZER_ORPHAN);
    } else if (policy === 'Background') {
      finalizers.delete(FINALIZER_ORPHAN);
      finalizers.delete(FINALIZER_FOREGROUND);
    }
    const now = this.#now();
    const grace = gracePeriod(type, current, options);
    const pendingFinalizers = [...finalizers];
    const nsFinalizers = namespaceFinalizers(type, current);
    if (pendingFinalizers.length === 0 && grace === 0 && nsFinalizers.length === 0)
      return undefined;
    // A shorter grace period than the one in progress wins.
    if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? 0)) {
      m.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
    }
    if (pendingFinalizers.length > 0) m.finalizers = pendingFinalizers;
    else delete m.finalizers;
    if (nsFinalizers.length > 0) {
      next.status = { ...(isObject(next.status) ? next.status : {}), phase: 'Terminating' };
    }
    return next;
  }

  async deleteCollection(
    ctx: RequestContext,
    type: ResourceType,
    namespace: string | undefined,
    listOptions: ListOptions,
    options: DeleteOptions = {},
  ): Promise<KubeList> {
    const list = await this.list(ctx, type, namespace, {
      ...listOptions,
      limit: 0,
      continue: undefined,
    });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push(
          await this.delete(ctx, type, item.metadata.namespace, item.metadata.name!, options),
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { ...list, items: deleted };
  }
}

function alreadyExists(type: ResourceType, name: string): AlreadyExistsError {
  return new AlreadyExistsError(`${qualifiedResource(type)} "${name}" already exists`, {
    name,
    group: type.group,
    kind: type.resource,
  });
}

/** Whether `type` is the core (group "") resource named `resource`. */
function isCore(type: ResourceType, resource: string): boolean {
  return type.group === '' && type.resource === resource;
}

/** A namespace's spec.finalizers (what must finish before it goes); none for other kinds. */
function namespaceFinalizers(type: ResourceType, obj: KubeObject): string[] {
  if (!isCore(type, 'namespaces')) return [];
  return (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
}

/** Kubernetes' default grace periods: pods bound to a node get theirs; the rest none. */
function gracePeriod(type: ResourceType, obj: KubeObject, options: DeleteOptions): number {
  if (!isCore(type, 'pods')) return 0;
  const spec = obj.spec as
    { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
  // An unscheduled pod, or one whose containers never started, goes at once.
  if (!spec?.nodeName) return 0;
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g);
}

/** Equal apart from resourceVersion and managedFields timestamps. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const { resourceVersion: _rv, managedFields: _mf, ...m } = o.metadata;
    return { ...o, metadata: m };
  };
  return deepEqual(strip(a), strip(b));
}

function immutableMetadata(obj: KubeObject, old: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  if (obj.metadata.uid !== old.metadata.uid) {
    causes.push(fieldError.invalid('metadata.uid', obj.metadata.uid, 'field is immutable'));
  }
  return causes;
}

function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  }
  // Kubernetes trims the prefix so the whole name fits in 63 characters.
  return prefix.slice(0, 58) + suffix;
}

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}
