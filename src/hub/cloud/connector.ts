/**
 * The API server's PodConnector over the hub: `kubectl logs`, `exec`,
 * `attach` and `port-forward` go to the pod's node as hub streams (the stream
 * sub-protocol is described at `StreamKind` in ../protocol.ts).
 *
 * What kubectl speaks, by version:
 * - logs: plain HTTP GET, chunked `text/plain` (every version);
 * - exec/attach: SPDY/3.1 (`X-Stream-Protocol-Version: v4.channel.k8s.io` ...)
 *   up to 1.29; WebSocket `v5.channel.k8s.io` from 1.30 (SPDY again if that
 *   upgrade fails);
 * - port-forward: SPDY/3.1 `portforward.k8s.io` up to 1.30; from 1.31 the
 *   same SPDY tunnelled in WebSocket binary messages
 *   (`SPDY/3.1+portforward.k8s.io`).
 *
 * Errors the node reports before it is ready (pod or container not found,
 * container not running or waiting to start) are thrown before anything is
 * written, so the API server answers with the Kubernetes code and `Status`;
 * for upgrades that is before the 101.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket, type RawData } from 'ws';
import type { KubeObject } from '../../api/types/meta.ts';
import { nodeOf, type ConnectKind, type PodConnector } from '../../apiserver/connect.ts';
import { errorMessage, InvalidError, UnavailableError } from '../../util/errors.ts';
import type { Logger } from '../../util/log.ts';
import {
  StreamChannel,
  type AttachStreamParams,
  type ExecStreamParams,
  type LogsStreamParams,
  type StreamKind,
} from '../protocol.ts';
import type { HubStream } from '../streams.ts';
import { SpdyConnection, type SpdyStream } from './spdy.ts';

/** What the connector needs of the hub (CloudHub implements it). */
export interface StreamOpener {
  /** Throws Unavailable when the node has no session. */
  openStream(node: string, kind: StreamKind, params: Record<string, unknown>): HubStream;
}

export interface HubPodConnectorOptions {
  log: Logger;
  /** How long exec/attach wait for kubectl's SPDY streams after the upgrade. Default 30 s. */
  streamCreationTimeoutMs?: number;
  /** For `sinceSeconds`. Default Date.now. */
  now?: () => number;
}

/** WebSocket subprotocols for exec/attach, most preferred first. */
export const WS_CHANNEL_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
] as const;
/** SPDY stream protocols for exec/attach (X-Stream-Protocol-Version), most preferred first. */
export const SPDY_CHANNEL_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const WS_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** Unsent bytes towards a client above which the node's output is paused. */
const MAX_CLIENT_BUFFERED = 1024 * 1024;

export class HubPodConnector implements PodConnector {
  readonly #hub: StreamOpener;
  readonly #log: Logger;
  readonly #streamTimeout: number;
  readonly #now: () => number;
  readonly #wss: WebSocketServer;
  /** The subprotocol chosen for a request, read back by the WebSocket handshake. */
  readonly #chosen = new WeakMap<IncomingMessage, string>();
  /** Port-forward requests answered with the SPDY-in-WebSocket subprotocol. */
  readonly #tunnelled = new WeakSet<IncomingMessage>();

