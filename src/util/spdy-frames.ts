/**
 * SPDY/3.1 framing shared by the API server's SPDY server (src/hub/cloud/spdy.ts)
 * and the edge's SPDY client for containerd's streaming server
 * (src/edge/runtime/cri/spdy.ts).
 *
 * Frames (all big-endian):
 * - control: `1 | version(15) = 3 | type(16) | flags(8) | length(24) | payload`
 * - data:    `0 | stream id(31) | flags(8) | length(24) | payload`
 *
 * Header blocks are zlib streams (with the SPDY/3 preset dictionary), one
 * compression context per direction for the life of the connection. The
 * writer here emits stored (uncompressed) deflate blocks in that one zlib
 * stream: valid for any inflater, and header blocks are a few bytes, so
 * compressing them buys nothing.
 */
import { InvalidError } from './errors.ts';

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

/**
 * The sending side's header compressor: one zlib stream for the connection,
 * each block a sync-flushed run of stored deflate blocks.
 */
export class HeaderWriter {
  readonly #dictionary: boolean;
  #started = false;

  /**
   * `dictionary: false` declares no preset dictionary in the zlib header
   * (the blocks never refer back, so any inflater reads them, with or
   * without the SPDY dictionary at hand). Default: the SPDY dictionary.
   */
  constructor(options: { dictionary?: boolean } = {}) {
    this.#dictionary = options.dictionary ?? true;
  }

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.#started) {
      this.#started = true;
      // CMF: deflate, 32 KiB window; FLG: default level, FDICT when declaring
      // the dictionary, FCHECK making CMF*256+FLG a multiple of 31.
      const cmf = 0x78;
      let flg = this.#dictionary ? 0x20 | 0x80 : 0x80;
      flg += 31 - ((cmf * 256 + flg) % 31);
      parts.push(Buffer.from([cmf, flg]));
      if (this.#dictionary) parts.push(u32s(adler32(SPDY_DICTIONARY)));
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
