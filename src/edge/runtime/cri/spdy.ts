/**
 * A minimal SPDY/3.1 client session, enough for the CRI streaming server (the
 * kubelet's streaming library as vendored by containerd, on moby/spdystream):
 * an HTTP/1.1 Upgrade to `SPDY/3.1`, then client-initiated streams whose
 * SYN_STREAM headers name their role (`streamtype: stdout`, ...), data frames
 * both ways, and a FIN to half-close a stream (what ends a command's stdin,
 * which the WebSocket channel protocol v4 cannot express).
 *
 * What it leaves out, and why that is fine for this peer:
 * - Flow control: spdystream neither sends nor honours WINDOW_UPDATE.
 * - Reading header blocks: the server's SYN_REPLY carries nothing we need, so
 *   its (dictionary-compressed) block is skipped unread.
 * - Compressing against the SPDY dictionary: our header blocks are deflated
 *   without back-references, one sync-flushed piece per frame, after a zlib
 *   header that declares no dictionary; any inflater (Go's included) reads that.
 * - Server push, SETTINGS, priorities: ignored.
 */
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';

const VERSION = 3;
const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const TYPE_HEADERS = 8;
const FLAG_FIN = 0x01;
const MAX_DATA = 32 * 1024;

export interface SpdyStream extends EventEmitter<{ data: [Buffer]; end: [] }> {
  readonly id: number;
  write(data: Buffer): boolean;
  /** Half-closes our side (FIN); the peer sees EOF. */
  end(): void;
}

class Stream extends EventEmitter<{ data: [Buffer]; end: [] }> implements SpdyStream {
  readonly id: number;
  readonly #session: SpdySession;
  ended = false;
  #finSent = false;

  constructor(session: SpdySession, id: number) {
    super();
    this.#session = session;
    this.id = id;
  }

  write(data: Buffer): boolean {
    let ok = true;
    for (let off = 0; off < data.length; off += MAX_DATA) {
      ok = this.#session.writeData(this.id, data.subarray(off, off + MAX_DATA), false);
    }
    return ok;
  }

  end(): void {
    if (this.#finSent) return;
    this.#finSent = true;
    this.#session.writeData(this.id, Buffer.alloc(0), true);
  }

  remoteEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end');
  }
}

export class SpdySession extends EventEmitter<{ close: [] }> {
  readonly socket: Socket;
  /** The subprotocol the server chose (`X-Stream-Protocol-Version`). */
  readonly protocol: string;
  readonly #streams = new Map<number, Stream>();
  #nextId = 1;
  #headerStarted = false;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(socket: Socket, protocol: string, head: Buffer) {
    super();
    this.socket = socket;
    this.protocol = protocol;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      for (const stream of this.#streams.values()) stream.remoteEnd();
      this.emit('close');
    });
    socket.on('error', () => socket.destroy());
    if (head.length > 0) this.#receive(head);
  }

  /** Opens a stream with these headers (names are sent lower-cased, as SPDY requires). */
  openStream(headers: Record<string, string>): SpdyStream {
    const id = this.#nextId;
    this.#nextId += 2;
    const stream = new Stream(this, id);
    this.#streams.set(id, stream);
    const body = Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), this.#headerBlock(headers)]);
    this.socket.write(Buffer.concat([controlHeader(TYPE_SYN_STREAM, 0, body.length), body]));
    return stream;
  }

  writeData(id: number, data: Buffer, fin: boolean): boolean {
    if (this.socket.destroyed) return false;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(id & 0x7fffffff, 0);
    header.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | data.length) >>> 0, 4);
    return this.socket.write(Buffer.concat([header, data]));
  }

  close(): void {
    this.socket.destroy();
  }

  #headerBlock(headers: Record<string, string>): Buffer {
    const entries = Object.entries(headers);
    const parts: Buffer[] = [u32(entries.length)];
    for (const [name, value] of entries) {
      const n = Buffer.from(name.toLowerCase());
      const v = Buffer.from(value);
      parts.push(u32(n.length), n, u32(v.length), v);
    }
    const deflated = deflateRawSync(Buffer.concat(parts), { finishFlush: constants.Z_SYNC_FLUSH });
    if (this.#headerStarted) return deflated;
    this.#headerStarted = true;
    return Buffer.concat([Buffer.from([0x78, 0x9c]), deflated]);
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 8) {
      const length = this.#buffer.readUIntBE(5, 3);
      if (this.#buffer.length < 8 + length) break;
      const frame = this.#buffer.subarray(0, 8 + length);
      this.#buffer = this.#buffer.subarray(8 + length);
      this.#frame(frame);
    }
  }

  #frame(frame: Buffer): void {
    const flags = frame[4];
    const body = frame.subarray(8);
    if ((frame[0] & 0x80) === 0) {
      const stream = this.#streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!stream) return;
      if (body.length > 0) stream.emit('data', Buffer.from(body));
      if (flags & FLAG_FIN) stream.remoteEnd();
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case TYPE_SYN_REPLY:
      case TYPE_HEADERS:
      case TYPE_RST_STREAM: {
        const stream = this.#streams.get(body.readUInt32BE(0) & 0x7fffffff);
        if (stream && (type === TYPE_RST_STREAM || flags & FLAG_FIN)) stream.remoteEnd();
        break;
      }
      case TYPE_PING:
        this.socket.write(frame);
        break;
      case TYPE_GOAWAY:
        this.socket.end();
        break;
    }
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(0x8000 | VERSION, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE((((flags & 0xff) << 24) | length) >>> 0, 4);
  return b;
}

/** Upgrades `url` (http://) to SPDY/3.1, offering `protocols` (e.g. v4.channel.k8s.io). */
export function connectSpdy(
  url: string,
  protocols: string[],
  signal?: AbortSignal,
): Promise<SpdySession> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'SPDY/3.1',
        'X-Stream-Protocol-Version': protocols,
      },
      signal,
    });
    req.on('upgrade', (res, socket, head) => {
      const chosen = res.headers['x-stream-protocol-version'];
      resolve(new SpdySession(socket, Array.isArray(chosen) ? chosen[0] : (chosen ?? ''), head));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        reject(
          new Error(
            `${url}: upgrade refused: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').trim()}`,
          ),
        ),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
