/**
 * The cloud-edge wire protocol, version 1: every message either side may send,
 * its type, and its validation on receipt. Both the cloud hub and the edge
 * link import this file and nothing else of each other.
 *
 * Transport: one WebSocket (subprotocol `verge-hub.v1`, permessage-deflate)
 * per node, dialed by the edge over mutual TLS. Control messages are JSON text
 * frames `{ "t": <type>, ... }`; stream payloads are binary frames (see
 * `encodeStreamData`). A peer that receives a message it cannot decode closes
 * the connection with `CloseCode.ProtocolError` and says why in the reason.
 *
 * Conversation:
 *   edge  -> hello {inventory}          what the edge holds (kind, ns, name, rv)
 *   cloud -> welcome                    limits and intervals
 *   cloud -> sync {seq, changes}...     exactly the difference, then `ready`,
 *                                       then every change to the node's view
 *   edge  -> ack {seq}                  after the changes are persisted
 *   edge  -> hb                         heartbeat; the cloud renews the Lease
 *   edge  -> req {id, verb, ...}        an API call as the node (status, events)
 *   cloud -> res {id, ...}              its answer
 *   cloud -> open/data/window/close     multiplexed streams (logs, exec, ...)
 */

import {
  AlreadyExistsError,
  ConflictError,
  errorMessage,
  ExpiredError,
  ForbiddenError,
  InvalidError,
  isVergeError,
  NotFoundError,
  UnavailableError,
  type ErrorCode,
} from '../util/errors.ts';

/** The WebSocket subprotocol; a different major version is refused at upgrade. */
export const PROTOCOL = 'verge-hub.v1';
export const PROTOCOL_VERSION = 1;
/** Path of the WebSocket endpoint on the hub port. */
export const HUB_PATH = '/hub/v1/connect';
/** Largest message either side accepts (frames above it close the connection). */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** WebSocket close codes used by the hub (4000-4999 are application codes). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  PolicyViolation: 1008,
  TooLarge: 1009,
  /** The peer sent no heartbeat or pong in time (half-open connection). */
  Timeout: 4000,
  /** A newer connection for the same node replaced this one. */
  Replaced: 4001,
  /** The node sent messages faster than its rate limit. */
  RateLimited: 4029,
  /** The cloud is shutting down or shedding load; reconnect later. */
  TryLater: 4503,
  /** The node's identity was refused (certificate, name). */
  Forbidden: 4403,
} as const;

/** Kinds of objects in a node's view, and how they are addressed in the API. */
export const VIEW_KINDS = {
  Node: { group: '', version: 'v1', resource: 'nodes', namespaced: false },
  Pod: { group: '', version: 'v1', resource: 'pods', namespaced: true },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps', namespaced: true },
  Secret: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
} as const;
export type ViewKind = keyof typeof VIEW_KINDS;

export function isViewKind(kind: unknown): kind is ViewKind {
  return typeof kind === 'string' && Object.hasOwn(VIEW_KINDS, kind);
}

/** An object the edge holds: kind, namespace ('' if cluster-scoped), name, resourceVersion. */
export type InventoryItem = [
  kind: string,
  namespace: string,
  name: string,
  resourceVersion: string,
];

/** A Kubernetes object as carried on the wire (validated only as far as its metadata). */
export interface WireObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
  [key: string]: unknown;
}

export type Change =
  | { op: 'put'; kind: ViewKind; object: WireObject }
  | { op: 'delete'; kind: ViewKind; namespace: string; name: string };

export interface ApiResource {
  group: string;
  version: string;
  resource: string;
}

export type RequestVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
export type PatchType = 'json' | 'merge' | 'strategic';

/** An API call made by the node over the link, authorized as the node. */
export interface ApiRequest {
  verb: RequestVerb;
  resource: ApiResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  body?: unknown;
  patchType?: PatchType;
  fieldSelector?: string;
  labelSelector?: string;
  /** Answer without the resulting object (status reports and events need only success). */
  quiet?: boolean;
}

/** A failed request, in Kubernetes' terms (HTTP code and Status reason). */
export interface WireError {
  code: number;
  reason: string;
  message: string;
}

