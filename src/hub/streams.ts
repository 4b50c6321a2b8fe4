/**
 * Multiplexed streams over the one WebSocket a node keeps with the hub (kubectl
 * logs, exec, attach and port-forward carried from the cloud to the node). Both
 * sides run a `StreamMux`; the session (cloud) and the link (edge) hand it the
 * stream messages they receive and give it a sink to send through.
 *
 * Ids: the side that opens a stream picks its id, odd for the cloud and even
 * for the edge, increasing and never reused on a connection, so a frame for
 * an id below the highest seen is a late frame for a closed stream (dropped).
 *
 * Flow control is per stream and counts payload bytes, as in HTTP/2: the
 * opener announces the window it grants in `open`; the acceptor grants its
 * window in its first `window` message (which is also how the opener learns
 * the stream was accepted: it sends nothing before). A receiver grants more as
 * its consumer takes data, so a paused consumer holds at most the window it
 * granted; a peer that sends beyond it has the stream closed with an error.
 *
 * Memory per stream is bounded by the window (received, not yet consumed) plus
 * `maxBufferedPerStream` (written, not yet sent) plus the write in progress;
 * per connection by `maxStreams` times that. Stream data is held back while the
 * socket has more than `maxSocketBuffered` bytes unsent, so the sync and
 * request traffic sharing the socket is not stuck behind it.
 */
import { EventEmitter } from 'node:events';
import { InvalidError, UnavailableError } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import {
  decodeStreamData,
  encodeStreamData,
  fromWireError,
  toWireError,
  type StreamCloseMessage,
  type StreamControlMessage,
  type StreamKind,
  type StreamOpenMessage,
} from './protocol.ts';

/** Default window a receiver grants per stream. */
export const DEFAULT_STREAM_WINDOW = 256 * 1024;
export const DEFAULT_MAX_STREAMS = 64;
export const DEFAULT_MAX_BUFFERED_PER_STREAM = 1024 * 1024;
export const DEFAULT_MAX_SOCKET_BUFFERED = 1024 * 1024;
/** Largest payload of one data frame; larger writes are split. */
export const MAX_FRAME_PAYLOAD = 64 * 1024;
/** Largest window a peer may grant (as HTTP/2); more is a protocol violation. */
const MAX_WINDOW = 2 ** 31 - 1;
const MAX_SID = 0xffff_ffff;
/** While the socket is congested, streams retry this often. */
const CONGESTION_RETRY_MS = 5;

/** Where a mux sends; the session or link binds it to its WebSocket. */
export interface StreamSink {
  /** Sends a control message (a JSON text frame). */
  text(message: StreamControlMessage): void;
  /** Sends a data frame (binary). The mux does not touch `frame` afterwards. */
  binary(frame: Buffer): void;
  /** Bytes handed to the socket and not yet written out (ws `bufferedAmount`). */
  bufferedAmount(): number;
}

export interface StreamMuxOptions {
  send: StreamSink;
  /** Bytes this side lets the peer send on a stream before granting more. Default 256 KiB. */
  initialWindow?: number;
  /** Streams open at once on this connection; more are refused with Unavailable. Default 64. */
  maxStreams?: number;
  /** Bytes written to a stream and not yet sent before `write()` waits. Default 1 MiB. */
  maxBufferedPerStream?: number;
  /** Unsent socket bytes above which stream data is held back. Default 1 MiB. */
  maxSocketBuffered?: number;
  /** Parity of the ids this side opens; the peer must use the other. Default 'odd' (the cloud). */
  ids?: 'odd' | 'even';
  /**
   * Called for each stream the peer opens, before its window is granted. It
   * attaches listeners synchronously; a throw closes the stream with the
   * thrown error. Absent: every open is refused with Unavailable.
   */
  onOpen?: (stream: HubStream, open: StreamOpenMessage) => void;
  log: Logger;
}

export interface HubStreamEvents {
  /** A chunk from the peer, in order; the payload may be kept (it is not reused). */
  data: [channel: number, payload: Buffer];
  /**
   * Once, when either side closes or the connection is lost. `error` is the
   * reason the closing side gave (an errors.ts class, so `isNotFound` etc.
   * work), or Unavailable when the connection was lost; absent for a clean close.
   */
  close: [error?: Error];
}

/**
 * One stream. Created by `StreamMux.open` (opener) or given to `onOpen`
 * (acceptor); never constructed directly.
 */
