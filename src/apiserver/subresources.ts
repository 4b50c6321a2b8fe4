/**
 * Subresources: status (spec/status split), scale (autoscaling/v1 Scale view of
 * replicas), pods/binding (the scheduler's write), pods/eviction, namespaces/
 * finalize, and the connect subresources (log, exec, attach, portforward) that are
 * handed to the PodConnector.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConflictError, InvalidError } from '../util/errors.ts';
import { clone, getPath, isObject, setPath, type JsonObject } from '../util/objects.ts';
import { applyJsonPatch, applyMergePatch } from '../api/patch/index.ts';
import { formatLabelSelector, labelSelectorFromObject } from '../api/validation/selectors.ts';
import type { ResourceType } from '../api/registry.ts';
import type { KubeObject, LabelSelector } from '../api/types/meta.ts';
import type { RequestContext } from './context.ts';
import type { ResourceStorage } from './rest.ts';
import type { HandlerDeps } from './handler.ts';
import { readPatch, send, writeOptions } from './handler.ts';
import { negotiate } from './negotiation.ts';
import { patchTypeOf } from './patching.ts';
import { readBody, parseBody } from './body.ts';
import { created, methodNotAllowed, notFound } from './status.ts';
import type { RequestInfo } from './request-info.ts';
import type { ConnectKind } from './connect.ts';
import { rfc3339 } from '../util/time.ts';

export interface SubresourceRequest {
  ctx: RequestContext;
  info: RequestInfo;
  type: ResourceType;
  namespace: string | undefined;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  deps: HandlerDeps;
  /** Reads the body as an object; protobuf bodies are decoded as `as` (default: the resource's kind). */
  readJson: (as?: ResourceType) => Promise<unknown>;
}

function badRequest(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

function has(type: ResourceType, name: string): boolean {
  return type.subresources.some((s) => s.name === name);
}

export async function subresource(r: SubresourceRequest): Promise<void> {
  const { info, type } = r;
  const name = info.subresource;
  if (!has(type, name)) {
    r.req.resume();
    throw notFound();
  }
  switch (name) {
    case 'status':
      return status(r);
    case 'scale':
      return scale(r);
    case 'binding':
      return binding(r);
    case 'eviction':
      return eviction(r);
    case 'finalize':
      return finalize(r);
    case 'log':
    case 'exec':
    case 'attach':
    case 'portforward':
      return connect(r, name);
    default:
      r.req.resume();
      throw notFound();
  }
}

async function status(r: SubresourceRequest): Promise<void> {
  const { deps, ctx, type, namespace, info, query: q } = r;
  const neg = negotiate(r.req.headers.accept);
  switch (info.verb) {
    case 'get':
      r.req.resume();
      return send(r.res, 200, await deps.storage.get(ctx, type, namespace, info.name), neg);
    case 'update': {
      const opts = { ...writeOptions(q, r.req), subresource: 'status' };
      const body = await r.readJson();
      const obj = await deps.storage.update(ctx, type, namespace, info.name, body, opts);
      return send(r.res, 200, obj, neg, ctx.warnings);
    }
    case 'patch': {
      const { patchType, patch, options } = await readPatch(
        r.req,
        q,
        type,
        deps.limits.maxBodyBytes,
      );
      const obj = await deps.storage.patch(ctx, type, namespace, info.name, patchType, patch, {
        ...options,
        subresource: 'status',
      });
      return send(r.res, 200, obj, neg, ctx.warnings);
    }
    default:
      r.req.resume();
      throw methodNotAllowed();
  }
}

/** The autoscaling/v1 Scale view of an object with replicas. */
export function toScale(type: ResourceType, obj: KubeObject): KubeObject {
  const mapping = type.scale!;
  const selector = mapping.labelSelectorPath ? getPath(obj, mapping.labelSelectorPath) : undefined;
  const status: JsonObject = { replicas: Number(getPath(obj, mapping.statusReplicasPath) ?? 0) };
  if (typeof selector === 'string') status.selector = selector;
  else if (isObject(selector))
    status.selector = formatLabelSelector(labelSelectorFromObject(selector as LabelSelector));
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: Number(getPath(obj, mapping.specReplicasPath) ?? 0) },
    status,
  };
}

