/**
 * The edge side of the cloud-edge link: dials the hub, says hello with the
 * local inventory, applies the cloud's sync batches (acknowledging each only
 * after `apply` has persisted it), sends heartbeats and API requests, and
 * reconnects with full-jitter backoff whenever the connection is lost.
 *
 * The link never decides what to store or send: the agent supplies
 * `inventory` and `apply`, and drains its outbox through `request`. Streams
 * the cloud opens (logs, exec, ...) go to `onStream`; each connection has its
 * own set, closed with Unavailable when the connection is lost.
 */
import { EventEmitter } from 'node:events';
import WebSocket, { type RawData } from 'ws';
import { realClock, sleep } from '../../util/clock.ts';
import { fullJitter, type BackoffOptions } from '../../util/backoff.ts';
import { errorMessage, UnavailableError } from '../../util/errors.ts';
import type { Logger } from '../../util/log.ts';
import {
  CloseCode,
  decodeCloudMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeMessage,
  fromWireError,
  HUB_PATH,
  PROTOCOL,
  PROTOCOL_VERSION,
  type ApiRequest,
  type Change,
  type CloudMessage,
  type EdgeMessage,
  type InventoryItem,
  type StreamOpenMessage,
} from '../protocol.ts';
import { StreamMux, type HubStream } from '../streams.ts';

export interface LinkCredentials {
  certPem: string;
  keyPem: string;
  caPem: string;
}

export interface EdgeLinkOptions {
  /** The hub, `https://host:port`. */
  server: string;
  node: string;
  agentVersion: string;
  /** Read at every (re)connect, so a renewed certificate is used next time. */
  credentials: () => LinkCredentials;
  /** What the edge holds now (sent in hello). */
  inventory: () => InventoryItem[];
  /** Persists a batch of changes; the batch is acknowledged once this returns. */
  apply: (changes: Change[]) => void | Promise<void>;
  log: Logger;
  backoff?: BackoffOptions;
  /** Largest message accepted. Default 8 MiB. */
  maxMessageBytes?: number;
  /** A request unanswered this long fails with Unavailable. Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * Serves a stream the cloud opened: attach listeners synchronously; a throw
   * refuses the stream with that error. Absent: streams are refused (Unavailable).
   */
  onStream?: (stream: HubStream, open: StreamOpenMessage) => void;
}

