/**
 * A small SPDY/3.1 server for what kubectl up to 1.29 (and 1.30+ when the
 * WebSocket upgrade fails, or tunnelled over WebSocket for port-forward from
 * 1.31) speaks to an API server: the client opens streams with SYN_STREAM,
 * the server accepts each with SYN_REPLY, both send DATA, FIN half-closes.
 *
 * Frames (all big-endian):
 * - control: `1 | version(15) = 3 | type(16) | flags(8) | length(24) | payload`
 * - data:    `0 | stream id(31) | flags(8) | length(24) | payload`
 *
 * Header blocks are zlib streams with the SPDY/3 preset dictionary, one
 * compression context per direction for the life of the connection. Ours are
 * written as stored (uncompressed) deflate blocks in that one zlib stream:
 * valid for any inflater, and header blocks here are a few bytes, so
 * compressing them buys nothing. Theirs are inflated for real.
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
import { InvalidError } from '../../util/errors.ts';
import type { Logger } from '../../util/log.ts';

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes used here. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
  StreamAlreadyClosed: 9,
} as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/** Largest frame payload accepted: data frames (the Go client writes at most 32 KiB). */
export const MAX_DATA_PAYLOAD = 1024 * 1024;
/** Largest control frame payload accepted (header blocks of a few headers). */
export const MAX_CONTROL_PAYLOAD = 64 * 1024;
/** Largest decompressed header block accepted. */
const MAX_HEADER_BLOCK = 64 * 1024;
const MAX_HEADER_COUNT = 256;
const HEADER = 8;
const MAX_STREAM_ID = 0x7fff_ffff;

/** The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1): 1423 bytes. */
export const SPDY_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset',
    'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization',
    'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language',
    'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date',
    'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
    'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma',
    'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server',
    'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
    'public', 'set-cookie', 'keep-alive', 'origin',
  ]; // prettier-ignore
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
    '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
    '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
    'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
    'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=' +
    'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/** Header names are lowercase on the wire; a name with several values has them NUL-joined. */
export type SpdyHeaders = Record<string, string>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      flags: number;
      headers: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; flags: number; headers: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | {
      type: 'settings';
      flags: number;
      entries: Array<{ flags: number; id: number; value: number }>;
    }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; flags: number; headers: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame type this server does not know; SPDY says ignore it. */
  | { type: 'unknown'; frameType: number };

/** A frame that breaks the protocol; the connection ends with GOAWAY PROTOCOL_ERROR. */
export class SpdyProtocolError extends InvalidError {
  constructor(message: string) {
    super(`SPDY: ${message}`, { reason: 'BadRequest' });
  }
}

// ---- framing ----

/**
 * Splits `buf` into whole frames. Returns the frames and the bytes consumed
 * (an incomplete frame at the end is left for the next call). Header blocks
 * are returned compressed. Throws SpdyProtocolError on a malformed frame.
 */