  constructor(hub: StreamOpener, options: HubPodConnectorOptions) {
    this.#hub = hub;
    this.#log = options.log.child({ component: 'pod-connector' });
    this.#streamTimeout = options.streamCreationTimeoutMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
      handleProtocols: (_offered, req) => this.#chosen.get(req) ?? false,
    });
    this.#wss.on('headers', (headers, req) => {
      if (this.#tunnelled.has(req)) headers.push(`Sec-WebSocket-Protocol: ${WS_TUNNEL_PROTOCOL}`);
    });
  }

  async serve(
    kind: ConnectKind,
    pod: KubeObject,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> {
    if (kind !== 'log') {
      throw new InvalidError('Upgrade request required', { reason: 'BadRequest' });
    }
    const params = this.#logParams(pod, query);
    const stream = this.#hub.openStream(nodeOf(pod), 'logs', { ...params });
    const gone = (): void => stream.close();
    res.once('close', gone);
    await ready(stream);
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Cache-Control': 'no-cache, private',
      'X-Content-Type-Options': 'nosniff',
    });
    res.flushHeaders();
    await new Promise<void>((resolve) => {
      stream.on('data', (channel, payload) => {
        if (channel !== StreamChannel.Stdout) return;
        if (!res.write(payload)) {
          stream.pause();
          res.once('drain', () => stream.resume());
        }
      });
      stream.once('close', (err) => {
        if (err) this.#log.info({ pod: podKey(pod), err: errorMessage(err) }, 'log stream ended');
        res.off('close', gone);
        res.end();
        resolve();
      });
      stream.resume();
    });
  }

  async upgrade(
    kind: ConnectKind,
    pod: KubeObject,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    query: URLSearchParams,
  ): Promise<void> {
    if (kind === 'log') throw new InvalidError('log does not upgrade', { reason: 'BadRequest' });
    const node = nodeOf(pod);
    const transport = (req.headers.upgrade ?? '').toLowerCase();
    if (kind === 'portforward') {
      if (transport === 'websocket') {
        if (!offered(req.headers['sec-websocket-protocol']).includes(WS_TUNNEL_PROTOCOL)) {
          throw new InvalidError(
            `unable to upgrade: port-forward over WebSocket needs subprotocol ${WS_TUNNEL_PROTOCOL}`,
            { reason: 'BadRequest' },
          );
        }
        // `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token ('/'), which
        // the ws package refuses: it is taken out of the request and put back
        // into the response here.
        delete req.headers['sec-websocket-protocol'];
        this.#tunnelled.add(req);
        this.#wss.handleUpgrade(req, socket, head, (ws) => {
          const duplex = createWebSocketStream(ws);
          duplex.on('error', () => duplex.destroy());
          this.#portForward(node, pod, duplex, Buffer.alloc(0));
        });
        return;
      }
      if (transport !== 'spdy/3.1') throw unsupportedUpgrade(transport);
      if (!offered(req.headers['x-stream-protocol-version']).includes(PORT_FORWARD_PROTOCOL)) {
        throw new InvalidError(
          `unable to upgrade: no common stream protocol (want ${PORT_FORWARD_PROTOCOL})`,
          { reason: 'BadRequest' },
        );
      }
      writeSwitch(socket, PORT_FORWARD_PROTOCOL);
      this.#portForward(node, pod, socket, head);
      return;
    }

    const params = this.#remoteCommandParams(kind, pod, query);
    let protocol: string | undefined;
    if (transport === 'websocket') {
      const list = offered(req.headers['sec-websocket-protocol']);
      protocol =
        list.length === 0
          ? 'channel.k8s.io'
          : list.find((p) => (WS_CHANNEL_PROTOCOLS as readonly string[]).includes(p));
    } else if (transport === 'spdy/3.1') {
      const list = offered(req.headers['x-stream-protocol-version']);
      protocol = list.find((p) => (SPDY_CHANNEL_PROTOCOLS as readonly string[]).includes(p));
    } else {
      throw unsupportedUpgrade(transport);
    }
    if (!protocol) {
      throw new InvalidError('unable to upgrade: no common stream protocol', {
        reason: 'BadRequest',
      });
    }
    const stream = this.#hub.openStream(node, kind, { ...params });
    const gone = (): void => stream.close();
    socket.once('close', gone);
    await ready(stream);
    socket.off('close', gone);
    if (socket.destroyed) {
      stream.close();
      return;
    }
    const session = new RemoteCommand(stream, params, protocol, this.#log);
    if (transport === 'websocket') {
      this.#chosen.set(req, protocol);
      this.#wss.handleUpgrade(req, socket, head, (ws) => session.overWebSocket(ws));
    } else {
      writeSwitch(socket, protocol);
      session.overSpdy(socket, head, this.#streamTimeout);
    }
  }

  #logParams(pod: KubeObject, q: URLSearchParams): LogsStreamParams {
    const p: LogsStreamParams = {
      namespace: pod.metadata.namespace!,
      pod: pod.metadata.name ?? '',
      follow: bool(q, 'follow'),
      timestamps: bool(q, 'timestamps'),
      previous: bool(q, 'previous'),
    };
    const container = q.get('container');
    if (container) p.container = container;
    const tail = int(q, 'tailLines', 0);
    if (tail !== undefined) p.tailLines = tail;
    const limit = int(q, 'limitBytes', 1);
    if (limit !== undefined) p.limitBytes = limit;
    const seconds = int(q, 'sinceSeconds', 1);
    const since = q.get('sinceTime');
    if (seconds !== undefined && since) {
      throw new InvalidError('at most one of `sinceTime` or `sinceSeconds` may be specified', {
        reason: 'BadRequest',
      });
    }
    if (seconds !== undefined) p.sinceTime = this.#now() - seconds * 1000;
    if (since) {
      const t = Date.parse(since);
      if (Number.isNaN(t)) {
        throw new InvalidError(`sinceTime: invalid RFC 3339 time ${JSON.stringify(since)}`, {
          reason: 'BadRequest',
        });
      }
      p.sinceTime = t;
    }
    return p;
  }

  #remoteCommandParams(
    kind: 'exec' | 'attach',
    pod: KubeObject,
    q: URLSearchParams,
  ): AttachStreamParams | ExecStreamParams {
    const tty = bool(q, 'tty');
    const p: AttachStreamParams = {
      namespace: pod.metadata.namespace!,
      pod: pod.metadata.name ?? '',
      stdin: bool(q, 'stdin'),
      stdout: bool(q, 'stdout'),
      // With a TTY, stderr is merged into stdout (as the kubelet does).
      stderr: bool(q, 'stderr') && !tty,
      tty,
    };
    const container = q.get('container');
    if (container) p.container = container;
    if (!p.stdin && !p.stdout && !bool(q, 'stderr')) {
      throw new InvalidError('you must specify at least 1 of stdin, stdout, stderr', {
        reason: 'BadRequest',
      });
    }
    if (kind === 'attach') return p;
    const command = q.getAll('command');
    if (command.length === 0) {
      throw new InvalidError('you must specify at least one command for the container', {
        reason: 'BadRequest',
      });
    }
    return { ...p, command };
  }

  /** One kubectl port-forward connection: SPDY streams in pairs, each pair one hub stream. */
  #portForward(node: string, pod: KubeObject, socket: Duplex, head: Buffer): void {
    const conn = new SpdyConnection(socket, { log: this.#log });
    const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
    const open = new Set<HubStream>();
    conn.on('close', () => {
      for (const s of open) s.close();
    });
    conn.on('stream', (s) => {
      const type = s.headers.streamtype;
      const id = s.headers.requestid ?? s.headers.port ?? '';
      if (type !== 'data' && type !== 'error') {
        s.cancel();
        return;
      }
      const pair = pairs.get(id) ?? {};
      pair[type] = s;
      pairs.set(id, pair);
      if (!pair.data || !pair.error) return;
      pairs.delete(id);
      const { data, error } = pair;
      error.end(); // the client never writes on it; we write only on failure
      const port = Number(s.headers.port);
      const fail = (message: string): void => {
        error.write(
          Buffer.from(
            `error forwarding port ${s.headers.port} to pod ${pod.metadata.name}, uid ${pod.metadata.uid ?? ''}: ${message}`,
          ),
        );
        error.end();
        data.end();
      };
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        fail(`invalid port ${JSON.stringify(s.headers.port ?? '')}`);
        return;
      }
      let stream: HubStream;
      try {
        stream = this.#hub.openStream(node, 'portforward', {
          namespace: pod.metadata.namespace,
          pod: pod.metadata.name ?? '',
          port,
        });
      } catch (err) {
        fail(errorMessage(err));
        return;
      }
      open.add(stream);
      bridgeOut(stream, data, conn);
      stream.on('data', (channel, payload) => {
        if (channel === StreamChannel.Error) fail(payload.toString());
      });
      stream.once('close', (err) => {
        open.delete(stream);
        if (err) fail(errorMessage(err));
        else {
          error.end();
          data.end();
        }
      });
      data.on('data', (chunk) => pipeIn(stream, StreamChannel.Data, chunk, data));
      data.on('end', () => void closeChannel(stream, StreamChannel.Data));
      data.on('close', () => stream.close());
    });
    conn.push(head);
  }
}

