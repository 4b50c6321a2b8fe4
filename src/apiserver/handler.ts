/**
 * The HTTP front end of the API server: authenticate, read what the request is
 * about, authorize, bound it (in-flight cap, timeout, body size), then dispatch to
 * discovery, OpenAPI, the REST layer or a subresource, and encode the answer in
 * the negotiated representation. Every error leaves through `statusFromError`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { stringify as toYaml } from 'yaml';
import { InvalidError, UnavailableError, isVergeError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { versionInfo } from '../util/version.ts';
import type { ResourceRegistry, ResourceType } from '../api/registry.ts';
import type { KubeObject, Status } from '../api/types/meta.ts';
import { attributesOf, forbiddenMessage, type Authenticator, type Authorizer } from './auth.ts';
import { readBody, parseBody, DEFAULT_MAX_BODY_BYTES } from './body.ts';
import type { PodConnector, ConnectKind } from './connect.ts';
import type { RequestContext } from './context.ts';
import { parseFieldValidation } from './decode.ts';
import type { Discovery } from './discovery.ts';
import { negotiate, type Negotiated } from './negotiation.ts';
import type { OpenApi } from './openapi.ts';
import { patchTypeOf, type PatchType } from './patching.ts';
import { requestInfo, type RequestInfo } from './request-info.ts';
import type { DeleteOptions, PropagationPolicy, ResourceStorage, WriteOptions } from './rest.ts';
import {
  created,
  methodNotAllowed,
  notFound,
  status,
  statusFromError,
  unauthorized,
  type HttpStatus,
} from './status.ts';
import { bindPod, subresource } from './subresources.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from './table.ts';
import { serveWatch } from './watch-http.ts';
import { selfReview } from './reviews.ts';
import { decodeProtobufObject, isProtobufContentType } from '../api/protobuf/decode.ts';
import {
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
} from '../api/openapi-proto/encode.ts';

export interface Limits {
  maxBodyBytes: number;
  /** Concurrent non-long-running requests; past it, 429. Default 400 (Kubernetes' default). */
  maxInflight: number;
  /** Concurrent mutating requests; past it, 429. Default 200. */
  maxMutatingInflight: number;
  /** Non-watch requests are answered 504 after this. Default 60 s. */
  requestTimeoutMs: number;
  /** Watches end after a random time between this and twice it, unless the client asks otherwise. Default 30 min. */
  minWatchTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxInflight: 400,
  maxMutatingInflight: 200,
  requestTimeoutMs: 60_000,
  minWatchTimeoutMs: 30 * 60_000,
};

export interface HandlerDeps {
  registry: ResourceRegistry;
  storage: ResourceStorage;
  discovery: Discovery;
  openapi: OpenApi;
  authenticator: Authenticator;
  authorizer: Authorizer;
  connector: PodConnector;
  limits: Limits;
  /** host:port clients use, for /api's serverAddressByClientCIDRs. */
  serverAddress: string;
  ready: () => boolean;
  log: Logger;
  /** How often an idle watch that asked for bookmarks gets one. Default 60 s. */
  bookmarkIntervalMs: number;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const CONNECT = new Set(['log', 'exec', 'attach', 'portforward']);

function badRequest(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

/** Writes a JSON (or YAML) body with status `code`, unless the response already started. */
export function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  negotiated?: Negotiated,
  warnings: string[] = [],
): void {
  if (res.headersSent || res.destroyed) return;
  const yaml = negotiated?.format === 'yaml';
  const text = typeof body === 'string' ? body : yaml ? toYaml(body) : JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': negotiated?.contentType ?? 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  // Answered before the request body was read (refused, timed out): the rest of
  // that body would be parsed as the next request, so the connection must go;
  // closing it also ends a stalled body read, which frees the in-flight slot.
  const unread = res.req !== undefined && !res.req.complete;
  if (unread) headers.Connection = 'close';
  res.writeHead(code, headers);
  if (unread) {
    const socket = res.req.socket;
    res.end(text, () => socket.destroy());
  } else {
    res.end(text);
  }
}

export function sendStatus(res: ServerResponse, s: HttpStatus, warnings: string[] = []): void {
  if (!res.headersSent && s.status.details?.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(s.status.details.retryAfterSeconds));
  }
  send(res, s.code, s.status, undefined, warnings);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: not an integer`);
  return Number(v);
}

function dryRunParam(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun').filter((v) => v !== '');
  for (const v of values) {
    if (v !== 'All')
      throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return values.length > 0;
}

/** The write options of a request's query: dryRun, fieldManager, fieldValidation. */
export function writeOptions(q: URLSearchParams, req: IncomingMessage): WriteOptions {
  return {
    dryRun: dryRunParam(q),
    fieldManager: q.get('fieldManager') || defaultManager(req),
    fieldValidation: parseFieldValidation(q.get('fieldValidation') ?? undefined),
  };
}

/** Kubernetes names a manager after the client's User-Agent when it gives none. */
function defaultManager(req: IncomingMessage): string {
  const ua = req.headers['user-agent'] ?? '';
  const first = ua.split('/')[0].trim();
  return first.slice(0, 128) || 'unknown';
}

export interface PatchRequest {
  patchType: PatchType;
  patch: unknown;
  options: WriteOptions & { force?: boolean };
}

/**
 * Reads a PATCH: its type (from Content-Type), the parsed body, and the write
 * options (an apply patch names its manager explicitly; only it may force).
 */
export async function readPatch(
  req: IncomingMessage,
  q: URLSearchParams,
  type: ResourceType,
  maxBodyBytes: number,
): Promise<PatchRequest> {
  const patchType = patchTypeOf(req.headers['content-type'] ?? '');
  if (!patchType) {
    req.resume();
    throw new InvalidError(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type.crd ? '' : ', application/strategic-merge-patch+json'}`,
      { reason: 'UnsupportedMediaType' },
    );
  }
  const patch = parseBody(await readBody(req, maxBodyBytes), req.headers['content-type']);
  const force = boolParam(q, 'force');
  if (force !== undefined && patchType !== 'apply')
    throw badRequest('force=true is only for apply patches');
  const options = { ...writeOptions(q, req), force };
  if (patchType === 'apply') options.fieldManager = q.get('fieldManager') ?? undefined;
  return { patchType, patch, options };
}

