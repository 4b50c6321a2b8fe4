/**
 * The node's local, read-only Kubernetes API (KubeEdge calls its equivalent
 * MetaServer): plain HTTP on loopback, serving the node's view from the
 * `LocalStore`, so that a workload on the node can get, list and watch its
 * Pods, ConfigMaps, Secrets and Node while the cloud is unreachable.
 *
 * What it serves:
 * - `/version` (the cloud server's: kubectl picks its binary by major.minor),
 *   `/healthz`, `/livez`, `/readyz`;
 * - discovery: `/api`, `/api/v1`, `/apis`, `/apis/G`, `/apis/G/V`. The core
 *   kinds the cloud syncs to a node (Node, Pod, ConfigMap, Secret) are always
 *   listed; any other kind is listed while the store holds one. Verbs are `get`,
 *   `list`, `watch` only;
 * - get, list and watch (`?watch=1|true`) of those resources, cluster-wide or in
 *   a namespace, with `labelSelector` (equality and set-based) and
 *   `fieldSelector` (`metadata.name`, `metadata.namespace`; `spec.nodeName` and
 *   `status.phase` for pods).
 *
 * resourceVersion: a list's `metadata.resourceVersion` is the store's local
 * revision. Objects keep the resourceVersion the cloud gave them, so that what a
 * workload reads here matches what it reads from the cloud. The store keeps no
 * history, so a watch:
 * - without resourceVersion, or with "0", starts with the current objects as
 *   ADDED events, then follows changes;
 * - from the current local revision (what the last list returned) sends only
 *   newer changes;
 * - from any other value (an older revision, or an object's cloud
 *   resourceVersion) gets one ERROR event with a 410 Expired Status, as
 *   Kubernetes sends for a compacted revision; clients such as client-go's
 *   reflector then list again and watch from the list's revision. With
 *   `allowWatchBookmarks=true` a BOOKMARK carrying the local revision follows each
 *   batch of events and ends a watch that times out (`timeoutSeconds`), so a
 *   reflector resumes exactly instead of relisting. (An object's cloud
 *   resourceVersion that happens to equal the local revision would be taken as a
 *   local revision; bookmarks avoid that.)
 * `limit` and `continue` are ignored: a list is always complete (the node's view
 * is small). Writes are 405: workloads write through the cloud.
 *
 * Security: anything on the node that can reach loopback can read what the node
 * holds, Secrets included (as with the kubelet's read-only port of old); that is
 * why the listener refuses to bind anywhere but loopback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { notFound, status, statusFromError } from '../apiserver/status.ts';
import type { KubeObject } from '../api/types/meta.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type Requirement,
} from '../api/validation/selectors.ts';
import { InvalidError, isInvalid, NotFoundError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { versionInfo } from '../util/version.ts';
import type { LocalEvent, LocalStore } from './local-store.ts';

export interface LocalApiOptions {
  /** The node's view to serve; read only. */
  store: LocalStore;
  /** `127.0.0.1` (default), `::1` or `localhost`; anything else is refused. */
  host?: string;
  /** The port; 0 picks a free one (tests). KubeEdge's MetaServer uses 10550. */
  port: number;
  log: Logger;
  /** This node's name, for logs. */
  nodeName: string;
  /** Longest request line plus headers accepted. Default 8 KiB. */
  maxHeaderBytes?: number;
  /** Bytes a slow watcher may have unsent before it is dropped. Default 16 MiB. */
  maxWatchBacklogBytes?: number;
}

export interface LocalApi {
  /** The port bound (useful with port 0). */
  readonly port: number;
  /** Stops listening and ends every open watch. Idempotent. */
  close(): Promise<void>;
}

/** What a stored kind is served as. */
interface ResourceInfo {
  kind: string;
  group: string;
  version: string;
  /** The plural, lower case: `pods`. */
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
}