export interface LinkEvents {
  /** The WebSocket is open and hello was sent. */
  connected: [];
  /** The initial difference has been applied: the local store matches the cloud. */
  ready: [objects: number];
  /** The connection was lost (or could not be made); the next try is in `retryInMs`. */
  offline: [info: { reason: string; retryInMs: number }];
  /** The server refused our certificate or node name; retrying will not help by itself. */
  refused: [reason: string];
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class EdgeLink extends EventEmitter<LinkEvents> {
  readonly #o: EdgeLinkOptions;
  readonly #log: Logger;
  #ws?: WebSocket;
  #online = false;
  #ready = false;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();
  /** Messages are handled one after another (apply may be async). */
  #chain: Promise<void> = Promise.resolve();
  #heartbeatSeconds = 10;
  #lastSeen = 0;
  #retryAfterMs?: number;
  readonly stats = { bytesIn: 0, bytesOut: 0, connects: 0, batches: 0, changes: 0 };

  constructor(options: EdgeLinkOptions) {
    super();
    this.#o = options;
    this.#log = options.log.child({ component: 'link' });
  }

  /** True while connected and past the initial sync. */
  get ready(): boolean {
    return this.#ready;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Connects and stays connected until `signal` aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      const started = Date.now();
      const reason = await this.#connectOnce(signal);
      if (signal.aborted) break;
      // A connection that lasted a while resets the backoff.
      if (Date.now() - started > 60_000) attempt = 0;
      let wait = fullJitter(attempt++, this.#o.backoff);
      if (this.#retryAfterMs !== undefined) {
        // The server asked for this much; add jitter so a crowd does not return at once.
        wait =
          this.#retryAfterMs + fullJitter(0, { ...this.#o.backoff, baseMs: this.#retryAfterMs });
        this.#retryAfterMs = undefined;
      }
      this.emit('offline', { reason, retryInMs: wait });
      await sleep(realClock, wait, signal);
    }
  }

  /** One connection, from dial to close; resolves with why it ended. */
  #connectOnce(signal: AbortSignal): Promise<string> {
    return new Promise((resolve) => {
      let creds: LinkCredentials;
      try {
        creds = this.#o.credentials();
      } catch (err) {
        resolve(`cannot read the node certificate: ${errorMessage(err)}`);
        return;
      }
      const url = this.#o.server.replace(/^http/, 'ws').replace(/\/$/, '') + HUB_PATH;
      const ws = new WebSocket(url, PROTOCOL, {
        cert: creds.certPem,
        key: creds.keyPem,
        ca: creds.caPem,

        maxPayload: this.#o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
        perMessageDeflate: { threshold: 256 },
        handshakeTimeout: 15_000,
      });
      this.#ws = ws;
      const streams = new StreamMux({
        send: {
          text: (message) => {
            if (this.#ws === ws) this.#send(message);
          },
          binary: (frame) => {
            if (ws.readyState !== WebSocket.OPEN) return;
            this.stats.bytesOut += frame.length;
            ws.send(frame, { binary: true, compress: false });
          },
          bufferedAmount: () => ws.bufferedAmount,
        },
        ids: 'even',
        onOpen: this.#o.onStream,
        log: this.#log,
      });
      let why = 'connection closed';
      let answered = false;
      let timer: ReturnType<typeof setInterval> | undefined;
      const onAbort = (): void => ws.close(CloseCode.GoingAway, 'edge shutting down');
      signal.addEventListener('abort', onAbort, { once: true });

      ws.on('unexpected-response', (_req, res) => {
        const retry = Number(res.headers['retry-after']);
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          let message = body;
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? body;
          } catch {
            // not JSON: keep the text
          }
          why = `the server answered ${res.statusCode}: ${message}`;
          answered = true;
          if (res.statusCode === 503 && Number.isFinite(retry)) this.#retryAfterMs = retry * 1000;
          if (res.statusCode === 401 || res.statusCode === 403) this.emit('refused', message);
          ws.terminate();
        });
      });
      ws.on('open', () => {
        this.#online = true;
        this.stats.connects++;
        this.#lastSeen = Date.now();
        this.emit('connected');
        let inventory: InventoryItem[];
        try {
          inventory = this.#o.inventory();
        } catch (err) {
          why = `cannot read the local store: ${errorMessage(err)}`;
          ws.close(CloseCode.GoingAway, 'local store unreadable');
          return;
        }
        this.#send({
          t: 'hello',
          v: PROTOCOL_VERSION,
          node: this.#o.node,
          agentVersion: this.#o.agentVersion,
          inventory,
        });
        timer = setInterval(() => {
          if (Date.now() - this.#lastSeen > 3 * this.#heartbeatSeconds * 1000) {
            why = 'no word from the server for 3 heartbeats (half-open connection?)';
            ws.terminate();
            return;
          }
          this.#send({ t: 'hb' });
        }, this.#heartbeatSeconds * 1000);
      });
      ws.on('ping', () => (this.#lastSeen = Date.now()));
      ws.on('pong', () => (this.#lastSeen = Date.now()));
      ws.on('message', (data, isBinary) => {
        this.#lastSeen = Date.now();
        const buf = toBuffer(data);
        this.stats.bytesIn += buf.length;
        let message: CloudMessage | undefined;
        try {
          if (isBinary) streams.handleData(buf);
          else message = decodeCloudMessage(buf.toString('utf8'));
        } catch (err) {
          why = `malformed message from the server: ${errorMessage(err)}`;
          this.#log.warn(why);
          ws.close(CloseCode.ProtocolError, 'malformed message');
          return;
        }
        if (!message) return;
        if (message.t === 'open' || message.t === 'window' || message.t === 'close') {
          // Handled in arrival order with the data frames, not behind a slow `apply`.
          streams.handleControl(message);
          return;
        }
        this.#chain = this.#chain.then(() => this.#handle(ws, message, (w) => (why = w)));
      });
      ws.on('error', (err) => {
        // The server's own answer (a refused upgrade) says more than the abort it causes.
        if (!answered) why = errorMessage(err);
      });
      ws.on('close', (code, reason) => {
        if (timer) clearInterval(timer);
        signal.removeEventListener('abort', onAbort);
        this.#online = false;
        this.#ready = false;
        if (this.#ws === ws) this.#ws = undefined;
        const text = reason.toString();
        if (code === CloseCode.Forbidden) this.emit('refused', text);
        if (text && why === 'connection closed') why = `closed by the server (${code}): ${text}`;
        streams.closeAll(`the connection to the cloud was lost (${why})`);
        for (const [id, p] of this.#pending) {
          clearTimeout(p.timer);
          p.reject(new UnavailableError(`the connection to the cloud was lost (${why})`));
          this.#pending.delete(id);
        }
        resolve(why);
      });
    });
  }

  async #handle(ws: WebSocket, m: CloudMessage, setWhy: (why: string) => void): Promise<void> {
    switch (m.t) {
      case 'welcome':
        if (m.heartbeatSeconds > 0) this.#heartbeatSeconds = m.heartbeatSeconds;
        this.#log.debug({ server: m.serverVersion }, 'welcomed');
        return;
      case 'sync':
        try {
          await this.#o.apply(m.changes);
        } catch (err) {
          // Not acknowledged: the cloud sends it again after a reconnect's diff.
          setWhy(`cannot store synced objects: ${errorMessage(err)}`);
          this.#log.error({ err: errorMessage(err) }, 'applying a sync batch failed');
          ws.close(CloseCode.GoingAway, 'local store failed');
          return;
        }
        this.stats.batches++;
        this.stats.changes += m.changes.length;
        if (ws.readyState === WebSocket.OPEN) this.#send({ t: 'ack', seq: m.seq });
        return;
      case 'ready':
        this.#ready = true;
        this.emit('ready', m.objects);
        return;
      case 'res': {
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.body);
        else p.reject(fromWireError(m.error));
        return;
      }
      case 'error':
        setWhy(m.error.message);
        if (m.retryAfterSeconds !== undefined) this.#retryAfterMs = m.retryAfterSeconds * 1000;
        return;
    }
  }

  #send(message: EdgeMessage): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const text = encodeMessage(message);
    this.stats.bytesOut += text.length;
    ws.send(text);
  }

  /**
   * Makes an API call as this node. Fails with Unavailable when offline or when
   * the connection drops before the answer (the caller retries; outbox entries
   * stay queued until a call succeeds).
   */
  request<T = unknown>(req: ApiRequest): Promise<T> {
    return this.#call<T>((id) => ({ t: 'req', id, ...req }));
  }

  /** Asks the cloud to sign a renewal CSR; resolves with the certificate PEM. */
  async renew(csrPem: string): Promise<string> {
    const body = await this.#call<{ certificate: string }>((id) => ({
      t: 'renew',
      id,
      csr: csrPem,
    }));
    return body.certificate;
  }

  #call<T>(build: (id: number) => EdgeMessage): Promise<T> {
    if (!this.#online || !this.#ws) {
      return Promise.reject(new UnavailableError('not connected to the cloud'));
    }
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new UnavailableError('the cloud did not answer in time'));
      }, this.#o.requestTimeoutMs ?? 30_000);
      this.#pending.set(id, { resolve: resolve as (b: unknown) => void, reject, timer });
      this.#send(build(id));
    });
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