/**
 * Resolves once the node sent READY (the stream is then paused: the caller
 * attaches its listeners and resumes); rejects with the node's error if it
 * closed the stream first.
 */
function ready(stream: HubStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (channel: number): void => {
      if (channel !== StreamChannel.Ready) return;
      stream.pause();
      stream.off('data', onData);
      stream.off('close', onClose);
      resolve();
    };
    const onClose = (err?: Error): void => {
      stream.off('data', onData);
      reject(err ?? new UnavailableError('the node closed the stream before it was ready'));
    };
    stream.on('data', onData);
    stream.once('close', onClose);
  });
}

/** Node output to one SPDY stream, pausing the hub stream while the socket is full. */
function bridgeOut(stream: HubStream, out: SpdyStream, conn: SpdyConnection): void {
  stream.on('data', (channel, payload) => {
    if (channel !== StreamChannel.Data) return;
    if (!out.write(payload)) {
      stream.pause();
      conn.once('drain', () => stream.resume());
    }
  });
}

/** Client input to the node; the SPDY stream pauses until the hub takes it. */
function pipeIn(stream: HubStream, channel: number, chunk: Buffer, from: SpdyStream): void {
  if (stream.closed) return;
  const sent = stream.write(channel, chunk);
  if (stream.bufferedAmount > 0) {
    from.pause();
    sent.then(
      () => from.resume(),
      () => from.resume(),
    );
  } else {
    sent.catch(() => {});
  }
}

