/**
 * The cloud hub: the HTTPS listener edge nodes dial (`--hub-port`). It serves
 * the join endpoint (CA download, token + CSR -> node certificate) and the
 * WebSocket endpoint where each joined node keeps one session:
 *
 * - identity from the client certificate (`CN=system:node:<name>`,
 *   `O=system:nodes`), checked against the node name the edge claims;
 * - downward sync of the node's view (./view.ts): the difference to the
 *   edge's inventory, then live changes, in batches that the edge acknowledges
 *   once persisted, with a bounded window and a bounded backlog (an edge that
 *   cannot keep up is disconnected and catches up by diff on reconnect);
 * - API requests from the node (status, events), authorized as the node by
 *   the same authorizer and admission as the HTTPS API;
 * - multiplexed streams to the node (../streams.ts), opened with `openStream`
 *   for kubectl logs, exec, attach and port-forward;
 * - heartbeats, which renew the node's Lease (so an idle node costs a few
 *   bytes per heartbeat, not a Lease round trip), certificate renewal, and a
 *   per-connection rate limit.
 *
 * Load shedding: while too many sessions are in their initial sync, or too many
 * nodes are connected, new connections get 503 with Retry-After; edges wait
 * that long plus jitter, so a cloud restart does not become a reconnect storm.
 */
import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Client } from '../../api/client.ts';
import type { Lease } from '../../api/types/coordination.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { identityFromPeerCertificate } from '../../pki/index.ts';
import {
  errorMessage,
  ForbiddenError,
  isAlreadyExists,
  isConflict,
  isNotFound,
  UnavailableError,
} from '../../util/errors.ts';
import { rfc3339Micro } from '../../util/time.ts';
import type { Logger } from '../../util/log.ts';
import { VERGE_VERSION } from '../../util/version.ts';
import {
  CloseCode,
  decodeEdgeMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeMessage,
  encodeSync,
  HUB_PATH,
  PROTOCOL,
  PROTOCOL_VERSION,
  ProtocolError,
  toWireError,
  type ApiRequest,
  type Change,
  type CloudMessage,
  type EdgeMessage,
  type StreamKind,
  type WireError,
} from '../protocol.ts';
import { StreamMux, type HubStream } from '../streams.ts';
import { NodeView, ViewIndex } from './view.ts';

/** Who a node is, in the API's terms. */
export interface NodeUser {
  name: string;
  groups: string[];
}

export interface HubAuthorization {
  /** Decides whether `user` may make `request`; returns a reason when not. */
  authorize(user: NodeUser, request: ApiRequest): Promise<{ allowed: boolean; reason?: string }>;
  /** A client acting as `user` (admission sees the node, as over HTTPS). */
  clientFor(user: NodeUser): Client;
}

export interface CloudHubOptions {
  host: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  tls: { certPem: string; keyPem: string; caPem: string };
  /** The controller manager's client: informers and Lease renewal. */
  client: Client;
  authorization: HubAuthorization;
  /** Serves `/join/...` (token + CSR -> certificate); absent: 404. */
  joinHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Signs a node's renewal CSR (over its authenticated session). */
  renewCertificate?: (node: string, csrPem: string) => Promise<string>;
  log: Logger;
  /** Seconds between edge heartbeats; 3 missed close the session. Default 10. */
  heartbeatSeconds?: number;
  /** Lease duration written on renewal. Default 40. */
  leaseDurationSeconds?: number;
  /** Largest message accepted. Default 8 MiB. */
  maxMessageBytes?: number;
  /** Messages per second per connection (token bucket). Default 100. */
  rateLimit?: number;
  /** Token bucket size. Default 1000. */
  rateBurst?: number;
  /** Sessions in initial sync at once before new ones are told to retry. Default 100. */
  maxConcurrentSyncs?: number;
  /** Connected nodes at most. Default 20000. */
  maxSessions?: number;
  /** Sync batches sent and not yet acknowledged, per session. Default 8. */
  syncWindow?: number;
  /** Approximate bytes per sync batch. Default 512 KiB. */
  batchBytes?: number;
  /** Changes queued for a slow edge before it is disconnected. Default 100000. */
  maxBacklog?: number;
}