/** Kinds the node may hold, by the name the store files them under. */
const KNOWN_KINDS: readonly ResourceInfo[] = [
  core('Node', 'nodes', false, ['no']),
  core('Pod', 'pods', true, ['po']),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Secret', 'secrets', true),
  core('Service', 'services', true, ['svc']),
  core('Endpoints', 'endpoints', true, ['ep']),
  core('ServiceAccount', 'serviceaccounts', true, ['sa']),
  core('Namespace', 'namespaces', false, ['ns']),
  core('PersistentVolume', 'persistentvolumes', false, ['pv']),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  core('Event', 'events', true, ['ev']),
  {
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    namespaced: true,
  },
  {
    kind: 'Lease',
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    namespaced: true,
  },
];

/** Served even while the store holds none: what the cloud syncs to every node. */
const ALWAYS_SERVED = new Set(['Node', 'Pod', 'ConfigMap', 'Secret']);

const VERBS = ['get', 'list', 'watch'];

function core(
  kind: string,
  resource: string,
  namespaced: boolean,
  shortNames?: string[],
): ResourceInfo {
  return { kind, group: '', version: 'v1', resource, namespaced, shortNames };
}

/** apiVersion as objects carry it: `v1` for the core group, `group/version` otherwise. */
function apiVersion(r: ResourceInfo): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The English plural Kubernetes derives for a kind it has no table entry for. */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/**
 * The resources served at the store's current revision: the known kinds always
 * served, plus every kind the store holds. Recomputed only when the revision
 * moves (reading the inventory reads no object bodies).
 */
class Catalog {
  readonly #store: LocalStore;
  #revision = -1;
  #resources: ResourceInfo[] = [];

  constructor(store: LocalStore) {
    this.#store = store;
  }

  resources(): ResourceInfo[] {
    const revision = this.#store.revision();
    if (revision === this.#revision) return this.#resources;
    const present = new Map<string, boolean>();
    for (const e of this.#store.inventory()) {
      if (!present.has(e.kind)) present.set(e.kind, e.namespace !== '');
    }
    const out: ResourceInfo[] = [];
    for (const r of KNOWN_KINDS) {
      if (ALWAYS_SERVED.has(r.kind) || present.has(r.kind)) out.push(r);
    }
    for (const [kind, namespaced] of present) {
      if (KNOWN_KINDS.some((r) => r.kind === kind)) continue;
      // A kind without a table entry: its group and version are the ones its
      // objects carry.
      const sample = this.#store.list(kind)[0];
      const av = typeof sample?.apiVersion === 'string' ? sample.apiVersion : 'v1';
      const slash = av.indexOf('/');
      out.push({
        kind,
        group: slash < 0 ? '' : av.slice(0, slash),
        version: slash < 0 ? av : av.slice(slash + 1),
        resource: pluralOf(kind),
        namespaced,
      });
    }
    this.#resources = out;
    this.#revision = revision;
    return out;
  }

  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.resources().find(
      (r) => r.group === group && r.version === version && r.resource === resource,
    );
  }
}

/** A request the path names: one resource, maybe one namespace and one name. */
interface Target {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
}

type Route =
  | { type: 'json'; body: unknown }
  | { type: 'text'; body: string }
  | { type: 'resource'; target: Target };

function badRequest(message: string, cause?: unknown): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest', cause });
}

function notAcceptable(): InvalidError {
  return new InvalidError('only application/json is served', { reason: 'NotAcceptable' });
}

/**
 * True if `accept` allows a plain JSON answer. `application/json;as=Table` alone
 * does not: that asks for a Table, which is not served.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/json' && type !== 'application/*' && type !== '*/*') return false;
    return !params.some((p) => p.startsWith('as='));
  });
}

const FIELDS_BY_KIND: Record<string, (obj: KubeObject) => Record<string, string>> = {
  Pod: (obj) => {
    const o = obj as KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };
    return { 'spec.nodeName': o.spec?.nodeName ?? '', 'status.phase': o.status?.phase ?? '' };
  },
};

