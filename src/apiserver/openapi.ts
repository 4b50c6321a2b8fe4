/**
 * OpenAPI documents generated from the registry: v3 per group-version (what
 * `kubectl explain` reads, and what kubectl's field-validation check reads:
 * a `fieldValidation` parameter on each PATCH operation tagged with its kind
 * tells kubectl to leave validation to the server) and a v2 document (JSON only).
 * Documents are built on first request and cached until the registry changes.
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from '../api/registry.ts';
import { REF_PREFIX, type JSONSchemaProps } from '../api/schema.ts';
import { GIT_VERSION } from '../util/version.ts';
import { encodeOpenApiV2 } from '../api/openapi-proto/encode.ts';

type Json = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

function param(name: string, where: 'query' | 'path', description: string, type = 'string'): Json {
  const p: Json = { name, in: where, description, schema: { type } };
  if (where === 'path') p.required = true;
  else p.uniqueItems = true;
  return p;
}

const P = {
  namespace: param(
    'namespace',
    'path',
    'object name and auth scope, such as for teams and projects',
  ),
  name: param('name', 'path', 'name of the object'),
  pretty: param('pretty', 'query', 'if "true", the output is pretty printed'),
  dryRun: param(
    'dryRun',
    'query',
    'when present (value "All"), the request is validated and processed but not persisted',
  ),
  fieldManager: param(
    'fieldManager',
    'query',
    'name of the actor making the change, for managedFields',
  ),
  fieldValidation: param(
    'fieldValidation',
    'query',
    'what to do with unknown fields: Ignore, Warn (default) or Strict',
  ),
  force: param(
    'force',
    'query',
    'server-side apply: take ownership of fields owned by other managers',
    'boolean',
  ),
  labelSelector: param('labelSelector', 'query', 'restrict the list to objects whose labels match'),
  fieldSelector: param('fieldSelector', 'query', 'restrict the list to objects whose fields match'),
  limit: param('limit', 'query', 'most items to return; more follow through continue', 'integer'),
  continue: param('continue', 'query', 'token from the previous page of a list'),
  resourceVersion: param(
    'resourceVersion',
    'query',
    'which version of the data to read or watch from',
  ),
  resourceVersionMatch: param(
    'resourceVersionMatch',
    'query',
    'how resourceVersion applies to a list: Exact or NotOlderThan',
  ),
  watch: param('watch', 'query', 'stream changes instead of listing', 'boolean'),
  allowWatchBookmarks: param('allowWatchBookmarks', 'query', 'ask for BOOKMARK events', 'boolean'),
  sendInitialEvents: param(
    'sendInitialEvents',
    'query',
    'start a watch with the current state as ADDED events',
    'boolean',
  ),
  timeoutSeconds: param(
    'timeoutSeconds',
    'query',
    'end the list or watch after this many seconds',
    'integer',
  ),
  gracePeriodSeconds: param(
    'gracePeriodSeconds',
    'query',
    'seconds before the object is deleted',
    'integer',
  ),
  propagationPolicy: param(
    'propagationPolicy',
    'query',
    'what happens to dependents: Orphan, Background or Foreground',
  ),
};

const LIST_PARAMS = [
  P.labelSelector,
  P.fieldSelector,
  P.limit,
  P.continue,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.watch,
  P.allowWatchBookmarks,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.pretty,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.pretty];

function camel(s: string): string {
  return s
    .split(/[.-]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function content(schemaName: string): Json {
  const schema = { $ref: REF_PREFIX + schemaName };
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

/** Every definition reachable from `roots` through $refs. */
function reachable(
  defs: Record<string, JSONSchemaProps>,
  roots: string[],
): Record<string, JSONSchemaProps> {
  const out: Record<string, JSONSchemaProps> = {};
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (out[name] || !defs[name]) continue;
    out[name] = defs[name];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string' && x.startsWith(REF_PREFIX))
            stack.push(x.slice(REF_PREFIX.length));
          else walk(x);
        }
      }
    };
    walk(defs[name]);
  }
  return out;
}

interface GroupVersionDoc {
  body: string;
  hash: string;
}

export class OpenApi {
  readonly #registry: ResourceRegistry;
  #v3 = new Map<string, GroupVersionDoc>();
  #v2: string | undefined;
  #v2Protobuf: Uint8Array | undefined;