function closeChannel(stream: HubStream, channel: number): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return stream.write(StreamChannel.Close, Uint8Array.of(channel)).catch(() => {});
}

/** An exec or attach: one hub stream bridged to kubectl's SPDY streams or WebSocket channels. */
class RemoteCommand {
  readonly #stream: HubStream;
  readonly #params: AttachStreamParams;
  readonly #protocol: string;
  readonly #log: Logger;

  constructor(stream: HubStream, params: AttachStreamParams, protocol: string, log: Logger) {
    this.#stream = stream;
    this.#params = params;
    this.#protocol = protocol;
    this.#log = log;
  }

  /** What goes on the error channel: a Status JSON (v4+), else the message of a failure only. */
  #errorPayload(status: Buffer): Buffer | undefined {
    if (this.#protocol.startsWith('v4.') || this.#protocol.startsWith('v5.')) return status;
    try {
      const s = JSON.parse(status.toString()) as { status?: string; message?: string };
      return s.status === 'Success' ? undefined : Buffer.from(s.message ?? 'error');
    } catch {
      return status;
    }
  }

  #failureStatus(err: Error): Buffer {
    return Buffer.from(
      JSON.stringify({
        metadata: {},
        status: 'Failure',
        message: errorMessage(err),
        reason: 'InternalError',
      }),
    );
  }

  overSpdy(socket: Duplex, head: Buffer, timeoutMs: number): void {
    const p = this.#params;
    const conn = new SpdyConnection(socket, { log: this.#log });
    const stream = this.#stream;
    const want = new Set<string>(['error']);
    if (p.stdin) want.add('stdin');
    if (p.stdout) want.add('stdout');
    if (p.stderr) want.add('stderr');
    if (p.tty && this.#protocol !== 'v2.channel.k8s.io' && this.#protocol !== 'channel.k8s.io') {
      want.add('resize');
    }
    if (this.#protocol === 'channel.k8s.io') want.delete('error');
    const got = new Map<string, SpdyStream>();
    const timer = setTimeout(() => {
      this.#log.info(
        { missing: [...want].filter((w) => !got.has(w)) },
        'exec streams not created in time',
      );
      stream.close();
      conn.close();
    }, timeoutMs);
    timer.unref();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const s of got.values()) s.end();
      conn.close();
    };
    conn.on('close', () => {
      clearTimeout(timer);
      stream.close();
    });
    conn.on('stream', (s) => {
      const type = s.headers.streamtype ?? '';
      if (!want.has(type) || got.has(type)) {
        s.cancel();
        return;
      }
      got.set(type, s);
      if (type === 'stdin' || type === 'resize') {
        const channel = type === 'stdin' ? StreamChannel.Stdin : StreamChannel.Resize;
        s.on('data', (chunk) => pipeIn(stream, channel, chunk, s));
        s.on('end', () => void closeChannel(stream, channel));
      } else {
        // Nothing comes from the client on output streams.
        s.on('end', () => {});
      }
      if (got.size < want.size) return;
      clearTimeout(timer);
      stream.on('data', (channel, payload) => {
        const out =
          channel === StreamChannel.Stdout
            ? got.get('stdout')
            : channel === StreamChannel.Stderr
              ? got.get('stderr')
              : undefined;
        if (out) {
          if (!out.write(payload)) {
            stream.pause();
            conn.once('drain', () => stream.resume());
          }
          return;
        }
        if (channel === StreamChannel.Error) {
          const e = got.get('error');
          const body = this.#errorPayload(payload);
          if (e && body) e.write(body);
        }
      });
      stream.once('close', (err) => {
        if (err) {
          const e = got.get('error');
          const body = this.#errorPayload(this.#failureStatus(err));
          if (e && body) e.write(body);
        }
        finish();
      });
      stream.resume();
    });
    conn.push(head);
  }

  overWebSocket(ws: WebSocket): void {
    const stream = this.#stream;
    const p = this.#params;
    const base64 = this.#protocol.includes('base64');
    const v5 = this.#protocol.startsWith('v5.');
    let buffered = 0;
    let paused = false;
    const send = (channel: number, data: Buffer): void => {
      if (ws.readyState !== ws.OPEN) return;
      const message = base64
        ? String.fromCharCode(48 + channel) + data.toString('base64')
        : Buffer.concat([Uint8Array.of(channel), data]);
      buffered += message.length;
      if (buffered > MAX_CLIENT_BUFFERED && !paused) {
        paused = true;
        stream.pause();
      }
      ws.send(message, { binary: !base64 }, () => {
        buffered -= message.length;
        if (paused && buffered <= MAX_CLIENT_BUFFERED / 2) {
          paused = false;
          stream.resume();
        }
      });
    };
    // As the kubelet: an empty message on the lowest output channel says "connected".
    send(
      p.stdout ? StreamChannel.Stdout : p.stderr ? StreamChannel.Stderr : StreamChannel.Error,
      Buffer.alloc(0),
    );
    stream.on('data', (channel, payload) => {
      if (channel === StreamChannel.Stdout || channel === StreamChannel.Stderr) {
        send(channel, payload);
      } else if (channel === StreamChannel.Error) {
        const body = this.#errorPayload(payload);
        if (body) send(StreamChannel.Error, body);
      }
    });
    stream.once('close', (err) => {
      if (err) {
        const body = this.#errorPayload(this.#failureStatus(err));
        if (body) send(StreamChannel.Error, body);
      }
      ws.close(1000);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      if (buf.length === 0) return;
      let channel: number;
      let payload: Buffer;
      if (base64 && !isBinary) {
        channel = buf[0]! - 48;
        payload = Buffer.from(buf.subarray(1).toString(), 'base64');
      } else {
        channel = buf[0]!;
        payload = buf.subarray(1);
      }
      if (v5 && channel === StreamChannel.Close) {
        if (payload.length === 1 && payload[0] === StreamChannel.Stdin) {
          void closeChannel(stream, StreamChannel.Stdin);
        }
        return;
      }
      if (channel !== StreamChannel.Stdin && channel !== StreamChannel.Resize) return;
      if (payload.length === 0 || stream.closed) return;
      const sent = stream.write(channel, payload);
      if (stream.bufferedAmount > 0) {
        ws.pause();
        sent.then(
          () => ws.resume(),
          () => ws.resume(),
        );
      } else {
        sent.catch(() => {});
      }
    });
    ws.on('close', () => stream.close());
    ws.on('error', () => stream.close());
    stream.resume();
  }
}