function objectFields(info: ResourceInfo, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (info.namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  const more = FIELDS_BY_KIND[info.kind];
  return more ? { ...fields, ...more(obj) } : fields;
}

/** The predicate of a request's labelSelector and fieldSelector; throws 400 for bad ones. */
function selection(info: ResourceInfo, query: URLSearchParams): (obj: KubeObject) => boolean {
  let labels: Requirement[];
  let fields: FieldRequirement[];
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? '');
    fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  } catch (err) {
    if (isInvalid(err)) throw badRequest(err.message, err);
    throw err;
  }
  const known = Object.keys(objectFields(info, { metadata: {} }));
  for (const f of fields) {
    if (!known.includes(f.field)) throw badRequest(`field label not supported: ${f.field}`);
  }
  return (obj) =>
    matchesLabels(labels, obj.metadata.labels) &&
    (fields.length === 0 || matchesFields(fields, objectFields(info, obj)));
}

/** The object as served: with apiVersion and kind, which stored objects may lack. */
function served(info: ResourceInfo, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersion(info), kind: info.kind };
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** One open watch: the events of one resource it still has to write. */
interface Watcher {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  matches: (obj: KubeObject) => boolean;
  /** Objects the client was told about and not told were deleted (for selector moves). */
  known: Set<string>;
  bookmarks: boolean;
  write: (events: WatchEvent[]) => void;
  end: () => void;
}

function inScope(w: Watcher, obj: KubeObject): boolean {
  if (w.namespace !== undefined && (obj.metadata.namespace ?? '') !== w.namespace) return false;
  if (w.name !== undefined && obj.metadata.name !== w.name) return false;
  return true;
}

/**
 * What a watcher is sent for one store event. A MODIFIED that takes an object out
 * of the selection is a DELETED for this watcher, one that brings it in an ADDED,
 * as Kubernetes does.
 */
function translate(w: Watcher, e: LocalEvent): WatchEvent | undefined {
  if (e.kind !== w.info.kind || !inScope(w, e.object)) return undefined;
  const key = keyOf(e.object);
  const had = w.known.has(key);
  const object = served(w.info, e.object);
  if (e.type === 'DELETED') {
    if (!had) return undefined;
    w.known.delete(key);
    return { type: 'DELETED', object };
  }
  const now = w.matches(e.object);
  if (now) {
    w.known.add(key);
    return { type: had ? 'MODIFIED' : 'ADDED', object };
  }
  if (!had) return undefined;
  w.known.delete(key);
  return { type: 'DELETED', object };
}

