/**
 * A small SPDY/3.1 server for what kubectl up to 1.29 (and 1.30+ when the
 * WebSocket upgrade fails, or tunnelled over WebSocket for port-forward from
 * 1.31) speaks to an API server: the client opens streams with SYN_STREAM,
 * the server accepts each with SYN_REPLY, both send DATA, FIN half-closes.
 *
 * The framing (frame encoding and parsing, constants, the header-block
 * writer) lives in src/util/spdy-frames.ts, shared with the edge's SPDY
 * client, and is re-exported here. Header blocks are zlib streams with the
 * SPDY/3 preset dictionary, one compression context per direction for the
 * life of the connection. Ours are written as stored (uncompressed) deflate
 * blocks (see HeaderWriter); theirs are inflated for real (HeaderReader).
 *
 * Flow control: the Go client (moby/spdystream) neither waits for window
 * updates nor sends them, so this server does not enforce either window; it
 * sends WINDOW_UPDATE for what it consumed (harmless, and what a stricter
 * peer needs) and, for backpressure, stops reading the socket while a stream
 * is paused.
 *
 * Anything malformed (bad version, truncated or oversized frame, bad header
 * block, stream ids out of order) ends the connection with GOAWAY
 * PROTOCOL_ERROR; the server itself never throws for what a client sends.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants as zconst, createInflate, type Inflate } from 'node:zlib';
import type { Logger } from '../../util/log.ts';
import {
  encodeFrame,
  FLAG_FIN,
  GoAwayStatus,
  HeaderWriter,
  MAX_DATA_PAYLOAD,
  parseFrames,
  RstStatus,
  SPDY_DICTIONARY,
  SpdyProtocolError,
  type SpdyFrame,
  type SpdyHeaders,
} from '../../util/spdy-frames.ts';

export {
  encodeFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameType,
  GoAwayStatus,
  HeaderWriter,
  MAX_CONTROL_PAYLOAD,
  MAX_DATA_PAYLOAD,
  parseFrames,
  RstStatus,
  SPDY_DICTIONARY,
  SPDY_VERSION,
  SpdyProtocolError,
  type SpdyFrame,
  type SpdyHeaders,
} from '../../util/spdy-frames.ts';

/** Largest decompressed header block accepted. */
const MAX_HEADER_BLOCK = 64 * 1024;
const MAX_HEADER_COUNT = 256;

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const fail = (why: string): never => {
    throw new SpdyProtocolError(`header block: ${why}`);
  };
  if (block.length < 4) fail('truncated');
  const count = block.readUInt32BE(0);
  if (count > MAX_HEADER_COUNT) fail(`${count} headers (at most ${MAX_HEADER_COUNT})`);
  const headers: SpdyHeaders = {};
  let at = 4;
  const take = (): string => {
    if (block.length - at < 4) fail('truncated');
    const len = block.readUInt32BE(at);
    at += 4;
    if (block.length - at < len) fail('truncated');
    const s = block.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take();
    const value = take();
    if (name === '') fail('empty header name');
    if (Object.hasOwn(headers, name)) fail(`header ${name} repeated`);
    headers[name] = value;
  }
  if (at !== block.length) fail('bytes after the last header');
  return headers;
}

/** The receiving side's decompressor: one inflate context for the connection. */
export class HeaderReader {
  readonly #inflate: Inflate;
  #chunks: Buffer[] = [];
  #size = 0;
  #error?: Error;
  #failPending?: (err: Error) => void;