// ---- edge -> cloud ----
export interface HelloMessage {
  t: 'hello';
  v: number;
  node: string;
  agentVersion: string;
  inventory: InventoryItem[];
}
export interface AckMessage {
  t: 'ack';
  seq: number;
}
export interface HeartbeatMessage {
  t: 'hb';
}
export interface RequestMessage extends ApiRequest {
  t: 'req';
  id: number;
}
/** Asks for a new certificate for a fresh key (rotation at 80% of its life). */
export interface RenewMessage {
  t: 'renew';
  id: number;
  csr: string;
}

// ---- cloud -> edge ----
export interface WelcomeMessage {
  t: 'welcome';
  v: number;
  node: string;
  serverVersion: string;
  /** How often the edge sends `hb`; the cloud drops it after 3 missed. */
  heartbeatSeconds: number;
  maxMessageBytes: number;
}
export interface SyncMessage {
  t: 'sync';
  seq: number;
  changes: Change[];
}
/** The initial difference has been sent; what follows are live changes. */
export interface ReadyMessage {
  t: 'ready';
  /** Objects in the view after the initial difference. */
  objects: number;
}
export type ResponseMessage =
  | { t: 'res'; id: number; ok: true; body?: unknown }
  | { t: 'res'; id: number; ok: false; error: WireError };
/** Sent before the cloud closes the connection on purpose. */
export interface ErrorMessage {
  t: 'error';
  error: WireError;
  /** For `TryLater`: when to come back. */
  retryAfterSeconds?: number;
}

// ---- streams, either direction (opened by the cloud) ----
/**
 * What a stream carries (the stream sub-protocol; the mux itself is in ./streams.ts).
 * The cloud opens every stream; `params` are one of the `*StreamParams` below.
 *
 * - `logs`: the edge sends the log bytes on channel 1 and closes the stream
 *   when done (not following: at the end of the file; following: when the
 *   container stops or the cloud closes the stream).
 * - `exec`, `attach`: channels as Kubernetes' remotecommand protocol: 0 stdin
 *   (cloud -> edge), 1 stdout, 2 stderr, 3 error: the final `Status` JSON as
 *   in `v4.channel.k8s.io` (`{"metadata":{},"status":"Success"}`, or Failure
 *   with reason `NonZeroExitCode` and `details.causes: [{reason: 'ExitCode',
 *   message: '<n>'}]`), sent once just before the edge closes the stream;
 *   4 resize (cloud -> edge): `{"Width":w,"Height":h}` JSON objects.
 * - `portforward`: channel 1 data both ways; 3 (edge -> cloud) an error text
 *   for the user (the connection to the port failed); the edge closes the
 *   stream when the connection ends.
 *
 * Either direction, every kind:
 * - `STREAM_READY` (254, edge -> cloud, payload `{}`): the target was resolved
 *   (pod, container or sandbox found, running where that matters), so the
 *   cloud may answer the client with 200 / 101. Sent before any other data.
 *   A failure before it closes the stream with an error whose code is the
 *   Kubernetes one (404 pod not found, 400 container waiting to start or not
 *   running), which the API server returns to kubectl as a `Status`.
 * - `STREAM_CLOSE_CHANNEL` (255, cloud -> edge, payload one byte: a channel):
 *   the client will send nothing more on that channel (stdin EOF, or the
 *   port-forward client's half-close), as in `v5.channel.k8s.io`.
 */
export type StreamKind = 'logs' | 'exec' | 'attach' | 'portforward';

export const StreamChannel = {
  Stdin: 0,
  Stdout: 1,
  Stderr: 2,
  Error: 3,
  Resize: 4,
  /** Port-forward data, both ways. */
  Data: 1,
  Ready: 254,
  Close: 255,
} as const;

export interface LogsStreamParams {
  namespace: string;
  pod: string;
  /** Absent: the pod's only (or default) container. */
  container?: string;
  follow: boolean;
  tailLines?: number;
  /** Milliseconds since the epoch (the API server resolves sinceSeconds/sinceTime). */
  sinceTime?: number;
  timestamps: boolean;
  previous: boolean;
  limitBytes?: number;
}

export interface AttachStreamParams {
  namespace: string;
  pod: string;
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecStreamParams extends AttachStreamParams {
  command: string[];
}

export interface PortForwardStreamParams {
  namespace: string;
  pod: string;
  port: number;
}

/** The `metav1.Status` sent on the error channel at the end of an exec or attach. */
export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason: string; message: string }> };
}