/** Starts the local API; rejects when the host is not loopback or the port is taken. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new InvalidError(
      `the local API serves the node's objects (Secrets included) without authentication, so it binds to loopback only (127.0.0.1 or ::1), not ${JSON.stringify(host)}`,
    );
  }
  const { store } = options;
  const log = options.log.child({ component: 'local-api', node: options.nodeName });
  const catalog = new Catalog(store);
  const maxBacklog = options.maxWatchBacklogBytes ?? 16 * 1024 * 1024;
  const watchers = new Set<Watcher>();
  const sockets = new Set<Socket>();

  const unwatch = store.watch((events) => {
    for (const w of [...watchers]) {
      const out: WatchEvent[] = [];
      for (const e of events) {
        const t = translate(w, e);
        if (t) out.push(t);
      }
      if (out.length > 0 && w.bookmarks) out.push(bookmark(w.info, events[0]!.revision));
      if (out.length > 0) w.write(out);
    }
  });

  function bookmark(info: ResourceInfo, revision: number): WatchEvent {
    return {
      type: 'BOOKMARK',
      object: {
        apiVersion: apiVersion(info),
        kind: info.kind,
        metadata: { resourceVersion: String(revision) },
      },
    };
  }

  /** Resolves a path to what it names; throws NotFound for anything else. */
  function route(path: string): Route {
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      return { type: 'text', body: 'ok' };
    }
    if (path === '/version') {
      return { type: 'json', body: versionInfo() };
    }
    const parts = path.split('/').slice(1);
    if (parts.some((p) => p === '')) throw notFound();
    let segs: string[];
    let group: string;
    let version: string;
    if (parts[0] === 'api') {
      if (parts.length === 1) {
        return {
          type: 'json',
          body: {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [
              {
                clientCIDR: '0.0.0.0/0',
                serverAddress: `${host.includes(':') ? `[${host}]` : host}:${String(port)}`,
              },
            ],
          },
        };
      }
      if (parts[1] !== 'v1') throw notFound();
      group = '';
      version = 'v1';
      segs = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return { type: 'json', body: groupList() };
      const g = groupList().groups.find((x) => x.name === parts[1]);
      if (!g) throw notFound();
      if (parts.length === 2)
        return { type: 'json', body: { kind: 'APIGroup', apiVersion: 'v1', ...g } };
      if (!g.versions.some((v) => v.version === parts[2])) throw notFound();
      group = parts[1]!;
      version = parts[2]!;
      segs = parts.slice(3);
    } else {
      throw notFound();
    }
    if (segs.length === 0) return { type: 'json', body: resourceList(group, version) };
    // [res] | [res, name] | [namespaces, ns, res] | [namespaces, ns, res, name]
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      const info = catalog.find(group, version, segs[2]!);
      if (!info?.namespaced || segs.length > 4) throw notFound();
      return { type: 'resource', target: { info, namespace: segs[1], name: segs[3] } };
    }
    const info = catalog.find(group, version, segs[0]!);
    if (!info || segs.length > 2) throw notFound();
    // A namespaced resource has no cluster-wide get by name.
    if (segs.length === 2 && info.namespaced) throw notFound();
    return { type: 'resource', target: { info, name: segs[1] } };
  }

  function resourceList(group: string, version: string): unknown {
    const resources = catalog
      .resources()
      .filter((r) => r.group === group && r.version === version)
      .map((r) => ({
        name: r.resource,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      }));
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources,
    };
  }

  function groupList(): {
    kind: string;
    apiVersion: string;
    groups: {
      name: string;
      versions: { groupVersion: string; version: string }[];
      preferredVersion: { groupVersion: string; version: string };
    }[];
  } {
    const byGroup = new Map<string, Set<string>>();
    for (const r of catalog.resources()) {
      if (r.group === '') continue;
      const set = byGroup.get(r.group) ?? new Set<string>();
      set.add(r.version);
      byGroup.set(r.group, set);
    }
    const groups = [...byGroup]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, versions]) => {
        const vs = [...versions].sort().map((version) => ({
          groupVersion: `${name}/${version}`,
          version,
        }));
        return { name, versions: vs, preferredVersion: vs[0]! };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  function serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): void {
    const { info, namespace, name } = target;
    const watch = query.get('watch');
    if (watch === '1' || watch === 'true') {
      startWatch(req, res, target, query);
      return;
    }
    if (name !== undefined) {
      const obj = store.get(info.kind, namespace ?? '', name);
      if (!obj) {
        const what = info.group === '' ? info.resource : `${info.resource}.${info.group}`;
        throw new NotFoundError(`${what} "${name}" not found`, {
          name,
          kind: info.resource,
          group: info.group,
        });
      }
      sendJson(res, 200, served(info, obj));
      return;
    }
    const matches = selection(info, query);
    const items = store
      .list(info.kind, namespace)
      .filter(matches)
      .map((o) => served(info, o));
    sendJson(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: apiVersion(info),
      metadata: { resourceVersion: String(store.revision()) },
      items,
    });
  }

  function startWatch(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
  ): void {
    const { info, namespace, name } = target;
    let matches = selection(info, query);
    if (name !== undefined) {
      // A watch of one object is a watch with metadata.name=NAME (what kubectl
      // get NAME --watch asks for as a field selector anyway).
      const selected = matches;
      matches = (o) => o.metadata.name === name && selected(o);
    }
    const timeoutRaw = query.get('timeoutSeconds');
    const timeoutSeconds = timeoutRaw === null ? undefined : Number(timeoutRaw);
    if (
      timeoutSeconds !== undefined &&
      !(Number.isInteger(timeoutSeconds) && timeoutSeconds >= 0)
    ) {
      throw badRequest(`invalid timeoutSeconds: ${JSON.stringify(timeoutRaw)}`);
    }
    const rv = query.get('resourceVersion') ?? '';
    const revision = store.revision();
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
    });
    // Headers now: a client waits for them before it reads events.
    res.flushHeaders();
    const writeEvents = (events: WatchEvent[]): void => {
      res.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    };
    if (rv !== '' && rv !== '0' && rv !== String(revision)) {
      writeEvents([
        {
          type: 'ERROR',
          object: status(
            410,
            'Expired',
            `too old resource version: ${rv} (${String(revision)}); the local API keeps no history: list again and watch from the list's resourceVersion`,
          ),
        },
      ]);
      res.end();
      return;
    }
    // The listing below and joining `watchers` happen in one synchronous step, so
    // no change falls between them.
    const current = store.list(info.kind, namespace).filter(matches);
    let timer: NodeJS.Timeout | undefined;
    const w: Watcher = {
      info,
      namespace,
      name,
      matches,
      known: new Set(current.map(keyOf)),
      bookmarks: query.get('allowWatchBookmarks') === 'true',
      write: (events) => {
        writeEvents(events);
        if (res.writableLength > maxBacklog) {
          log.warn({ backlog: res.writableLength }, 'dropping a watcher that does not read');
          w.end();
          req.socket.destroy();
        }
      },
      end: () => {
        if (!watchers.delete(w)) return;
        if (timer) clearTimeout(timer);
        if (!res.writableEnded) res.end();
      },
    };
    if (rv === '' || rv === '0') {
      writeEvents(current.map((o) => ({ type: 'ADDED', object: served(info, o) })));
    }
    watchers.add(w);
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      timer = setTimeout(() => {
        if (w.bookmarks) writeEvents([bookmark(info, store.revision())]);
        w.end();
      }, timeoutSeconds * 1000);
    }
    res.on('close', w.end);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const method = req.method ?? 'GET';
      const hasBody =
        req.headers['transfer-encoding'] !== undefined ||
        (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
      if (hasBody) {
        // Nothing here takes a body; do not read one, and do not keep a connection
        // whose unread body would be taken for the next request.
        res.shouldKeepAlive = false;
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch (err) {
        throw badRequest('malformed request URL', err);
      }
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
      if (method !== 'GET' && method !== 'HEAD') {
        throw new InvalidError(
          `${method} is not allowed: the local API is read-only (write through the cloud API)`,
          { reason: 'MethodNotAllowed' },
        );
      }
      if (hasBody) {
        throw new InvalidError('a GET takes no body', { reason: 'RequestEntityTooLarge' });
      }
      const r = route(path);
      if (r.type === 'text') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(r.body);
        return;
      }
      if (!acceptsJson(req.headers.accept)) throw notAcceptable();
      if (r.type === 'json') {
        sendJson(res, 200, r.body);
        return;
      }
      serveResource(req, res, r.target, url.searchParams);
    } catch (err) {
      const answer = statusFromError(err);
      if (answer.code >= 500) log.error({ err }, 'local API request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, answer.code, answer.status);
    }
  }

  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderBytes ?? 8 * 1024,
      headersTimeout: 10_000,
      // Watches stay open; only the wait for a request is bounded.
      requestTimeout: 0,
    },
    handle,
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const text = code === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${String(code)} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  });

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: options.port }, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  } catch (err) {
    unwatch();
    throw err;
  }
  server.on('error', (err) => log.error({ err }, 'local API server error'));
  log.info({ host, port }, 'local API listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        unwatch();
        for (const w of [...watchers]) w.end();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}