export class RequestHandler {
  readonly #d: HandlerDeps;
  #inflight = 0;
  #mutatingInflight = 0;

  constructor(deps: HandlerDeps) {
    this.#d = deps;
  }

  /** Entry point for `request` events. Never throws. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#handle(req, res).catch((err: unknown) => {
      this.#d.log.error({ err, url: req.url }, 'request failed');
      sendStatus(res, statusFromError(err));
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://verge.invalid');
    } catch {
      sendStatus(res, statusFromError(badRequest('malformed request URL')));
      return;
    }
    const path = url.pathname;
    if (/^\/(healthz|livez)(\/.*)?$/.test(path)) return sendText(res, 200, 'ok');
    if (/^\/readyz(\/.*)?$/.test(path)) {
      return this.#d.ready() ? sendText(res, 200, 'ok') : sendText(res, 503, 'not ready: starting');
    }
    if (path === '/version' || path === '/version/') {
      return send(res, 200, versionInfo());
    }
    const user = this.#d.authenticator.authenticate(req);
    if (!user) {
      req.resume();
      return sendStatus(res, unauthorized());
    }
    const info = requestInfo(req.method ?? 'GET', path, url.searchParams);
    const attrs = attributesOf(user, info, url.searchParams);
    const decision = await this.#d.authorizer.authorize(attrs);
    if (decision.decision !== 'allow') {
      req.resume();
      this.#d.log.info({ user: user.name, verb: info.verb, path }, 'forbidden');
      return sendStatus(res, {
        code: 403,
        status: status(
          403,
          'Forbidden',
          forbiddenMessage(attrs, decision.decision === 'deny' ? decision.reason : undefined),
          {
            name: info.name || undefined,
            group: info.isResourceRequest ? info.group : undefined,
            kind: info.resource || undefined,
          },
        ),
      });
    }
    const ctx: RequestContext = { user, warnings: [] };
    const longRunning = info.verb === 'watch' || CONNECT.has(info.subresource);
    if (longRunning) {
      return this.#dispatch(ctx, info, url, req, res).catch((err: unknown) =>
        this.#fail(res, err, ctx),
      );
    }
    const mutating = MUTATING.has(info.verb);
    if (
      this.#inflight >= this.#d.limits.maxInflight ||
      (mutating && this.#mutatingInflight >= this.#d.limits.maxMutatingInflight)
    ) {
      req.resume();
      return sendStatus(
        res,
        statusFromError(
          new UnavailableError('Too many requests, please try again later.', {
            reason: 'TooManyRequests',
            retryAfterSeconds: 1,
          }),
        ),
      );
    }
    this.#inflight++;
    if (mutating) this.#mutatingInflight++;
    const timeoutMs = this.#requestTimeout(url.searchParams);
    const timer = setTimeout(() => {
      sendStatus(
        res,
        statusFromError(
          new UnavailableError('Timeout: request did not complete within the allowed duration', {
            reason: 'Timeout',
          }),
        ),
      );
    }, timeoutMs);
    try {
      await this.#dispatch(ctx, info, url, req, res);
    } catch (err) {
      this.#fail(res, err, ctx);
    } finally {
      clearTimeout(timer);
      this.#inflight--;
      if (mutating) this.#mutatingInflight--;
    }
  }

  #requestTimeout(q: URLSearchParams): number {
    const t = q.get('timeout');
    const m = t ? /^(\d+)(ms|s|m)?$/.exec(t) : null;
    if (!m) return this.#d.limits.requestTimeoutMs;
    const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
    return Math.min(n, this.#d.limits.requestTimeoutMs);
  }

  #fail(res: ServerResponse, err: unknown, ctx: RequestContext): void {
    if (!isVergeError(err)) this.#d.log.error({ err }, 'internal error');
    sendStatus(res, statusFromError(err), ctx.warnings);
  }

  async #dispatch(
    ctx: RequestContext,
    info: RequestInfo,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (!info.isResourceRequest) return this.#nonResource(info, url, req, res);
    const d = this.#d;
    const type = d.registry.get(info.group, info.version, info.resource);
    if (!type || (!type.namespaced && info.namespace !== '' && info.resource !== 'namespaces')) {
      req.resume();
      throw notFound();
    }
    const namespace = type.namespaced ? info.namespace || undefined : undefined;
    if (type.namespaced && !namespace && info.name !== '') {
      req.resume();
      throw notFound();
    }
    const q = url.searchParams;
    if (info.subresource !== '') {
      return subresource({
        ctx,
        info,
        type,
        namespace,
        req,
        res,
        query: q,
        deps: d,
        readJson: (as) => this.#readJson(req, as ?? type),
      });
    }
    const virtual = await selfReview(ctx, type, info, req, res, d, () => this.#readJson(req, type));
    if (virtual) return;
    if (!(type.verbs as readonly string[]).includes(info.verb)) {
      req.resume();
      throw methodNotAllowed();
    }
    const accept = req.headers.accept;
    if (info.verb === 'create' && info.name !== '') {
      // POST goes to the collection; a named POST is only for subresources.
      req.resume();
      throw methodNotAllowed();
    }
    switch (info.verb) {
      case 'get': {
        const neg = negotiate(accept, { table: true, partial: true });
        const obj = await d.storage.get(ctx, type, namespace, info.name);
        return this.#sendObject(res, 200, type, obj, neg, q, ctx);
      }
      case 'list': {
        const neg = negotiate(accept, { table: true, partial: true });
        const listOptions = {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: intParam(q, 'limit'),
          continue: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: (q.get('resourceVersionMatch') || undefined) as
            'Exact' | 'NotOlderThan' | undefined,
        };
        if (neg.format === 'json' && neg.conversion.as === 'none') {
          // The common case for clients and informers: answer from stored JSON.
          return send(
            res,
            200,
            await d.storage.listJson(ctx, type, namespace, listOptions),
            neg,
            ctx.warnings,
          );
        }
        const list = await d.storage.list(ctx, type, namespace, listOptions);
        if (neg.conversion.as === 'Table') {
          const table = toTable(type, list.items, {
            includeObject: includeObjectParam(q),
            noHeaders: false,
            version: neg.conversion.version,
            listMeta: list.metadata,
            now: d.storage.now(),
          });
          return send(res, 200, table, neg, ctx.warnings);
        }
        if (
          neg.conversion.as === 'PartialObjectMetadataList' ||
          neg.conversion.as === 'PartialObjectMetadata'
        ) {
          const version = neg.conversion.version;
          return send(
            res,
            200,
            {
              apiVersion: `meta.k8s.io/${version}`,
              kind: 'PartialObjectMetadataList',
              metadata: list.metadata,
              items: list.items.map((o) => partialObjectMetadata(o, version)),
            },
            neg,
            ctx.warnings,
          );
        }
        return send(res, 200, list, neg, ctx.warnings);
      }
      case 'watch': {
        const neg = negotiate(accept, { table: true, partial: true });
        return serveWatch({ ctx, type, namespace, query: q, req, res, negotiated: neg, deps: d });
      }
      case 'create': {
        const neg = negotiate(accept, { table: true, partial: true });
        const body = await this.#readJson(req, type);
        if (type.group === '' && type.resource === 'bindings') {
          // POST namespaces/<ns>/bindings: the older way to bind a pod.
          const podType = d.registry.get('', 'v1', 'pods')!;
          const name = (body as { metadata?: { name?: string } }).metadata?.name ?? '';
          await bindPod(d.storage, ctx, podType, namespace!, name, body);
          return send(res, 201, created(), neg);
        }
        const obj = await d.storage.create(ctx, type, namespace, body, writeOptions(q, req));
        return this.#sendObject(res, 201, type, obj, neg, q, ctx);
      }
      case 'update': {
        const neg = negotiate(accept, { table: true, partial: true });
        const body = await this.#readJson(req, type);
        const obj = await d.storage.update(
          ctx,
          type,
          namespace,
          info.name,
          body,
          writeOptions(q, req),
        );
        return this.#sendObject(res, 200, type, obj, neg, q, ctx);
      }
      case 'patch': {
        const neg = negotiate(accept, { table: true, partial: true });
        const { patchType, patch, options } = await readPatch(req, q, type, d.limits.maxBodyBytes);
        const obj = await d.storage.patch(
          ctx,
          type,
          namespace,
          info.name,
          patchType,
          patch,
          options,
        );
        return this.#sendObject(res, 200, type, obj, neg, q, ctx);
      }
      case 'delete': {
        const neg = negotiate(accept, {});
        const options = await this.#deleteOptions(req, q);
        const obj = await d.storage.delete(ctx, type, namespace, info.name, options);
        return this.#sendObject(
          res,
          obj.metadata.deletionTimestamp ? 202 : 200,
          type,
          obj,
          neg,
          q,
          ctx,
        );
      }
      case 'deletecollection': {
        const neg = negotiate(accept, {});
        const options = await this.#deleteOptions(req, q);
        const list = await d.storage.deleteCollection(
          ctx,
          type,
          namespace,
          {
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
          },
          options,
        );
        return send(res, 200, list, neg, ctx.warnings);
      }
      default:
        req.resume();
        throw methodNotAllowed();
    }
  }

  /**
   * Reads a request body as an object: JSON, YAML, or Kubernetes protobuf (which
   * kubectl's typed commands send) decoded with the schema of `type`.
   */
  async #readJson(req: IncomingMessage, type?: ResourceType): Promise<unknown> {
    const ct = (req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type && isProtobufContentType(ct)) {
      const raw = await readBody(req, this.#d.limits.maxBodyBytes);
      return decodeProtobufObject(raw, type.resolver, {
        expected: { group: type.group, version: type.version, kind: type.kind },
      });
    }
    if (ct !== 'application/json' && ct !== 'application/yaml' && ct !== '') {
      req.resume();
      throw new InvalidError(
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
        {
          reason: 'UnsupportedMediaType',
        },
      );
    }
    return parseBody(await readBody(req, this.#d.limits.maxBodyBytes), ct);
  }

  async #deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    let body: Record<string, unknown> = {};
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > 0 || req.headers['transfer-encoding']) {
      const raw = await readBody(req, this.#d.limits.maxBodyBytes);
      if (raw.length > 0) {
        const parsed = parseBody(raw, req.headers['content-type']);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw badRequest('DeleteOptions must be an object');
        body = parsed as Record<string, unknown>;
      }
    }
    const policy = (q.get('propagationPolicy') || body.propagationPolicy || undefined) as
      PropagationPolicy | undefined;
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const orphan =
      boolParam(q, 'orphanDependents') ?? (body.orphanDependents as boolean | undefined);
    const grace =
      intParam(q, 'gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined);
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0))
      throw badRequest('gracePeriodSeconds must be a non-negative integer');
    const dryRun = dryRunParam(q) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
    return {
      dryRun,
      gracePeriodSeconds: grace,
      propagationPolicy: policy ?? (orphan === true ? 'Orphan' : undefined),
      preconditions: body.preconditions as DeleteOptions['preconditions'],
    };
  }

