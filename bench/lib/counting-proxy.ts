/**
 * A TCP proxy that counts every byte it forwards, for measuring what a link
 * costs on the wire: it sits between a client and a server and sees TLS
 * records (and whatever they carry) exactly as a network would, in both
 * directions. TCP/IP headers are not seen; `reads` counts the chunks read per
 * direction, about one TCP segment each for the small messages of an idle link.
 *
 * It can also cut the link: `cut()` drops every connection and holds new ones
 * (accepted, not forwarded) until `restore()` forwards them. A client
 * that retries with backoff therefore has a connection waiting at the moment
 * of the restore, so the time from restore to "in sync" measures the protocol,
 * not where the client happened to be in its backoff.
 */
import { EventEmitter } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Bytes and reads per direction: `up` is client -> server, `down` server -> client. */
export interface Traffic {
  up: number;
  down: number;
  upReads: number;
  downReads: number;
}

/** One chunk read, when recording is on (ms from performance.now()). */
export interface Chunk {
  at: number;
  dir: 'up' | 'down';
  bytes: number;
}

interface Held {
  socket: Socket;
  since: number;
  /** What the client sent while held (its TLS ClientHello), forwarded on restore. */
  pending: Buffer[];
  onData: (chunk: Buffer) => void;
}

export interface CountingProxyEvents {
  /** A client connection was connected through to the server. */
  forwarded: [at: number];
  /** A client connection arrived while cut and is being held. */
  held: [at: number];
}

export class CountingProxy extends EventEmitter<CountingProxyEvents> {
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #live = new Set<Socket>();
  #held: Held[] = [];
  #cut = false;
  #total: Traffic = { up: 0, down: 0, upReads: 0, downReads: 0 };
  #lastChunkAt = performance.now();
  /** Chunks read while recording (see `record`). */
  chunks?: Chunk[];

  constructor(target: { host: string; port: number }) {
    super();
    this.#target = target;
    this.#server = createServer((client) => this.#onClient(client));
  }

  /** Listens on 127.0.0.1 on a free port; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  /** Counters since the proxy started (subtract two snapshots for a window). */
  snapshot(): Traffic {
    return { ...this.#total };
  }

  /** Starts (or restarts) keeping a list of chunks read. */
  record(): void {
    this.chunks = [];
  }

  /** Resolves once nothing has been forwarded for `ms`; rejects after `timeoutMs`. */
  async quiet(ms: number, timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const idle = performance.now() - this.#lastChunkAt;
      if (idle >= ms) return;
      if (performance.now() > deadline) {
        throw new Error(`the link did not go quiet for ${ms} ms within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, ms - idle + 5));
    }
  }

  /** Drops every connection; new ones are held until `restore()`. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#live) s.destroy();
    this.#live.clear();
  }

  /**
   * Resolves when a connection is held that arrived less than `maxAgeMs` ago
   * (a client gives up on a handshake after a while; an old one may be about to).
   */
  waitHeld(maxAgeMs: number, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const fresh = (): boolean =>
        this.#held.some((h) => !h.socket.destroyed && performance.now() - h.since < maxAgeMs);
      if (fresh()) return resolve();
      const timer = setTimeout(() => {
        this.off('held', onHeld);
        reject(new Error(`no client connection arrived within ${timeoutMs} ms of the cut`));
      }, timeoutMs);
      const onHeld = (): void => {
        clearTimeout(timer);
        this.off('held', onHeld);
        resolve();
      };
      this.on('held', onHeld);
    });
  }

  /**
   * Forwards held connections younger than `maxAgeMs` (older ones are dropped:
   * their client may have given up on the handshake), and every new one from now on.
   */
  restore(maxAgeMs = 10_000): void {
    this.#cut = false;
    const held = this.#held;
    this.#held = [];
    for (const h of held) {
      h.socket.off('data', h.onData);
      h.socket.pause();
      if (performance.now() - h.since < maxAgeMs) this.#forward(h.socket, h.pending);
      else h.socket.destroy();
    }
  }

  /** Resolves with the time (performance.now()) of the next forwarded connection. */
  nextForward(): Promise<number> {
    return new Promise((resolve) => this.once('forwarded', resolve));
  }

  close(): Promise<void> {
    for (const s of this.#live) s.destroy();
    for (const h of this.#held) h.socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #onClient(client: Socket): void {
    client.on('error', () => {});
    if (this.#cut) {
      const pending: Buffer[] = [];
      const held: Held = {
        socket: client,
        since: performance.now(),
        pending,
        onData: (chunk) => pending.push(chunk),
      };
      // Read (and keep) what it sends, so that a client giving up is noticed.
      client.on('data', held.onData);
      this.#held.push(held);
      client.once('close', () => (this.#held = this.#held.filter((h) => h !== held)));
      this.emit('held', held.since);
      return;
    }
    this.#forward(client);
  }

  #forward(client: Socket, pending: Buffer[] = []): void {
    const upstream = connect(this.#target.port, this.#target.host);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    this.#live.add(client);
    this.#live.add(upstream);
    const count = (dir: 'up' | 'down') => (chunk: Buffer) => {
      const now = performance.now();
      this.#lastChunkAt = now;
      if (dir === 'up') {
        this.#total.up += chunk.length;
        this.#total.upReads++;
      } else {
        this.#total.down += chunk.length;
        this.#total.downReads++;
      }
      this.chunks?.push({ at: now, dir, bytes: chunk.length });
    };
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.#live.delete(client);
      this.#live.delete(upstream);
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
    upstream.once('connect', () => {
      this.emit('forwarded', performance.now());
      const up = count('up');
      for (const chunk of pending) {
        up(chunk);
        upstream.write(chunk);
      }
      client.on('data', up);
      upstream.on('data', count('down'));
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