export class HubStream extends EventEmitter<HubStreamEvents> {
  readonly sid: number;
  readonly kind: StreamKind;
  readonly params: Record<string, unknown>;
  readonly #core: StreamCore;

  constructor(core: StreamCore, sid: number, kind: StreamKind, params: Record<string, unknown>) {
    super();
    this.#core = core;
    this.sid = sid;
    this.kind = kind;
    this.params = params;
  }

  /**
   * Sends `data` on `channel` (0-255), split into frames of at most 64 KiB, in
   * order with earlier writes. Resolves once at most `maxBufferedPerStream`
   * bytes of everything written so far (this write included) still wait to be
   * handed to the socket (with that option 0: once the last byte is handed
   * over), so it waits while the peer's window is used up and the buffer is
   * full. Rejects if the stream is closed, or closes with an error or by the
   * peer before then (the data may be partly sent).
   */
  write(channel: number, data: Uint8Array): Promise<void> {
    return this.#core.write(channel, data);
  }

  /** Stops 'data' events; what arrives meanwhile is held (at most the granted window). */
  pause(): void {
    this.#core.paused = true;
  }

  /** Delivers what was held, then resumes 'data' events and window grants. */
  resume(): void {
    this.#core.resume();
  }

  /**
   * Closes the stream. Without `error`, data already written is sent first
   * (as the peer's window allows), then `close`; with `error`, unsent data is
   * dropped and the peer gets the error at once. No writes are accepted
   * after. Idempotent; 'close' fires once the close is sent.
   */
  close(error?: Error): void {
    this.#core.close(error);
  }

  /** True once `close` was called or the peer closed. */
  get closed(): boolean {
    return this.#core.state !== 'open';
  }

  /** Bytes written and not yet handed to the socket. */
  get bufferedAmount(): number {
    return this.#core.queuedBytes;
  }

  /** Bytes received and held for a paused consumer. */
  get receivedBuffered(): number {
    return this.#core.inboxBytes;
  }
}

/** What a stream needs of its mux. */
interface MuxPort {
  readonly log: Logger;
  readonly maxBuffered: number;
  readonly grantThreshold: number;
  text(message: StreamControlMessage): void;
  data(sid: number, channel: number, payload: Uint8Array): void;
  /** True if the socket holds too much; the mux then flushes the streams later. */
  congested(): boolean;
  /** The stream is done on the wire: forget its id. */
  release(core: StreamCore): void;
}

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * A stream's state, owned by the mux; `HubStream` is its public face.
 *
 * - open;
 * - ending: closed here without an error, written data still to send (the
 *   stream still receives, and grants, until `close` goes out);
 * - closing: closed by the peer, held data still to deliver to a paused consumer;
 * - closed: 'close' has fired.
 */
class StreamCore {
  readonly stream: HubStream;
  readonly sid: number;
  readonly #port: MuxPort;
  state: 'open' | 'ending' | 'closing' | 'closed' = 'open';
  #closeError?: Error;

  // ---- sending ----
  /** Bytes the peer still accepts. */
  #sendWindow: number;
  readonly #queue: Array<{ channel: number; data: Uint8Array }> = [];
  queuedBytes = 0;
  #written = 0;
  #sent = 0;
  readonly #waiters: Waiter[] = [];

  // ---- receiving ----
  /** Bytes the peer may still send before our next grant. */
  #recvWindow: number;
  /** Bytes consumed and not yet granted back. */
  #ungranted = 0;
  paused = false;
  #draining = false;
  readonly #inbox: Array<[number, Buffer]> = [];
  inboxBytes = 0;

  constructor(
    port: MuxPort,
    sid: number,
    kind: StreamKind,
    params: Record<string, unknown>,
    windows: { send: number; receive: number },
  ) {
    this.#port = port;
    this.sid = sid;
    this.#sendWindow = windows.send;
    this.#recvWindow = windows.receive;
    this.stream = new HubStream(this, sid, kind, params);
  }