/** Counters for /metrics and tests. */
export interface HubStats {
  sessions: number;
  syncing: number;
  shed: number;
  refused: number;
  bytesIn: number;
  bytesOut: number;
}

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

export class CloudHub {
  readonly #options: CloudHubOptions;
  readonly #log: Logger;
  readonly #https: Server;
  readonly #wss: WebSocketServer;
  readonly #index: ViewIndex;
  readonly #sessions = new Map<string, Session>();
  #syncing = 0;
  #started = false;
  #signal?: AbortSignal;
  readonly stats: HubStats = {
    sessions: 0,
    syncing: 0,
    shed: 0,
    refused: 0,
    bytesIn: 0,
    bytesOut: 0,
  };

  constructor(options: CloudHubOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'hub' });
    this.#index = new ViewIndex(options.client, this.#log);
    const maxPayload = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      perMessageDeflate: { threshold: 256 },
      handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
    });
    this.#https = createServer(
      {
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        ca: options.tls.caPem,
        // The join endpoint has no client certificate yet; the WebSocket
        // endpoint checks `socket.authorized` itself.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (req, res) => this.#onRequest(req, res),
    );
    this.#https.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
    this.#https.on('tlsClientError', (err) =>
      this.#log.debug({ err: errorMessage(err) }, 'TLS handshake failed'),
    );
  }

  /** The port listened on (after start). */
  get port(): number {
    const addr = this.#https.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  get heartbeatSeconds(): number {
    return this.#options.heartbeatSeconds ?? 10;
  }

  /** Node names with a session now. */
  connectedNodes(): string[] {
    return [...this.#sessions.keys()];
  }

  /**
   * Opens a stream to `node`'s agent (see ../streams.ts). Throws Unavailable
   * when the node has no session (or has not said hello yet); a refusal by the
   * node arrives as the stream's 'close' with its error. The stream closes
   * with Unavailable if the connection is lost.
   */
  openStream(node: string, kind: StreamKind, params: Record<string, unknown> = {}): HubStream {
    const session = this.#sessions.get(node);
    if (!session) throw new UnavailableError(`node "${node}" is not connected`);
    return session.openStream(kind, params);
  }

  /**
   * Syncs the informers, then listens. Resolves once listening; on abort it
   * closes every session (with TryLater, so edges back off) and the listener.
   */
  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    await this.#index.start(signal);
    await new Promise<void>((resolve, reject) => {
      this.#https.once('error', reject);
      this.#https.listen(this.#options.port, this.#options.host, () => {
        this.#https.off('error', reject);
        resolve();
      });
    });
    this.#started = true;
    signal.addEventListener('abort', () => this.#stop(), { once: true });
  }

  #stop(): void {
    for (const s of this.#sessions.values()) {
      s.close(CloseCode.TryLater, 'server shutting down', 5);
    }
    this.#wss.close();
    this.#https.close();
    this.#https.closeAllConnections?.();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/join/') && this.#options.joinHandler) {
      this.#options.joinHandler(req, res);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const message = path === HUB_PATH ? 'this endpoint wants a WebSocket upgrade' : 'not found';
    res
      .writeHead(path === HUB_PATH ? 426 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ kind: 'Status', status: 'Failure', message }));
  }

  #refuse(
    socket: Duplex,
    code: number,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', code, message });
    const lines = [
      `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== HUB_PATH) return this.#refuse(socket, 400, `no WebSocket endpoint at ${path}`);
    const tls = socket as TLSSocket;
    const remote = `${tls.remoteAddress}:${tls.remotePort}`;
    if (!tls.authorized) {
      this.stats.refused++;
      this.#log.warn(
        { remote, reason: tls.authorizationError },
        'hub connection without a valid node certificate',
      );
      return this.#refuse(
        socket,
        401,
        'a node certificate signed by the cluster CA is required (join with a token first)',
      );
    }
    const identity = identityFromPeerCertificate(tls.getPeerCertificate());
    const node = identity?.user.startsWith(NODE_PREFIX)
      ? identity.user.slice(NODE_PREFIX.length)
      : '';
    if (!identity || !node || !identity.groups.includes(NODES_GROUP)) {
      this.stats.refused++;
      this.#log.warn(
        { remote, user: identity?.user },
        'hub connection with a non-node certificate',
      );
      return this.#refuse(
        socket,
        403,
        `the certificate is not a node's (want CN=${NODE_PREFIX}<name>, O=${NODES_GROUP})`,
      );
    }
    const syncing = this.#syncing >= (this.#options.maxConcurrentSyncs ?? 100);
    const full =
      this.#sessions.size >= (this.#options.maxSessions ?? 20_000) && !this.#sessions.has(node);
    if (!this.#started || syncing || full) {
      this.stats.shed++;
      const retry = String(5 + Math.floor(Math.random() * 10));
      this.#log.info({ node, syncing: this.#syncing }, 'too many nodes connecting; asked to retry');
      return this.#refuse(socket, 503, 'too many nodes are connecting; retry later', {
        'Retry-After': retry,
      });
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(
        this,
        node,
        { name: identity.user, groups: identity.groups },
        ws,
        remote,
      );
      const old = this.#sessions.get(node);
      if (old) old.close(CloseCode.Replaced, 'replaced by a newer connection from the same node');
      this.#sessions.set(node, session);
      this.stats.sessions = this.#sessions.size;
    });
  }

  // ---- used by sessions ----
  get options(): CloudHubOptions {
    return this.#options;
  }
  get index(): ViewIndex {
    return this.#index;
  }
  get log(): Logger {
    return this.#log;
  }
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }
  syncStarted(): void {
    this.stats.syncing = ++this.#syncing;
  }
  syncEnded(): void {
    this.stats.syncing = --this.#syncing;
  }
  ended(session: Session): void {
    if (this.#sessions.get(session.node) === session) this.#sessions.delete(session.node);
    this.stats.sessions = this.#sessions.size;
  }
}