/** The error-channel Status for a command's exit code (as the kubelet writes it). */
export function exitStatus(exitCode: number): ExitStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Checks an `open`'s params for its kind; throws InvalidError naming the bad field. */
export function checkStreamParams(kind: 'logs', p: Record<string, unknown>): LogsStreamParams;
export function checkStreamParams(kind: 'exec', p: Record<string, unknown>): ExecStreamParams;
export function checkStreamParams(kind: 'attach', p: Record<string, unknown>): AttachStreamParams;
export function checkStreamParams(
  kind: 'portforward',
  p: Record<string, unknown>,
): PortForwardStreamParams;
export function checkStreamParams(
  kind: StreamKind,
  p: Record<string, unknown>,
): LogsStreamParams | ExecStreamParams | AttachStreamParams | PortForwardStreamParams {
  const bad = (field: string, want: string): never => {
    throw new InvalidError(`${kind} stream params.${field}: want ${want}`);
  };
  const str = (f: string): void => {
    if (typeof p[f] !== 'string' || p[f] === '') bad(f, 'a non-empty string');
  };
  const optStr = (f: string): void => {
    if (p[f] !== undefined && typeof p[f] !== 'string') bad(f, 'a string');
  };
  const bool = (f: string): void => {
    if (typeof p[f] !== 'boolean') bad(f, 'a boolean');
  };
  const optNum = (f: string, min: number): void => {
    const v = p[f];
    if (v !== undefined && (!Number.isSafeInteger(v) || (v as number) < min)) {
      bad(f, `an integer >= ${min}`);
    }
  };
  str('namespace');
  str('pod');
  if (kind === 'portforward') {
    const port = p.port;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      bad('port', '1-65535');
    }
    return p as unknown as PortForwardStreamParams;
  }
  optStr('container');
  if (kind === 'logs') {
    bool('follow');
    bool('timestamps');
    bool('previous');
    optNum('tailLines', 0);
    optNum('sinceTime', 0);
    optNum('limitBytes', 1);
    return p as unknown as LogsStreamParams;
  }
  for (const f of ['stdin', 'stdout', 'stderr', 'tty']) bool(f);
  if (kind === 'exec') {
    const c = p.command;
    if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) {
      bad('command', 'a non-empty array of strings');
    }
    return p as unknown as ExecStreamParams;
  }
  return p as unknown as AttachStreamParams;
}
export interface StreamOpenMessage {
  t: 'open';
  sid: number;
  kind: StreamKind;
  params: Record<string, unknown>;
  /** Bytes the opener can take before it sends a window update. */
  window: number;
}
/**
 * Grants the peer `bytes` more payload on stream `sid`. The acceptor's first
 * one grants its initial window and accepts the stream (see ./streams.ts).
 */
export interface StreamWindowMessage {
  t: 'window';
  sid: number;
  bytes: number;
}
export interface StreamCloseMessage {
  t: 'close';
  sid: number;
  error?: WireError;
}

export type StreamControlMessage = StreamOpenMessage | StreamWindowMessage | StreamCloseMessage;
export type EdgeMessage =
  | HelloMessage
  | AckMessage
  | HeartbeatMessage
  | RequestMessage
  | RenewMessage
  | StreamControlMessage;
export type CloudMessage =
  | WelcomeMessage
  | SyncMessage
  | ReadyMessage
  | ResponseMessage
  | ErrorMessage
  | StreamControlMessage;

/** A message that failed validation; the text names the offending field. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export function encodeMessage(message: EdgeMessage | CloudMessage): string {
  return JSON.stringify(message);
}

/**
 * A `sync` message from changes already serialized one by one (the hub sizes its
 * batches by their text, so it need not serialize them twice). Equal to
 * `encodeMessage({ t: 'sync', seq, changes })`.
 */
export function encodeSync(seq: number, encodedChanges: readonly string[]): string {
  return `{"t":"sync","seq":${seq},"changes":[${encodedChanges.join(',')}]}`;
}