  #sendObject(
    res: ServerResponse,
    code: number,
    type: ResourceType,
    obj: KubeObject,
    neg: Negotiated,
    q: URLSearchParams,
    ctx: RequestContext,
  ): void {
    if (neg.conversion.as === 'Table') {
      const table = toTable(type, [obj], {
        includeObject: includeObjectParam(q),
        noHeaders: false,
        version: neg.conversion.version,
        listMeta: { resourceVersion: obj.metadata.resourceVersion },
        now: this.#d.storage.now(),
      });
      return send(res, code, table, neg, ctx.warnings);
    }
    if (
      neg.conversion.as === 'PartialObjectMetadata' ||
      neg.conversion.as === 'PartialObjectMetadataList'
    ) {
      return send(res, code, partialObjectMetadata(obj, neg.conversion.version), neg, ctx.warnings);
    }
    send(res, code, obj, neg, ctx.warnings);
  }

  async #nonResource(
    info: RequestInfo,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    req.resume();
    const d = this.#d;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw methodNotAllowed();
    }
    if (path === '/api' || path === '/apis') {
      const neg = negotiate(req.headers.accept, { discovery: true });
      if (neg.conversion.as === 'APIGroupDiscoveryList') {
        return send(res, 200, d.discovery.aggregated(path === '/api', neg.conversion.version), neg);
      }
      return send(
        res,
        200,
        path === '/api' ? d.discovery.apiVersions(d.serverAddress) : d.discovery.apiGroupList(),
        neg,
      );
    }
    if (info.apiPrefix) {
      // /api/v1, /apis/<group>/<version>
      const neg = negotiate(req.headers.accept);
      const doc = d.discovery.apiResourceList(info.group, info.version);
      if (doc) return send(res, 200, doc, neg);
    }
    const group = /^\/apis\/([^/]+)$/.exec(path);
    if (group) {
      const doc = d.discovery.apiGroup(group[1]);
      if (doc) return send(res, 200, doc);
    }
    if (path === '/openapi/v3') return send(res, 200, d.openapi.index());
    const m = /^\/openapi\/v3\/(api\/v1|apis\/[^/]+\/[^/]+)$/.exec(path);
    if (m) {
      const [, gv] = m;
      const parts = gv.split('/');
      const doc =
        parts[0] === 'api'
          ? d.openapi.groupVersion('', parts[1])
          : d.openapi.groupVersion(parts[1], parts[2]);
      if (doc) {
        const immutable = url.searchParams.get('hash') === doc.hash;
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(doc.body)),
          ETag: `"${doc.hash}"`,
          'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
        });
        res.end(doc.body);
        return;
      }
    }
    if (path === '/openapi/v2' || path === '/swagger.json') {
      // kubectl 1.27/1.28 ask for protobuf only; newer clients for JSON.
      const accept = req.headers.accept ?? '';
      if (
        accept.includes(OPENAPI_V2_PROTOBUF) ||
        accept.includes(OPENAPI_V2_PROTOBUF_CONTENT_TYPE)
      ) {
        const body = d.openapi.v2Protobuf();
        res.writeHead(200, {
          'Content-Type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
          'Content-Length': String(body.length),
        });
        res.end(body);
        return;
      }
      negotiate(accept);
      return send(res, 200, d.openapi.v2());
    }
    throw notFound();
  }

  /** Entry point for `upgrade` events (exec, attach, port-forward). */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#upgrade(req, socket, head).catch((err: unknown) => {
      const s = statusFromError(err);
      rejectUpgrade(socket, s.code, s.status);
    });
  };

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://verge.invalid');
    const user = this.#d.authenticator.authenticate(req);
    if (!user) return rejectUpgrade(socket, 401, unauthorized().status);
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const attrs = attributesOf(user, info, url.searchParams);
    // Kubernetes authorizes exec/attach/portforward upgrades as "create" on the subresource.
    attrs.verb = 'create';
    const decision = await this.#d.authorizer.authorize(attrs);
    if (decision.decision !== 'allow') {
      return rejectUpgrade(
        socket,
        403,
        status(
          403,
          'Forbidden',
          forbiddenMessage(attrs, decision.decision === 'deny' ? decision.reason : undefined),
        ),
      );
    }
    const kind = info.subresource as ConnectKind;
    if (info.group !== '' || info.resource !== 'pods' || !CONNECT.has(kind) || !info.namespace) {
      return rejectUpgrade(
        socket,
        404,
        status(404, 'NotFound', 'the server could not find the requested resource'),
      );
    }
    const type = this.#d.registry.get('', 'v1', 'pods')!;
    const pod = await this.#d.storage.get({ user, warnings: [] }, type, info.namespace, info.name);
    await this.#d.connector.upgrade(kind, pod, req, socket, head, url.searchParams);
  }
}

function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(
    `includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "None", "Metadata", "Object"`,
  );
}

/** Answers a failed upgrade with a plain HTTP response carrying a Status. */
export function rejectUpgrade(socket: Duplex, code: number, body: Status): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