  constructor(registry: ResourceRegistry) {
    this.#registry = registry;
    registry.onChange(() => {
      this.#v3 = new Map();
      this.#v2 = undefined;
      this.#v2Protobuf = undefined;
    });
  }

  /** `api/v1`, `apis/apps/v1`, ... */
  static pathOf(group: string, version: string): string {
    return group === '' ? `api/${version}` : `apis/${group}/${version}`;
  }

  /** GET /openapi/v3 */
  index(): unknown {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const g of this.#registry.groups()) {
      for (const v of g.versions) {
        const p = OpenApi.pathOf(g.group, v);
        const doc = this.groupVersion(g.group, v);
        if (doc) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.hash}` };
      }
    }
    return { paths };
  }

  /** The v3 document of one group-version, or undefined if it is not served. */
  groupVersion(group: string, version: string): GroupVersionDoc | undefined {
    const key = `${group}/${version}`;
    let doc = this.#v3.get(key);
    if (!doc) {
      const types = this.#registry.resourcesIn(group, version).filter((t) => t.schemaName);
      if (types.length === 0) return undefined;
      const body = JSON.stringify(this.#buildV3(group, version, types));
      doc = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
      this.#v3.set(key, doc);
    }
    return doc;
  }

  #buildV3(group: string, version: string, types: ResourceType[]): Json {
    const paths: Json = {};
    const schemas: Record<string, JSONSchemaProps> = {};
    for (const t of types) {
      Object.assign(paths, this.#paths(t));
      const roots = [t.schemaName!, `${META}Status`, `${META}DeleteOptions`, `${META}Patch`];
      if (t.listSchemaName) roots.push(t.listSchemaName);
      if (t.scale) roots.push('io.k8s.api.autoscaling.v1.Scale');
      Object.assign(schemas, reachable(t.resolver.definitions, roots));
    }
    schemas[`${META}Patch`] ??= {
      type: 'object',
      description: 'A patch document; its format depends on the request Content-Type.',
    };
    return {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: GIT_VERSION },
      paths,
      components: { schemas },
    };
  }

  #paths(t: ResourceType): Json {
    const base = `/${OpenApi.pathOf(t.group, t.version)}`;
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ns = t.namespaced ? `/namespaces/{namespace}` : '';
    const scopeParams = t.namespaced ? [P.namespace] : [];
    const opId = (action: string, sub = ''): string =>
      `${action}${camel(t.group || 'core')}${camel(t.version)}${t.namespaced && action !== 'listAll' ? 'Namespaced' : ''}${t.kind}${camel(sub)}`;
    const op = (
      action: string,
      xAction: string,
      schema: string | undefined,
      params: Json[],
      extra: Json = {},
      sub = '',
    ): Json => ({
      operationId: opId(action, sub),
      tags: [`${camel(t.group || 'core')}_${t.version}`],
      parameters: params,
      responses: schema
        ? { '200': { description: 'OK', content: content(schema) } }
        : { '200': { description: 'OK' } },
      'x-kubernetes-action': xAction,
      'x-kubernetes-group-version-kind': gvk,
      ...extra,
    });
    const has = (v: string): boolean => (t.verbs as readonly string[]).includes(v);
    const patchBody = {
      requestBody: {
        required: true,
        content: Object.fromEntries(
          [
            'application/json-patch+json',
            'application/merge-patch+json',
            ...(t.crd === undefined ? ['application/strategic-merge-patch+json'] : []),
            'application/apply-patch+yaml',
          ].map((ct) => [ct, { schema: { $ref: `${REF_PREFIX}${META}Patch` } }]),
        ),
      },
    };
    const body = (schema: string): Json => ({
      requestBody: { required: true, content: content(schema) },
    });
    const paths: Json = {};
    const collection: Json = { parameters: scopeParams };
    if (has('list')) collection.get = op('list', 'list', t.listSchemaName, LIST_PARAMS);
    if (has('create'))
      collection.post = op('create', 'post', t.schemaName, WRITE_PARAMS, body(t.schemaName!));
    if (has('deletecollection')) {
      collection.delete = op('deleteCollection', 'deletecollection', `${META}Status`, [
        ...LIST_PARAMS,
        P.gracePeriodSeconds,
        P.propagationPolicy,
        P.dryRun,
      ]);
    }
    paths[`${base}${ns}/${t.resource}`] = collection;
    const item: Json = { parameters: [P.name, ...scopeParams] };
    if (has('get')) item.get = op('read', 'get', t.schemaName, [P.pretty]);
    if (has('update'))
      item.put = op('replace', 'put', t.schemaName, WRITE_PARAMS, body(t.schemaName!));
    if (has('patch'))
      item.patch = op('patch', 'patch', t.schemaName, [...WRITE_PARAMS, P.force], patchBody);
    if (has('delete'))
      item.delete = op('delete', 'delete', t.schemaName, [
        P.gracePeriodSeconds,
        P.propagationPolicy,
        P.dryRun,
        P.pretty,
      ]);
    paths[`${base}${ns}/${t.resource}/{name}`] = item;
    for (const sub of t.subresources) {
      if (sub.name !== 'status' && sub.name !== 'scale') continue;
      const schema = sub.name === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : t.schemaName!;
      const subGvk = sub.responseKind;
      paths[`${base}${ns}/${t.resource}/{name}/${sub.name}`] = {
        parameters: [P.name, ...scopeParams],
        get: {
          ...op('read', 'get', schema, [P.pretty], {}, sub.name),
          'x-kubernetes-group-version-kind': subGvk,
        },
        put: {
          ...op('replace', 'put', schema, WRITE_PARAMS, body(schema), sub.name),
          'x-kubernetes-group-version-kind': subGvk,
        },
        patch: {
          ...op('patch', 'patch', schema, [...WRITE_PARAMS, P.force], patchBody, sub.name),
          'x-kubernetes-group-version-kind': subGvk,
        },
      };
    }
    if (t.namespaced && has('list')) {
      paths[`${base}/${t.resource}`] = {
        get: op('listAll', 'list', t.listSchemaName, LIST_PARAMS),
      };
    }
    return paths;
  }

  /** The v2 document as gnostic protobuf, for kubectl 1.27 and 1.28. */
  v2Protobuf(): Uint8Array {
    this.#v2Protobuf ??= encodeOpenApiV2(JSON.parse(this.v2()));
    return this.#v2Protobuf;
  }

  /** GET /openapi/v2 (JSON): every group-version in one Swagger 2.0 document. */
  v2(): string {
    if (this.#v2 === undefined) {
      const paths: Json = {};
      const definitions: Json = {};
      for (const g of this.#registry.groups()) {
        for (const v of g.versions) {
          const doc = this.groupVersion(g.group, v);
          if (!doc) continue;
          const v3 = JSON.parse(doc.body) as { paths: Json; components: { schemas: Json } };
          for (const [p, item] of Object.entries(v3.paths)) paths[p] = toV2Path(item as Json);
          Object.assign(definitions, v3.components.schemas);
        }
      }
      const doc = {
        swagger: '2.0',
        info: { title: 'Kubernetes', version: GIT_VERSION },
        paths,
        definitions,
      };
      this.#v2 = JSON.stringify(doc).replaceAll(`"${REF_PREFIX}`, '"#/definitions/');
    }
    return this.#v2;
  }
}

function toV2Param(p: Json): Json {
  const { schema, ...rest } = p as { schema?: { type?: string } };
  return { ...rest, type: schema?.type ?? 'string' };
}

function toV2Path(item: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') {
      out.parameters = (v as Json[]).map(toV2Param);
      continue;
    }
    const op = v as Json & {
      parameters?: Json[];
      requestBody?: { content: Record<string, { schema: unknown }> };
      responses?: Record<
        string,
        { description: string; content?: Record<string, { schema: unknown }> }
      >;
    };
    const { requestBody, responses, parameters, ...rest } = op;
    const params = (parameters ?? []).map(toV2Param);
    if (requestBody) {
      const first = Object.values(requestBody.content)[0];
      params.push({ name: 'body', in: 'body', required: true, schema: first.schema });
    }
    const res: Json = {};
    for (const [code, r] of Object.entries(responses ?? {})) {
      res[code] = r.content
        ? { description: r.description, schema: Object.values(r.content)[0].schema }
        : { description: r.description };
    }
    out[k] = {
      ...rest,
      consumes: requestBody ? Object.keys(requestBody.content) : undefined,
      produces: ['application/json', 'application/yaml'],
      parameters: params,
      responses: res,
    };
  }
  return out;
}