function offered(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(',') : (header ?? '');
  return all
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function unsupportedUpgrade(transport: string): InvalidError {
  return new InvalidError(
    `unable to upgrade: unsupported protocol ${JSON.stringify(transport)} (want SPDY/3.1 or websocket)`,
    { reason: 'BadRequest' },
  );
}

function writeSwitch(socket: Duplex, protocol: string): void {
  (socket as Duplex & { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  (socket as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Connection: Upgrade\r\n' +
      'Upgrade: SPDY/3.1\r\n' +
      `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function int(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new InvalidError(`${name}: invalid integer ${JSON.stringify(v)}`, {
      reason: 'BadRequest',
    });
  }
  if (n < min) {
    throw new InvalidError(
      `${name}: Invalid value: ${n}: must be greater than or equal to ${min}`,
      {
        causes: [{ reason: 'FieldValueInvalid', message: `must be >= ${min}`, field: name }],
      },
    );
  }
  return n;
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/**
 * A StreamOpener bound after construction, for when the hub is built after
 * the API server that needs the connector (`verge server`). Until `bind`,
 * opening fails with Unavailable, as for a node that is not connected.
 */
export function lateStreamOpener(): StreamOpener & { bind(hub: StreamOpener): void } {
  let target: StreamOpener | undefined;
  return {
    bind(hub) {
      target = hub;
    },
    openStream(node, kind, params) {
      if (!target) throw new UnavailableError('the hub is not started yet');
      return target.openStream(node, kind, params);
    },
  };
}