/** Decodes and validates a text frame sent by an edge. */
export function decodeEdgeMessage(text: string): EdgeMessage {
  const m = parseEnvelope(text);
  switch (m.t) {
    case 'hello': {
      int(m, 'v');
      str(m, 'node');
      str(m, 'agentVersion');
      const inv = arr(m, 'inventory');
      inv.forEach((item, i) => {
        if (
          !Array.isArray(item) ||
          item.length !== 4 ||
          !item.every((s) => typeof s === 'string') ||
          !/^\d+$/.test(item[3] as string)
        ) {
          throw new ProtocolError(`hello.inventory[${i}]: want [kind, namespace, name, rv]`);
        }
      });
      return m as unknown as HelloMessage;
    }
    case 'ack':
      int(m, 'seq');
      return m as unknown as AckMessage;
    case 'hb':
      return { t: 'hb' };
    case 'req':
      int(m, 'id');
      checkRequest(m);
      return m as unknown as RequestMessage;
    case 'renew':
      int(m, 'id');
      str(m, 'csr');
      return m as unknown as RenewMessage;
    case 'open':
    case 'window':
    case 'close':
      return checkStreamControl(m);
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(m.t)} from the edge`);
  }
}

/** Decodes and validates a text frame sent by the cloud. */
export function decodeCloudMessage(text: string): CloudMessage {
  const m = parseEnvelope(text);
  switch (m.t) {
    case 'welcome':
      int(m, 'v');
      str(m, 'node');
      str(m, 'serverVersion');
      int(m, 'heartbeatSeconds');
      int(m, 'maxMessageBytes');
      return m as unknown as WelcomeMessage;
    case 'sync': {
      int(m, 'seq');
      arr(m, 'changes').forEach((c, i) => checkChange(c, `sync.changes[${i}]`));
      return m as unknown as SyncMessage;
    }
    case 'ready':
      int(m, 'objects');
      return m as unknown as ReadyMessage;
    case 'res':
      int(m, 'id');
      if (m.ok === true) return m as unknown as ResponseMessage;
      if (m.ok !== false) throw new ProtocolError('res.ok: want a boolean');
      checkError(m.error, 'res.error');
      return m as unknown as ResponseMessage;
    case 'error':
      checkError(m.error, 'error.error');
      if (m.retryAfterSeconds !== undefined) int(m, 'retryAfterSeconds');
      return m as unknown as ErrorMessage;
    case 'open':
    case 'window':
    case 'close':
      return checkStreamControl(m);
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(m.t)} from the cloud`);
  }
}

// ---- stream data frames ----
/** Binary frame layout: [0x01][stream id: u32 BE][channel: u8][payload]. */
const STREAM_DATA = 0x01;
const STREAM_HEADER = 6;

export interface StreamData {
  sid: number;
  channel: number;
  payload: Buffer;
}

export function encodeStreamData(sid: number, channel: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(STREAM_HEADER + payload.length);
  frame[0] = STREAM_DATA;
  frame.writeUInt32BE(sid, 1);
  frame[5] = channel;
  frame.set(payload, STREAM_HEADER);
  return frame;
}

export function decodeStreamData(frame: Buffer): StreamData {
  if (frame.length < STREAM_HEADER || frame[0] !== STREAM_DATA) {
    throw new ProtocolError('binary frame: not a stream data frame');
  }
  return {
    sid: frame.readUInt32BE(1),
    channel: frame[5]!,
    payload: frame.subarray(STREAM_HEADER),
  };
}

// ---- validation helpers ----
type Raw = Record<string, unknown>;

function parseEnvelope(text: string): Raw & { t: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('a message must be a JSON object');
  }
  const m = value as Raw;
  if (typeof m.t !== 'string') throw new ProtocolError('message without a type ("t")');
  return m as Raw & { t: string };
}

function int(m: Raw, field: string): number {
  const v = m[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ProtocolError(`${String(m.t)}.${field}: want a non-negative integer`);
  }
  return v;
}