  /** Open or ending: on the wire, receiving. */
  get #live(): boolean {
    return this.state === 'open' || this.state === 'ending';
  }

  write(channel: number, data: Uint8Array): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(this.#closeError ?? new UnavailableError('the stream is closed'));
    }
    if (!Number.isInteger(channel) || channel < 0 || channel > 255) {
      return Promise.reject(new InvalidError(`stream channel ${channel}: want 0-255`));
    }
    if (data.length === 0) return Promise.resolve();
    this.#queue.push({ channel, data });
    this.queuedBytes += data.length;
    this.#written += data.length;
    const end = this.#written;
    this.flush(Infinity);
    if (end - this.#sent <= this.#port.maxBuffered) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ end, resolve, reject }));
  }

  /**
   * Hands up to `frames` frames to the socket while the window allows and the
   * socket is not congested. Returns the number of frames sent.
   */
  flush(frames: number): number {
    let n = 0;
    while (
      n < frames &&
      this.#live &&
      this.#queue.length > 0 &&
      this.#sendWindow > 0 &&
      !this.#port.congested()
    ) {
      const head = this.#queue[0]!;
      const size = Math.min(head.data.length, this.#sendWindow, MAX_FRAME_PAYLOAD);
      const payload = head.data.subarray(0, size);
      if (size === head.data.length) this.#queue.shift();
      else head.data = head.data.subarray(size);
      this.#sendWindow -= size;
      this.queuedBytes -= size;
      this.#sent += size;
      this.#port.data(this.sid, head.channel, payload);
      n++;
    }
    const max = this.#port.maxBuffered;
    while (this.#waiters.length > 0 && this.#waiters[0]!.end - this.#sent <= max) {
      this.#waiters.shift()!.resolve();
    }
    if (this.state === 'ending' && this.#queue.length === 0) this.#sendClose(undefined);
    return n;
  }

  get wantsToSend(): boolean {
    return this.#live && this.#queue.length > 0 && this.#sendWindow > 0;
  }

  /** The peer granted `bytes` more. */
  onWindow(bytes: number): void {
    if (!this.#live) return;
    if (this.#sendWindow + bytes > MAX_WINDOW) {
      this.#violation(`the peer granted a window above ${MAX_WINDOW} bytes`);
      return;
    }
    this.#sendWindow += bytes;
    this.flush(Infinity);
  }

  /** Grants the peer `bytes` more (the acceptor's first grant, and returned credit). */
  grant(bytes: number): void {
    if (!this.#live || bytes <= 0) return;
    this.#recvWindow += bytes;
    this.#port.text({ t: 'window', sid: this.sid, bytes });
  }

  onData(channel: number, payload: Buffer): void {
    if (!this.#live) return; // late frame after a close
    if (payload.length > this.#recvWindow) {
      this.#violation(
        `the peer sent ${payload.length} bytes with ${this.#recvWindow} left in its window`,
      );
      return;
    }
    this.#recvWindow -= payload.length;
    if (this.paused || this.#inbox.length > 0) {
      this.#inbox.push([channel, payload]);
      this.inboxBytes += payload.length;
      return;
    }
    this.#deliver(channel, payload);
  }

  #deliver(channel: number, payload: Buffer): void {
    try {
      this.stream.emit('data', channel, payload);
    } catch (err) {
      this.#port.log.warn({ sid: this.sid, err: String(err) }, 'stream data handler threw');
      this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    // Credit goes back in batches of a quarter window, so a stream of small
    // chunks (keystrokes, log lines) does not cost a window message each.
    if (!this.#live) return;
    this.#ungranted += payload.length;
    if (this.#ungranted >= this.#port.grantThreshold) {
      const bytes = this.#ungranted;
      this.#ungranted = 0;
      this.grant(bytes);
    }
  }

  resume(): void {
    this.paused = false;
    if (this.#draining) return; // resumed from inside a data handler: the loop below goes on
    this.#draining = true;
    try {
      while (!this.paused && this.#inbox.length > 0 && this.state !== 'closed') {
        const [channel, payload] = this.#inbox.shift()!;
        this.inboxBytes -= payload.length;
        this.#deliver(channel, payload);
      }
    } finally {
      this.#draining = false;
    }
    if (this.state === 'closing' && this.#inbox.length === 0) this.#finish();
  }

  /** The peer closed the stream. Held data is still delivered before 'close'. */
  onClose(message: StreamCloseMessage): void {
    if (!this.#live) return;
    const error = message.error ? fromWireError(message.error) : undefined;
    this.state = 'closing';
    this.#closeError = error;
    this.#port.release(this);
    this.#stopSending(error ?? new UnavailableError('the stream was closed by the other side'));
    if (this.#inbox.length === 0) this.#finish();
  }

  close(error?: Error): void {
    if (!this.#live) {
      // Closing (the peer closed first) or closed: nothing to tell the peer.
      this.#dropInbox();
      this.#finish();
      return;
    }
    if (error) {
      this.#stopSending(error);
      this.#sendClose(error);
      return;
    }
    if (this.state === 'ending') return;
    this.state = 'ending';
    this.flush(Infinity); // sends `close` now if nothing is queued
  }

  /** The connection is gone: nothing more can be sent or received. */
  abort(error: Error): void {
    if (this.state === 'closed') return;
    this.#closeError ??= error;
    this.#stopSending(error);
    this.#dropInbox();
    this.#finish();
  }

  #sendClose(error: Error | undefined): void {
    this.#port.release(this);
    this.#port.text(
      error
        ? { t: 'close', sid: this.sid, error: toWireError(error) }
        : { t: 'close', sid: this.sid },
    );
    this.#closeError = error;
    this.#dropInbox();
    this.#finish();
  }

  #violation(why: string): void {
    this.#port.log.warn({ sid: this.sid }, `stream flow control violated: ${why}; closing it`);
    this.close(new InvalidError(`flow control violated: ${why}`, { reason: 'FlowControlError' }));
  }

  #stopSending(error: Error): void {
    this.#queue.length = 0;
    this.queuedBytes = 0;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  #dropInbox(): void {
    this.#inbox.length = 0;
    this.inboxBytes = 0;
  }

  #finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    try {
      this.stream.emit('close', this.#closeError);
    } catch (err) {
      this.#port.log.warn({ sid: this.sid, err: String(err) }, 'stream close handler threw');
    }
  }
}

/**
 * The streams of one connection. Create one per WebSocket; after `closeAll`
 * it opens nothing and ignores what it is handed.
 */
export class StreamMux {
  readonly #send: StreamSink;
  readonly #log: Logger;
  readonly #window: number;
  readonly #maxStreams: number;
  readonly #maxSocketBuffered: number;
  readonly #onOpen?: StreamMuxOptions['onOpen'];
  readonly #odd: boolean;
  readonly #port: MuxPort;
  readonly #streams = new Map<number, StreamCore>();
  /** Next id this side opens. */
  #nextSid: number;
  /** Highest id the peer opened. */
  #peerSid = 0;
  #dead?: string;
  #retry?: ReturnType<typeof setTimeout>;
  #unknownLoggedAt = 0;
  #unknownDropped = 0;

  constructor(options: StreamMuxOptions) {
    this.#send = options.send;
    this.#log = options.log;
    this.#window = options.initialWindow ?? DEFAULT_STREAM_WINDOW;
    this.#maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.#maxSocketBuffered = options.maxSocketBuffered ?? DEFAULT_MAX_SOCKET_BUFFERED;
    this.#onOpen = options.onOpen;
    this.#odd = (options.ids ?? 'odd') === 'odd';
    this.#nextSid = this.#odd ? 1 : 2;
    if (!Number.isSafeInteger(this.#window) || this.#window < 1 || this.#window > MAX_WINDOW) {
      throw new InvalidError(`initialWindow: want 1-${MAX_WINDOW} bytes`);
    }
    const maxBuffered = options.maxBufferedPerStream ?? DEFAULT_MAX_BUFFERED_PER_STREAM;
    const send = this.#send;
    this.#port = {
      log: this.#log,
      maxBuffered,
      grantThreshold: Math.max(1, Math.floor(this.#window / 4)),
      text: (message) => {
        if (!this.#dead) send.text(message);
      },
      data: (sid, channel, payload) => send.binary(encodeStreamData(sid, channel, payload)),
      congested: () => {
        if (send.bufferedAmount() <= this.#maxSocketBuffered) return false;
        this.#retryLater();
        return true;
      },
      release: (core) => {
        if (this.#streams.get(core.sid) === core) this.#streams.delete(core.sid);
      },
    };
  }

  /** Streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Opens a stream to the peer. Data written before the peer accepts waits for
   * its window; a refusal arrives as 'close' with the peer's error. Throws
   * Unavailable when `maxStreams` are open or the connection is gone.
   */
  open(kind: StreamKind, params: Record<string, unknown> = {}): HubStream {
    if (this.#dead) throw new UnavailableError(`cannot open a stream: ${this.#dead}`);
    if (this.#streams.size >= this.#maxStreams) {
      throw new UnavailableError(
        `too many streams on this connection (at most ${this.#maxStreams})`,
      );
    }
    const sid = this.#nextSid;
    if (sid > MAX_SID) throw new UnavailableError('stream ids of this connection are used up');
    this.#nextSid += 2;
    const core = new StreamCore(this.#port, sid, kind, params, { send: 0, receive: this.#window });
    this.#streams.set(sid, core);
    this.#send.text({ t: 'open', sid, kind, params, window: this.#window });
    return core.stream;
  }

  /** Handles a decoded `open`, `window` or `close` from the peer. Never throws. */
  handleControl(message: StreamControlMessage): void {
    if (this.#dead) return;
    if (message.t === 'open') {
      this.#accept(message);
      return;
    }
    const core = this.#streams.get(message.sid);
    if (!core) {
      this.#unknown(message.sid, message.t);
      return;
    }
    if (message.t === 'window') core.onWindow(message.bytes);
    else core.onClose(message);
  }

  /**
   * Handles a binary frame from the peer. Throws ProtocolError if it is not a
   * stream data frame (the caller closes the connection, as for bad JSON).
   */
  handleData(frame: Buffer): void {
    const { sid, channel, payload } = decodeStreamData(frame);
    if (this.#dead) return;
    const core = this.#streams.get(sid);
    if (core) core.onData(channel, payload);
    else this.#unknown(sid, 'data');
  }

  /** The connection is gone: every stream closes with Unavailable(`reason`). */
  closeAll(reason: string): void {
    if (this.#dead) return;
    this.#dead = reason;
    if (this.#retry) clearTimeout(this.#retry);
    const error = new UnavailableError(reason);
    const cores = [...this.#streams.values()];
    this.#streams.clear();
    for (const core of cores) core.abort(error);
  }

  #accept(open: StreamOpenMessage): void {
    const { sid } = open;
    const refuse = (error: Error): void =>
      this.#send.text({ t: 'close', sid, error: toWireError(error) });
    if (sid === 0 || sid % 2 === (this.#odd ? 1 : 0)) {
      this.#log.warn({ sid }, 'the peer opened a stream with an id of our parity; refused');
      refuse(new InvalidError(`stream id ${sid}: ids of this parity are not yours to open`));
      return;
    }
    if (sid <= this.#peerSid) {
      // Ids only increase; a reused one means the peer lost track. Whatever it
      // thinks is open under this id is not what we have: close both.
      this.#log.warn({ sid }, 'the peer reused a stream id; refused');
      const existing = this.#streams.get(sid);
      if (existing) existing.close(new InvalidError(`stream id ${sid} reused`));
      else refuse(new InvalidError(`stream id ${sid} reused`));
      return;
    }
    this.#peerSid = sid;
    if (!this.#onOpen) {
      refuse(new UnavailableError(`${open.kind} streams are not served here`));
      return;
    }
    if (this.#streams.size >= this.#maxStreams) {
      this.#log.info({ sid, kind: open.kind }, 'too many streams; refused one');
      refuse(
        new UnavailableError(`too many streams on this connection (at most ${this.#maxStreams})`),
      );
      return;
    }
    if (open.window > MAX_WINDOW) {
      refuse(new InvalidError(`open.window: at most ${MAX_WINDOW}`));
      return;
    }
    const core = new StreamCore(this.#port, sid, open.kind, open.params, {
      send: open.window,
      receive: 0,
    });
    this.#streams.set(sid, core);
    try {
      this.#onOpen(core.stream, open);
    } catch (err) {
      this.#log.info({ sid, kind: open.kind, err: String(err) }, 'stream refused');
      core.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    core.grant(this.#window);
  }

  /** A frame for an id not open: late (dropped quietly) or never opened (logged, at most 1/s). */
  #unknown(sid: number, what: string): void {
    const ours = sid % 2 === (this.#odd ? 1 : 0);
    const seen = sid > 0 && (ours ? sid < this.#nextSid : sid <= this.#peerSid);
    if (seen) return;
    this.#unknownDropped++;
    const now = Date.now();
    if (now - this.#unknownLoggedAt < 1000) return;
    this.#unknownLoggedAt = now;
    this.#log.warn(
      { sid, what, dropped: this.#unknownDropped },
      'stream message for a stream never opened; dropped',
    );
    this.#unknownDropped = 0;
  }

  #retryLater(): void {
    if (this.#retry || this.#dead) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#flushAll();
    }, CONGESTION_RETRY_MS);
    this.#retry.unref?.();
  }

  /** After congestion: one frame per stream per round, so no stream starves the others. */
  #flushAll(): void {
    let progress = true;
    while (progress && !this.#retry) {
      progress = false;
      for (const core of this.#streams.values()) {
        if (core.wantsToSend && core.flush(1) > 0) progress = true;
        if (this.#retry) return; // congested again
      }
    }
  }
}