async function scale(r: SubresourceRequest): Promise<void> {
  const { deps, ctx, type, namespace, info, query: q } = r;
  const neg = negotiate(r.req.headers.accept);
  if (info.verb === 'get') {
    r.req.resume();
    return send(
      r.res,
      200,
      toScale(type, await deps.storage.get(ctx, type, namespace, info.name)),
      neg,
    );
  }
  let change: (scale: KubeObject) => KubeObject;
  if (info.verb === 'update') {
    const body = await r.readJson();
    if (!isObject(body) || (body.kind !== undefined && body.kind !== 'Scale'))
      throw badRequest('the body must be an autoscaling/v1 Scale');
    change = () => body as KubeObject;
  } else if (info.verb === 'patch') {
    const patchType = patchTypeOf(r.req.headers['content-type'] ?? '');
    if (!patchType || patchType === 'apply') {
      throw new InvalidError(
        'the scale subresource accepts JSON, merge and strategic merge patches',
        { reason: 'UnsupportedMediaType' },
      );
    }
    const patch = parseBody(
      await readBody(r.req, deps.limits.maxBodyBytes),
      r.req.headers['content-type'],
    );
    // Scale has no merge-keyed lists, so a strategic merge patch is a merge patch here.
    change = (current) =>
      (patchType === 'json'
        ? applyJsonPatch(current, patch)
        : applyMergePatch(current, patch)) as KubeObject;
  } else {
    r.req.resume();
    throw methodNotAllowed();
  }
  const updated = await deps.storage.guaranteedUpdate(
    ctx,
    type,
    namespace,
    info.name,
    { ...writeOptions(q, r.req), subresource: 'scale' },
    (current) => {
      const wanted = change(toScale(type, current));
      const rv = (wanted.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw new ConflictError(
          `Operation cannot be fulfilled on ${type.resource} "${info.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }
      const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
        throw badRequest('Scale.spec.replicas must be an integer');
      }
      const next = clone(current);
      setPath(next as JsonObject, type.scale!.specReplicasPath, replicas);
      return next;
    },
  );
  return send(r.res, 200, toScale(type, updated), neg, ctx.warnings);
}

/** pods/binding: the scheduler assigns a pod to a node, once. */
async function binding(r: SubresourceRequest): Promise<void> {
  const { ctx, type, namespace, info } = r;
  if (info.verb !== 'create') {
    r.req.resume();
    throw methodNotAllowed();
  }
  const body = await r.readJson();
  await bindPod(r.deps.storage, r.ctx, type, namespace!, info.name, body);
  send(r.res, 201, created(), negotiate(r.req.headers.accept), ctx.warnings);
}

export async function bindPod(
  storage: ResourceStorage,
  ctx: RequestContext,
  type: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
): Promise<void> {
  const target = isObject(body) && isObject(body.target) ? body.target : undefined;
  const node = target && typeof target.name === 'string' ? target.name : '';
  if (!node) throw badRequest('Binding.target.name is required');
  if (target && target.kind !== undefined && target.kind !== 'Node')
    throw badRequest('Binding.target.kind must be Node');
  const now = rfc3339(storage.now());
  await storage.guaranteedUpdate(
    ctx,
    type,
    namespace,
    name,
    { subresource: 'binding', fieldManager: 'scheduler' },
    (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) {
        throw new ConflictError(`pod ${name} is being deleted, cannot be assigned to a host`);
      }
      if (spec.nodeName) {
        throw new ConflictError(`pod ${name} is already assigned to node "${spec.nodeName}"`);
      }
      const next = clone(pod) as KubeObject & {
        spec: { nodeName?: string };
        status?: { conditions?: JsonObject[] };
      };
      next.spec.nodeName = node;
      const status = (next.status ??= {});
      const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: now,
      });
      status.conditions = conditions;
      return next;
    },
  );
}

/** pods/eviction: `kubectl drain` asks to evict; without disruption budgets it is a delete. */
async function eviction(r: SubresourceRequest): Promise<void> {
  const { deps, ctx, type, namespace, info } = r;
  if (info.verb !== 'create') {
    r.req.resume();
    throw methodNotAllowed();
  }
  const body = await r.readJson();
  const opts = isObject(body) && isObject(body.deleteOptions) ? body.deleteOptions : {};
  await deps.storage.delete(ctx, type, namespace, info.name, {
    gracePeriodSeconds:
      typeof opts.gracePeriodSeconds === 'number' ? opts.gracePeriodSeconds : undefined,
  });
  send(r.res, 201, created(), negotiate(r.req.headers.accept));
}

/** namespaces/finalize: the namespace controller clears spec.finalizers when the namespace is empty. */
async function finalize(r: SubresourceRequest): Promise<void> {
  const { deps, ctx, type, info } = r;
  if (info.verb !== 'update') {
    r.req.resume();
    throw methodNotAllowed();
  }
  const body = await r.readJson();
  const finalizers =
    isObject(body) && isObject(body.spec) && Array.isArray(body.spec.finalizers)
      ? (body.spec.finalizers as string[])
      : [];
  const options = writeOptions(r.query, r.req);
  const obj = await deps.storage.finalize(ctx, type, info.name, finalizers, options);
  send(r.res, 200, obj, negotiate(r.req.headers.accept));
}

async function connect(r: SubresourceRequest, kind: ConnectKind): Promise<void> {
  const { deps, ctx, type, namespace, info } = r;
  r.req.resume();
  if (kind !== 'log' && info.verb !== 'get' && info.verb !== 'create') throw methodNotAllowed();
  const pod = await deps.storage.get(ctx, type, namespace, info.name);
  await deps.connector.serve(kind, pod, r.req, r.res, r.query);
}