function str(m: Raw, field: string, optional = false): string | undefined {
  const v = m[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new ProtocolError(`${String(m.t)}.${field}: want a string`);
  return v;
}

function arr(m: Raw, field: string): unknown[] {
  const v = m[field];
  if (!Array.isArray(v)) throw new ProtocolError(`${String(m.t)}.${field}: want an array`);
  return v;
}

const VERBS = new Set<string>(['get', 'list', 'create', 'update', 'patch', 'delete']);
const PATCH_TYPES = new Set<string>(['json', 'merge', 'strategic']);

function checkRequest(m: Raw): void {
  if (typeof m.verb !== 'string' || !VERBS.has(m.verb)) {
    throw new ProtocolError(`req.verb: want one of ${[...VERBS].join(', ')}`);
  }
  const r = m.resource as Raw | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.group !== 'string' ||
    typeof r.version !== 'string' ||
    typeof r.resource !== 'string'
  ) {
    throw new ProtocolError('req.resource: want {group, version, resource}');
  }
  for (const f of ['namespace', 'name', 'subresource', 'fieldSelector', 'labelSelector']) {
    str(m, f, true);
  }
  if (m.quiet !== undefined && typeof m.quiet !== 'boolean') {
    throw new ProtocolError('req.quiet: want a boolean');
  }
  if (m.patchType !== undefined && !PATCH_TYPES.has(m.patchType as string)) {
    throw new ProtocolError('req.patchType: want json, merge or strategic');
  }
  if (m.verb === 'patch' && m.patchType === undefined) {
    throw new ProtocolError('req.patchType: required for patch');
  }
}

function checkChange(c: unknown, at: string): void {
  const change = c as Raw;
  if (typeof change !== 'object' || change === null)
    throw new ProtocolError(`${at}: not an object`);
  if (!isViewKind(change.kind)) throw new ProtocolError(`${at}.kind: not a view kind`);
  if (change.op === 'put') {
    const meta = (change.object as Raw | undefined)?.metadata as Raw | undefined;
    if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string') {
      throw new ProtocolError(`${at}.object.metadata.name: want a string`);
    }
    if (typeof meta.resourceVersion !== 'string') {
      throw new ProtocolError(`${at}.object.metadata.resourceVersion: want a string`);
    }
  } else if (change.op === 'delete') {
    if (typeof change.namespace !== 'string' || typeof change.name !== 'string') {
      throw new ProtocolError(`${at}: delete wants namespace and name`);
    }
  } else {
    throw new ProtocolError(`${at}.op: want put or delete`);
  }
}

function checkError(e: unknown, at: string): void {
  const err = e as Raw;
  if (
    typeof err !== 'object' ||
    err === null ||
    typeof err.code !== 'number' ||
    typeof err.reason !== 'string' ||
    typeof err.message !== 'string'
  ) {
    throw new ProtocolError(`${at}: want {code, reason, message}`);
  }
}

const STREAM_KINDS = new Set<string>(['logs', 'exec', 'attach', 'portforward']);

function checkStreamControl(m: Raw): StreamControlMessage {
  int(m, 'sid');
  if (m.t === 'open') {
    if (!STREAM_KINDS.has(m.kind as string)) throw new ProtocolError('open.kind: unknown kind');
    if (typeof m.params !== 'object' || m.params === null) {
      throw new ProtocolError('open.params: want an object');
    }
    int(m, 'window');
  } else if (m.t === 'window') {
    int(m, 'bytes');
  } else if (m.error !== undefined) {
    checkError(m.error, 'close.error');
  }
  return m as unknown as StreamControlMessage;
}

// ---- errors across the wire ----
const CODE_OF: Record<ErrorCode, [number, string]> = {
  NotFound: [404, 'NotFound'],
  AlreadyExists: [409, 'AlreadyExists'],
  Conflict: [409, 'Conflict'],
  Invalid: [422, 'Invalid'],
  Unavailable: [503, 'ServiceUnavailable'],
  Forbidden: [403, 'Forbidden'],
  Expired: [410, 'Expired'],
};

/** A thrown error as the other side should see it. */
export function toWireError(err: unknown): WireError {
  if (isVergeError(err)) {
    const [code, reason] = CODE_OF[err.code];
    return { code, reason: err.details.reason ?? reason, message: err.message };
  }
  return { code: 500, reason: 'InternalError', message: errorMessage(err) };
}

/** The error class a `WireError` stands for (so callers branch with isNotFound etc.). */
export function fromWireError(e: WireError): Error {
  const options = { reason: e.reason };
  switch (e.code) {
    case 404:
      return new NotFoundError(e.message, options);
    case 409:
      return e.reason === 'AlreadyExists'
        ? new AlreadyExistsError(e.message, options)
        : new ConflictError(e.message, options);
    case 400:
    case 422:
      return new InvalidError(e.message, options);
    case 403:
      return new ForbiddenError(e.message, options);
    case 410:
      return new ExpiredError(e.message, options);
    case 429:
    case 503:
      return new UnavailableError(e.message, options);
    default:
      return new Error(`${e.reason} (${e.code}): ${e.message}`);
  }
}