  constructor() {
    this.#inflate = createInflate({ dictionary: SPDY_DICTIONARY });
    this.#inflate.on('data', (chunk: Buffer) => {
      this.#size += chunk.length;
      if (this.#size <= MAX_HEADER_BLOCK) this.#chunks.push(chunk);
    });
    this.#inflate.on('error', (err) => {
      this.#error ??= new SpdyProtocolError(`header block does not inflate: ${err.message}`);
      // After an error zlib never calls the flush callback: fail the block waiting for it.
      this.#failPending?.(this.#error);
    });
  }

  /** Inflates one block (in order: the context carries over). Rejects with SpdyProtocolError. */
  decompress(block: Buffer): Promise<SpdyHeaders> {
    return new Promise((resolve, reject) => {
      if (this.#error) {
        reject(this.#error);
        return;
      }
      this.#failPending = reject;
      this.#inflate.write(block);
      this.#inflate.flush(zconst.Z_SYNC_FLUSH, () => {
        this.#failPending = undefined;
        const out = Buffer.concat(this.#chunks);
        const size = this.#size;
        this.#chunks = [];
        this.#size = 0;
        if (this.#error) return reject(this.#error);
        if (size > MAX_HEADER_BLOCK) {
          return reject(new SpdyProtocolError(`header block over ${MAX_HEADER_BLOCK} bytes`));
        }
        try {
          resolve(decodeHeaderBlock(out));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  close(): void {
    this.#inflate.close();
  }
}

// ---- the server connection ----

export interface SpdyStreamEvents {
  data: [chunk: Buffer];
  /** The client half-closed (FIN): it sends nothing more. */
  end: [];
  /** The stream is gone for good (reset by either side, both sides finished, or the connection closed). */
  close: [];
}

/** One client-opened stream. */
export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  readonly id: number;
  readonly headers: SpdyHeaders;
  readonly #conn: SpdyConnection;
  remoteEnded = false;
  localEnded = false;
  reset = false;
  #paused = false;

  constructor(conn: SpdyConnection, id: number, headers: SpdyHeaders) {
    super();
    this.#conn = conn;
    this.id = id;
    this.headers = headers;
  }

  /**
   * Sends `data`. Returns false when the socket's buffer is full: wait for
   * the connection's 'drain' before writing much more.
   */
  write(data: Uint8Array): boolean {
    if (this.localEnded || this.reset || data.length === 0) return true;
    return this.#conn.sendData(this.id, Buffer.from(data.buffer, data.byteOffset, data.length), 0);
  }

  /** Half-closes our side (FIN). Idempotent. */
  end(): void {
    if (this.localEnded || this.reset) return;
    this.localEnded = true;
    this.#conn.sendData(this.id, Buffer.alloc(0), FLAG_FIN);
    this.#conn.maybeForget(this);
  }

  /** Resets the stream (RST_STREAM CANCEL). Idempotent. */
  cancel(): void {
    if (this.reset) return;
    this.#conn.sendReset(this.id, RstStatus.Cancel);
    this.destroyed();
  }

  /** Stops reading the socket (coarse: the one TCP connection) until resumed. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#conn.pauseInput(1);
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#conn.pauseInput(-1);
  }

  /** @internal the stream is gone. */
  destroyed(): void {
    if (this.reset) return;
    this.reset = true;
    this.resume();
    this.#conn.forget(this.id);
    this.emit('close');
  }
}

export interface SpdyConnectionOptions {
  log: Logger;
  /** Streams open at once; more are refused (RST_STREAM REFUSED_STREAM). Default 100. */
  maxStreams?: number;
}

export interface SpdyConnectionEvents {
  /** A new stream, already accepted with SYN_REPLY. */
  stream: [stream: SpdyStream];
  /** The socket's buffer drained (see `SpdyStream.write`). */
  drain: [];
  /** Once: the connection is closed; `error` when it ended on a protocol error. */
  close: [error?: Error];
}

/** The server end of one SPDY/3.1 connection over `socket` (after the HTTP upgrade). */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  readonly #socket: Duplex;
  readonly #log: Logger;
  readonly #maxStreams: number;
  readonly #streams = new Map<number, SpdyStream>();
  readonly #writer = new HeaderWriter();
  readonly #reader = new HeaderReader();
  #buffer: Buffer = Buffer.alloc(0);
  /** Frames parsed and not yet handled (SYN_STREAM waits for its header block). */
  readonly #pending: SpdyFrame[] = [];
  #handling = false;
  #lastStreamId = 0;
  #pauses = 0;
  #closed = false;

  constructor(socket: Duplex, options: SpdyConnectionOptions) {
    super();
    this.#socket = socket;
    this.#log = options.log;
    this.#maxStreams = options.maxStreams ?? 100;
    socket.on('data', (chunk: Buffer) => this.#onBytes(chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('end', () => this.close());
    socket.on('close', () => this.#finish());
    socket.on('error', (err) => {
      this.#log.debug({ err: err.message }, 'SPDY socket error');
      this.#finish();
    });
    // The HTTP server hands over upgraded sockets paused.
    socket.resume();
  }

  /** Feeds bytes that arrived with the upgrade request (`head`). */
  push(bytes: Buffer): void {
    if (bytes.length > 0) this.#onBytes(bytes);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends GOAWAY and ends the socket once what was written is flushed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#send(
      encodeFrame({
        type: 'goaway',
        lastGoodStreamId: this.#lastStreamId,
        status: GoAwayStatus.Ok,
      }),
    );
    this.#socket.end();
    this.#finish();
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#log.info({ err: err.message }, 'SPDY connection closed on a protocol error');
    this.#send(
      encodeFrame({
        type: 'goaway',
        lastGoodStreamId: this.#lastStreamId,
        status: GoAwayStatus.ProtocolError,
      }),
    );
    this.#socket.end();
    this.#finish(err);
    // A client that does not close its end in time is cut off.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  #finish(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.length = 0;
    this.#reader.close();
    for (const s of [...this.#streams.values()]) s.destroyed();
    this.#streams.clear();
    if (this.#pauses > 0) this.#socket.resume();
    this.emit('close', error);
  }

  /** @internal */
  sendData(id: number, data: Buffer, flags: number): boolean {
    if (this.#closed) return true;
    if (data.length === 0) {
      return this.#send(encodeFrame({ type: 'data', streamId: id, flags, data }));
    }
    let ok = true;
    for (let at = 0; at < data.length; at += MAX_DATA_PAYLOAD) {
      const chunk = data.subarray(at, at + MAX_DATA_PAYLOAD);
      const last = at + MAX_DATA_PAYLOAD >= data.length;
      ok = this.#send(
        encodeFrame({ type: 'data', streamId: id, flags: last ? flags : 0, data: chunk }),
      );
    }
    return ok;
  }

  /** @internal */
  sendReset(id: number, status: number): void {
    this.#send(encodeFrame({ type: 'rst_stream', streamId: id, status }));
  }

  /** @internal */
  forget(id: number): void {
    this.#streams.delete(id);
  }

  /** @internal both sides have finished the stream. */
  maybeForget(stream: SpdyStream): void {
    if (stream.localEnded && stream.remoteEnded) stream.destroyed();
  }

  /** @internal */
  pauseInput(delta: number): void {
    const before = this.#pauses;
    this.#pauses += delta;
    if (before === 0 && this.#pauses > 0) this.#socket.pause();
    else if (before > 0 && this.#pauses === 0) {
      this.#socket.resume();
      this.#drainPending();
    }
  }

  #send(frame: Buffer): boolean {
    if (this.#socket.destroyed || this.#socket.writableEnded) return true;
    return this.#socket.write(frame);
  }

  #onBytes(chunk: Buffer): void {
    if (this.#closed) return;
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let parsed;
    try {
      parsed = parseFrames(this.#buffer);
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    this.#buffer = this.#buffer.subarray(parsed.consumed);
    this.#pending.push(...parsed.frames);
    this.#drainPending();
  }

  /** Handles queued frames in order; a SYN_STREAM holds the queue until its headers are inflated. */
  #drainPending(): void {
    if (this.#handling) return;
    this.#handling = true;
    try {
      while (this.#pending.length > 0 && !this.#closed && this.#pauses === 0) {
        const frame = this.#pending.shift()!;
        if (frame.type === 'syn_stream') {
          this.#reader.decompress(frame.headers).then(
            (headers) => {
              this.#handling = false;
              this.#onSynStream(frame, headers);
              this.#drainPending();
            },
            (err: Error) => {
              this.#handling = false;
              this.#fail(err);
            },
          );
          return; // #handling stays true until the headers are in
        }
        if (frame.type === 'headers') {
          // Headers after SYN_STREAM mean nothing here, but their block still
          // advances the shared zlib context: inflate it, in order.
          this.#reader.decompress(frame.headers).then(
            () => {
              this.#handling = false;
              this.#drainPending();
            },
            (err: Error) => {
              this.#handling = false;
              this.#fail(err);
            },
          );
          return;
        }
        this.#onFrame(frame);
      }
      this.#handling = false;
    } catch (err) {
      this.#handling = false;
      this.#fail(err as Error);
    }
  }

  #onSynStream(frame: Extract<SpdyFrame, { type: 'syn_stream' }>, headers: SpdyHeaders): void {
    if (this.#closed) return;
    const id = frame.streamId;
    if (id === 0 || id % 2 === 0 || id <= this.#lastStreamId) {
      this.#fail(
        new SpdyProtocolError(`SYN_STREAM with stream id ${id} (after ${this.#lastStreamId})`),
      );
      return;
    }
    this.#lastStreamId = id;
    if (this.#streams.size >= this.#maxStreams) {
      this.sendReset(id, RstStatus.RefusedStream);
      return;
    }
    const stream = new SpdyStream(this, id, headers);
    this.#streams.set(id, stream);
    this.#send(
      encodeFrame({
        type: 'syn_reply',
        streamId: id,
        flags: 0,
        headers: this.#writer.compress({}),
      }),
    );
    if (frame.flags & FLAG_FIN) stream.remoteEnded = true;
    this.emit('stream', stream);
    if (stream.remoteEnded && !stream.reset) {
      stream.emit('end');
      this.maybeForget(stream);
    }
  }

  #onFrame(frame: SpdyFrame): void {
    switch (frame.type) {
      case 'data': {
        const stream = this.#streams.get(frame.streamId);
        if (!stream) {
          // Late data for a stream reset or finished: drop it (as the Go server does).
          if (frame.streamId > this.#lastStreamId) {
            this.sendReset(frame.streamId, RstStatus.InvalidStream);
          }
          return;
        }
        if (stream.remoteEnded) {
          this.sendReset(frame.streamId, RstStatus.StreamAlreadyClosed);
          stream.destroyed();
          return;
        }
        if (frame.data.length > 0) {
          this.#send(
            encodeFrame({
              type: 'window_update',
              streamId: frame.streamId,
              delta: frame.data.length,
            }),
          );
          stream.emit('data', frame.data);
        }
        if (frame.flags & FLAG_FIN && !stream.reset) {
          stream.remoteEnded = true;
          stream.emit('end');
          this.maybeForget(stream);
        }
        return;
      }
      case 'rst_stream':
        this.#streams.get(frame.streamId)?.destroyed();
        return;
      case 'ping':
        // Client pings have odd ids; echo them. An even id answers a ping of ours (we send none).
        if (frame.id % 2 === 1) this.#send(encodeFrame(frame));
        return;
      case 'goaway':
        this.close();
        return;
      case 'syn_reply':
        this.#fail(
          new SpdyProtocolError('SYN_REPLY from the client (the server opens no streams)'),
        );
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        return;
      case 'syn_stream':
      case 'headers':
        return; // handled in #drainPending
    }
  }
}
