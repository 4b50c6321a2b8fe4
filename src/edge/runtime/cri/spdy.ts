/**
 * A minimal SPDY/3.1 client session, enough for the CRI streaming server (the
 * kubelet's streaming library as vendored by containerd, on moby/spdystream):
 * an HTTP/1.1 Upgrade to `SPDY/3.1`, then client-initiated streams whose
 * SYN_STREAM headers name their role (`streamtype: stdout`, ...), data frames
 * both ways, and a FIN to half-close a stream (what ends a command's stdin,
 * which the WebSocket channel protocol v4 cannot express).
 *
 * Frames are encoded and parsed by the framing shared with the API server's
 * SPDY server (src/util/spdy-frames.ts).
 *
 * What it leaves out, and why that is fine for this peer:
 * - Flow control: spdystream neither sends nor honours WINDOW_UPDATE.
 * - Reading header blocks: the server's SYN_REPLY carries nothing we need, so
 *   its (dictionary-compressed) block is skipped unread.
 * - Compressing against the SPDY dictionary: our header blocks are stored
 *   (uncompressed) deflate blocks, one sync-flushed piece per frame, after a
 *   zlib header that declares no dictionary; any inflater (Go's included)
 *   reads that.
 * - Server push, SETTINGS, priorities: ignored.
 */
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import {
  encodeFrame,
  FLAG_FIN,
  HeaderWriter,
  parseFrames,
  type SpdyFrame,
} from '../../../util/spdy-frames.ts';

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
  readonly #headers = new HeaderWriter({ dictionary: false });
  #nextId = 1;
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
    this.socket.write(
      encodeFrame({
        type: 'syn_stream',
        streamId: id,
        associatedId: 0,
        priority: 0,
        flags: 0,
        headers: this.#headers.compress(headers),
      }),
    );
    return stream;
  }

  writeData(id: number, data: Buffer, fin: boolean): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(
      encodeFrame({ type: 'data', streamId: id, flags: fin ? FLAG_FIN : 0, data }),
    );
  }

  close(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let parsed;
    try {
      parsed = parseFrames(this.#buffer);
    } catch {
      // A malformed frame: nothing more on this connection can be trusted.
      this.socket.destroy();
      return;
    }
    this.#buffer = this.#buffer.subarray(parsed.consumed);
    for (const frame of parsed.frames) this.#frame(frame);
  }

  #frame(frame: SpdyFrame): void {
    switch (frame.type) {
      case 'data': {
        const stream = this.#streams.get(frame.streamId);
        if (!stream) return;
        if (frame.data.length > 0) stream.emit('data', Buffer.from(frame.data));
        if (frame.flags & FLAG_FIN) stream.remoteEnd();
        return;
      }
      case 'syn_reply':
      case 'headers':
        if (frame.flags & FLAG_FIN) this.#streams.get(frame.streamId)?.remoteEnd();
        return;
      case 'rst_stream':
        this.#streams.get(frame.streamId)?.remoteEnd();
        return;
      case 'ping':
        this.socket.write(encodeFrame(frame));
        return;
      case 'goaway':
        this.socket.end();
        return;
      default:
        return;
    }
  }
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