export function parseFrames(buf: Buffer): { frames: SpdyFrame[]; consumed: number } {
  const frames: SpdyFrame[] = [];
  let at = 0;
  while (buf.length - at >= HEADER) {
    const first = buf.readUInt32BE(at);
    const flags = buf[at + 4]!;
    const length = buf.readUIntBE(at + 5, 3);
    const control = (first & 0x8000_0000) !== 0;
    if (control) {
      const version = (first >>> 16) & 0x7fff;
      if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported version ${version}`);
      if (length > MAX_CONTROL_PAYLOAD) {
        throw new SpdyProtocolError(
          `control frame of ${length} bytes (at most ${MAX_CONTROL_PAYLOAD})`,
        );
      }
    } else if (length > MAX_DATA_PAYLOAD) {
      throw new SpdyProtocolError(`data frame of ${length} bytes (at most ${MAX_DATA_PAYLOAD})`);
    }
    if (buf.length - at < HEADER + length) break;
    const payload = buf.subarray(at + HEADER, at + HEADER + length);
    at += HEADER + length;
    if (!control) {
      const streamId = first & MAX_STREAM_ID;
      if (streamId === 0) throw new SpdyProtocolError('data frame for stream 0');
      frames.push({ type: 'data', streamId, flags, data: payload });
      continue;
    }
    frames.push(parseControl(first & 0xffff, flags, payload));
  }
  return { frames, consumed: at };
}

function parseControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const need = (n: number, what: string): void => {
    if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
  };
  const exactly = (n: number, what: string): void => {
    if (p.length !== n)
      throw new SpdyProtocolError(`${what} frame of ${p.length} bytes, want ${n}`);
  };
  switch (type) {
    case FrameType.SynStream:
      need(10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        associatedId: p.readUInt32BE(4) & MAX_STREAM_ID,
        priority: p[8]! >>> 5,
        flags,
        headers: p.subarray(10),
      };
    case FrameType.SynReply:
      need(4, 'SYN_REPLY');
      return {
        type: 'syn_reply',
        streamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        flags,
        headers: p.subarray(4),
      };
    case FrameType.RstStream:
      exactly(8, 'RST_STREAM');
      return {
        type: 'rst_stream',
        streamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        status: p.readUInt32BE(4),
      };
    case FrameType.Settings: {
      need(4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      exactly(4 + 8 * n, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const o = 4 + 8 * i;
        entries.push({ flags: p[o]!, id: p.readUIntBE(o + 1, 3), value: p.readUInt32BE(o + 4) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      exactly(4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      exactly(8, 'GOAWAY');
      return {
        type: 'goaway',
        lastGoodStreamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        status: p.readUInt32BE(4),
      };
    case FrameType.Headers:
      need(4, 'HEADERS');
      return {
        type: 'headers',
        streamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        flags,
        headers: p.subarray(4),
      };
    case FrameType.WindowUpdate:
      exactly(8, 'WINDOW_UPDATE');
      return {
        type: 'window_update',
        streamId: p.readUInt32BE(0) & MAX_STREAM_ID,
        delta: p.readUInt32BE(4) & MAX_STREAM_ID,
      };
    default:
      return { type: 'unknown', frameType: type };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE((0x8000_0000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  frame[4] = flags;
  frame.writeUIntBE(payload.length, 5, 3);
  payload.copy(frame, HEADER);
  return frame;
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Encodes a frame; header blocks (`headers`) must already be compressed. */
export function encodeFrame(frame: SpdyFrame): Buffer {
  switch (frame.type) {
    case 'data': {
      const out = Buffer.allocUnsafe(HEADER + frame.data.length);
      out.writeUInt32BE(frame.streamId & MAX_STREAM_ID, 0);
      out[4] = frame.flags;
      out.writeUIntBE(frame.data.length, 5, 3);
      frame.data.copy(out, HEADER);
      return out;
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId, 0);
      fixed.writeUInt32BE(frame.associatedId, 4);
      fixed[8] = (frame.priority & 7) << 5;
      return controlFrame(FrameType.SynStream, frame.flags, Buffer.concat([fixed, frame.headers]));
    }
    case 'syn_reply':
      return controlFrame(
        FrameType.SynReply,
        frame.flags,
        Buffer.concat([u32s(frame.streamId), frame.headers]),
      );
    case 'rst_stream':
      return controlFrame(FrameType.RstStream, 0, u32s(frame.streamId, frame.status));
    case 'settings': {
      const b = Buffer.alloc(4 + 8 * frame.entries.length);
      b.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        b[4 + 8 * i] = e.flags;
        b.writeUIntBE(e.id, 5 + 8 * i, 3);
        b.writeUInt32BE(e.value, 8 + 8 * i);
      });
      return controlFrame(FrameType.Settings, frame.flags, b);
    }
    case 'ping':
      return controlFrame(FrameType.Ping, 0, u32s(frame.id));
    case 'goaway':
      return controlFrame(FrameType.GoAway, 0, u32s(frame.lastGoodStreamId, frame.status));
    case 'headers':
      return controlFrame(
        FrameType.Headers,
        frame.flags,
        Buffer.concat([u32s(frame.streamId), frame.headers]),
      );
    case 'window_update':
      return controlFrame(FrameType.WindowUpdate, 0, u32s(frame.streamId, frame.delta));
    case 'unknown':
      throw new InvalidError('cannot encode an unknown frame');
  }
}

/** The uncompressed header block: count, then (name length, name, value length, value). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32s(n.length), n, u32s(v.length), v);
  }
  return Buffer.concat(parts);
}

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

/**
 * The sending side's header compressor: one zlib stream for the connection,
 * each block a sync-flushed run of stored deflate blocks.
 */
export class HeaderWriter {
  #started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.#started) {
      this.#started = true;
      // CMF: deflate, 32 KiB window; FLG: FDICT set, FCHECK making CMF*256+FLG a multiple of 31.
      const cmf = 0x78;
      let flg = 0x20 | 0x80;
      flg += 31 - ((cmf * 256 + flg) % 31);
      parts.push(Buffer.from([cmf, flg]), u32s(adler32(SPDY_DICTIONARY)));
    }
    // Never empty: a block holds at least its 4-byte count.
    for (let at = 0; at < raw.length; at += 0xffff) {
      const chunk = raw.subarray(at, at + 0xffff);
      const head = Buffer.alloc(5);
      head[0] = 0; // BFINAL=0, BTYPE=00 (stored), then padding to the byte
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    // The sync-flush marker (an empty stored block): a streaming inflater
    // (Go's flate) hands out a stored block's bytes only when the next block
    // starts, so without it they would stay behind until the next frame.
    parts.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
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