/** One connected node. */
class Session {
  readonly node: string;
  readonly #hub: CloudHub;
  readonly #user: NodeUser;
  readonly #ws: WebSocket;
  readonly #log: Logger;
  #view?: NodeView;
  #closed = false;
  #syncing = false;
  /** Changes not yet sent. */
  #backlog: Change[] = [];

  #seq = 0;
  readonly #inFlight = new Set<number>();
  #lastSeen = Date.now();
  #lastLease = 0;
  #leaseBusy = false;
  /** The Lease as last written, so the next renewal needs no read. */
  #lease?: Lease;
  /** The API as this node (authorization and admission see the node). */
  readonly #client: Client;
  #tokens: number;
  #tokensAt = Date.now();
  #violations = 0;
  #violationsSince = 0;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #streams: StreamMux;

  constructor(hub: CloudHub, node: string, user: NodeUser, ws: WebSocket, remote: string) {
    this.#hub = hub;
    this.node = node;
    this.#user = user;
    this.#client = hub.options.authorization.clientFor(user);
    this.#ws = ws;
    this.#log = hub.log.child({ node, remote });
    this.#tokens = hub.options.rateBurst ?? 1000;
    this.#streams = new StreamMux({
      send: {
        text: (message) => this.#send(message),
        binary: (frame) => {
          hub.stats.bytesOut += frame.length;
          ws.send(frame, { binary: true, compress: false });
        },
        bufferedAmount: () => ws.bufferedAmount,
      },
      log: this.#log,
    });
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    ws.on('error', (err) => this.#log.warn({ err: errorMessage(err) }, 'hub connection error'));
    const hb = hub.heartbeatSeconds * 1000;
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastSeen > 3 * hb) {
        this.#log.warn('no heartbeat for 3 intervals; closing (half-open connection?)');
        this.close(CloseCode.Timeout, 'no heartbeat');
        this.#ws.terminate();
      } else if (this.#ws.readyState === this.#ws.OPEN) {
        // An unsolicited pong: proof of life for the edge that needs no answer
        // (the edge's own heartbeats are the other direction's).
        this.#ws.pong();
      }
    }, hb);
    this.#timer.unref();
    // A connection that never says hello is dropped too.
    this.#log.info('edge connected');
  }

  openStream(kind: StreamKind, params: Record<string, unknown>): HubStream {
    if (this.#closed || !this.#view) {
      throw new UnavailableError(`node "${this.node}" is not connected (still connecting)`);
    }
    return this.#streams.open(kind, params);
  }

  close(code: number, reason: string, retryAfterSeconds?: number): void {
    if (this.#closed) return;
    if (code !== CloseCode.Normal && this.#ws.readyState === this.#ws.OPEN) {
      const error: WireError = {
        code: code === CloseCode.TryLater ? 503 : 400,
        reason: 'Closed',
        message: reason,
      };
      this.#send({ t: 'error', error, retryAfterSeconds });
    }
    this.#ws.close(code, reason.slice(0, 120));
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#streams.closeAll(`the connection to node "${this.node}" was lost`);
    if (this.#view) this.#hub.index.detach(this.#view);
    if (this.#syncing) {
      this.#syncing = false;
      this.#hub.syncEnded();
    }
    this.#hub.ended(this);
  }

  #onClose(code: number, reason: string): void {
    this.#log.info({ code, reason }, 'edge disconnected');
    this.#finish();
  }

  #send(message: CloudMessage): void {
    this.#sendText(encodeMessage(message));
  }

  #sendText(text: string): void {
    this.#hub.stats.bytesOut += text.length;
    this.#ws.send(text);
  }

  #allow(): boolean {
    const rate = this.#hub.options.rateLimit ?? 100;
    const burst = this.#hub.options.rateBurst ?? 1000;
    const now = Date.now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * rate);
    this.#tokensAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    // Refusals are counted per 10 s window: a flood that the refill lets a
    // message through now and then is still a flood.
    if (now - this.#violationsSince > 10_000) {
      this.#violationsSince = now;
      this.#violations = 0;
    }
    this.#violations++;
    return false;
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    this.#lastSeen = Date.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    this.#hub.stats.bytesIn += buf.length;
    if (isBinary) {
      try {
        this.#streams.handleData(buf);
      } catch (err) {
        this.#protocolError(err);
      }
      return;
    }
    let message: EdgeMessage;
    try {
      message = decodeEdgeMessage(buf.toString('utf8'));
    } catch (err) {
      this.#protocolError(err);
      return;
    }
    if (message.t === 'open' || message.t === 'window' || message.t === 'close') {
      // Not rate limited: window updates are bounded by the data the cloud
      // sent, and dropping one (or a close) would stall or leak a stream.
      this.#streams.handleControl(message);
      return;
    }
    if (!this.#allow()) {
      if (message.t === 'req' || message.t === 'renew') {
        this.#send({
          t: 'res',
          id: message.id,
          ok: false,
          error: {
            code: 429,
            reason: 'TooManyRequests',
            message: 'rate limit exceeded; slow down',
          },
        });
      }
      if (this.#violations > (this.#hub.options.rateBurst ?? 1000)) {
        this.#log.warn('message flood; closing the connection');
        this.close(CloseCode.RateLimited, 'rate limit exceeded', 10);
      }
      return;
    }
    if (!this.#view && message.t !== 'hello') {
      this.#protocolError(new ProtocolError(`"${message.t}" before "hello"`));
      return;
    }
    switch (message.t) {
      case 'hello':
        this.#onHello(message.v, message.node, message.inventory);
        return;
      case 'ack':
        this.#inFlight.delete(message.seq);
        this.#pump();
        return;
      case 'hb':
        this.#renewLease();
        return;
      case 'req':
        void this.#onRequest(message.id, message);
        return;
      case 'renew':
        void this.#onRenew(message.id, message.csr);
        return;
    }
  }

  #protocolError(err: unknown): void {
    this.#log.warn({ err: errorMessage(err) }, 'malformed message from the edge; closing');
    this.close(CloseCode.ProtocolError, `malformed message: ${errorMessage(err)}`);
  }

  #onHello(version: number, node: string, inventory: [string, string, string, string][]): void {
    if (this.#view) {
      this.#protocolError(new ProtocolError('a second hello'));
      return;
    }
    if (version !== PROTOCOL_VERSION) {
      this.close(
        CloseCode.ProtocolError,
        `protocol version ${version} is not supported (want ${PROTOCOL_VERSION})`,
      );
      return;
    }
    if (node !== this.node) {
      this.#log.warn({ claimed: node }, 'edge claimed another node name than its certificate');
      this.close(CloseCode.Forbidden, `this certificate is for node "${this.node}", not "${node}"`);
      return;
    }
    this.#send({
      t: 'welcome',
      v: PROTOCOL_VERSION,
      node: this.node,
      serverVersion: VERGE_VERSION,
      heartbeatSeconds: this.#hub.heartbeatSeconds,
      maxMessageBytes: this.#hub.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    });
    this.#syncing = true;
    this.#hub.syncStarted();
    const view = new NodeView(this.node, this.#hub.index, (changes) => this.#queue(changes));
    this.#view = view;
    this.#hub.index.attach(view);
    const diff = view.start(inventory);
    this.#log.info(
      { held: inventory.length, sending: diff.length, view: view.size },
      'initial sync',
    );
    this.#queue(diff);

    this.#pump();
    this.#renewLease();
  }

  #queue(changes: Change[]): void {
    // Not push(...changes): an initial diff can exceed the engine's argument limit.
    for (const c of changes) this.#backlog.push(c);
    if (this.#backlog.length > (this.#hub.options.maxBacklog ?? 100_000)) {
      this.#log.warn({ backlog: this.#backlog.length }, 'edge is not keeping up; disconnecting it');
      this.close(CloseCode.TryLater, 'too far behind; reconnect to catch up by difference', 1);
      return;
    }
    this.#pump();
  }

  /** Sends batches while the window allows; sends `ready` after the initial diff. */
  #pump(): void {
    if (this.#closed || !this.#view) return;
    const window = this.#hub.options.syncWindow ?? 8;
    const limit = this.#hub.options.batchBytes ?? 512 * 1024;
    let next = 0;
    while (next < this.#backlog.length && this.#inFlight.size < window) {
      // Each change is serialized once: its text both sizes the batch and is sent.
      const batch: string[] = [];
      let bytes = 0;
      while (next < this.#backlog.length) {
        const text = JSON.stringify(this.#backlog[next]);
        if (batch.length > 0 && bytes + text.length > limit) break;
        batch.push(text);
        bytes += text.length;
        next++;
      }
      const seq = ++this.#seq;
      this.#inFlight.add(seq);
      this.#sendText(encodeSync(seq, batch));
    }
    if (next > 0) this.#backlog = this.#backlog.slice(next);
    if (this.#syncing && this.#backlog.length === 0 && this.#inFlight.size === 0) {
      this.#syncing = false;
      this.#hub.syncEnded();
      this.#send({ t: 'ready', objects: this.#view.size });
      this.#log.info({ objects: this.#view.size }, 'edge in sync');
    }
  }

  /** Renews the node's Lease, at most once per heartbeat interval. */
  #renewLease(): void {
    const now = Date.now();
    const interval = this.#hub.heartbeatSeconds * 1000;
    if (this.#leaseBusy || now - this.#lastLease < interval * 0.9) return;
    this.#leaseBusy = true;
    this.#lastLease = now;
    void renewLease(
      this.#hub.options.client,
      this.#hub.index,
      this.node,
      this.#hub.options.leaseDurationSeconds ?? 40,
      this.#lease,
    )
      .then((lease) => (this.#lease = lease))
      .catch((err: unknown) => this.#log.warn({ err: errorMessage(err) }, 'lease renewal failed'))
      .finally(() => (this.#leaseBusy = false));
  }

  async #onRequest(id: number, request: ApiRequest): Promise<void> {
    try {
      const decision = await this.#hub.options.authorization.authorize(this.#user, request);
      if (!decision.allowed) {
        this.#log.warn(
          {
            verb: request.verb,
            resource: request.resource.resource,
            namespace: request.namespace,
            name: request.name,
            reason: decision.reason,
          },
          'request refused',
        );
        throw new ForbiddenError(
          `${request.resource.resource}${request.name ? ` "${request.name}"` : ''} is forbidden: User "${this.#user.name}" cannot ${request.verb} resource "${request.resource.resource}${request.subresource ? '/' + request.subresource : ''}"${request.namespace ? ` in the namespace "${request.namespace}"` : ''}: ${decision.reason ?? 'not allowed'}`,
        );
      }
      const body = await execute(this.#client, request);
      if (!this.#closed)
        this.#send(request.quiet ? { t: 'res', id, ok: true } : { t: 'res', id, ok: true, body });
    } catch (err) {
      if (!this.#closed) this.#send({ t: 'res', id, ok: false, error: toWireError(err) });
    }
  }

  async #onRenew(id: number, csr: string): Promise<void> {
    const renew = this.#hub.options.renewCertificate;
    try {
      if (!renew) throw new ForbiddenError('certificate renewal is not enabled on this server');
      const certificate = await renew(this.node, csr);
      this.#log.info('node certificate renewed');
      if (!this.#closed) this.#send({ t: 'res', id, ok: true, body: { certificate } });
    } catch (err) {
      this.#log.warn({ err: errorMessage(err) }, 'certificate renewal refused');
      if (!this.#closed) this.#send({ t: 'res', id, ok: false, error: toWireError(err) });
    }
  }
}

/** Runs an authorized node request through the API. */
export async function execute(client: Client, r: ApiRequest): Promise<unknown> {
  const gvr = r.resource;
  const name = r.name ?? '';
  switch (r.verb) {
    case 'get':
      return client.get(gvr, r.namespace, name);
    case 'list':
      return client.list(gvr, r.namespace, {
        fieldSelector: r.fieldSelector,
        labelSelector: r.labelSelector,
      });
    case 'create':
      return client.create(gvr, r.namespace, r.body as KubeObject);
    case 'update':
      return client.update(gvr, r.namespace, r.body as KubeObject, {
        subresource: r.subresource === 'status' ? 'status' : undefined,
      });
    case 'patch':
      return client.patch(gvr, r.namespace, name, r.patchType!, r.body, {
        subresource: r.subresource === 'status' ? 'status' : undefined,
      });
    case 'delete':
      return client.delete(gvr, r.namespace, name, (r.body ?? {}) as object);
  }
}

const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const LEASE_NAMESPACE = 'kube-node-lease';

/**
 * Creates or renews `node`'s Lease, owned by its Node (so it goes with it), and
 * returns it. With the Lease from the last renewal (`known`), a renewal is one
 * write; only a conflict or a missing Lease costs a read first.
 */
export async function renewLease(
  client: Client,
  index: ViewIndex,
  node: string,
  durationSeconds: number,
  known?: Lease,
): Promise<Lease> {
  const spec = {
    holderIdentity: node,
    leaseDurationSeconds: durationSeconds,
    renewTime: rfc3339Micro(new Date()),
  };
  const renew = (lease: Lease): Promise<Lease> =>
    client.update<Lease>(LEASES, LEASE_NAMESPACE, { ...lease, spec: { ...lease.spec, ...spec } });
  if (known) {
    try {
      return await renew(known);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
  try {
    return await renew(await client.get<Lease>(LEASES, LEASE_NAMESPACE, node));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const owner = index.get('Node', '', node);
  const body: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node,
      namespace: LEASE_NAMESPACE,
      ...(owner?.metadata.uid
        ? {
            ownerReferences: [
              { apiVersion: 'v1', kind: 'Node', name: node, uid: owner.metadata.uid },
            ],
          }
        : {}),
    },
    spec,
  };
  try {
    return await client.create<Lease>(LEASES, LEASE_NAMESPACE, body);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    return renew(await client.get<Lease>(LEASES, LEASE_NAMESPACE, node));
  }
}
