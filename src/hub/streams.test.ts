/**
 * The stream multiplexer: a cloud mux and an edge mux joined by an in-memory
 * pipe that carries each message through the real encoders and decoders and
 * delivers it on a later turn of the event loop, as a socket would. Then the
 * same streams through a real CloudHub and EdgeLink over TLS on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { testApi, type TestApi } from '../controllers/testing.ts';
import { createCertificateAuthority, issueCertificate } from '../pki/index.ts';
import {
  isInvalid,
  isNotFound,
  isUnavailable,
  NotFoundError,
  UnavailableError,
} from '../util/errors.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { pino } from 'pino';
import { CloudHub } from './cloud/hub.ts';
import { EdgeLink } from './edge/link.ts';
import {
  decodeCloudMessage,
  decodeEdgeMessage,
  encodeMessage,
  encodeStreamData,
  type StreamControlMessage,
} from './protocol.ts';
import type { HubStream } from './streams.ts';
import { MAX_FRAME_PAYLOAD, StreamMux, type StreamMuxOptions, type StreamSink } from './streams.ts';

// ---- the in-memory pipe ----

/** One direction of the pipe: what one mux sends, delivered to the other. */
class Wire {
  readonly #queue: Array<string | Buffer> = [];
  readonly #decode: (text: string) => { t: string };
  #scheduled = false;
  target?: StreamMux;
  /** Bytes sent and not yet delivered (the sink's bufferedAmount). */
  bytes = 0;
  /** Added to bufferedAmount, to play a congested socket. */
  extra = 0;
  frames = 0;
  largestFrame = 0;
  readonly texts: StreamControlMessage[] = [];

  constructor(decode: (text: string) => { t: string }) {
    this.#decode = decode;
  }

  get idle(): boolean {
    return this.#queue.length === 0 && !this.#scheduled;
  }

  sink(): StreamSink {
    return {
      text: (message) => {
        this.texts.push(message);
        this.#push(encodeMessage(message));
      },
      binary: (frame) => {
        this.frames++;
        this.largestFrame = Math.max(this.largestFrame, frame.length);
        this.#push(frame);
      },
      bufferedAmount: () => this.bytes + this.extra,
    };
  }

  #push(item: string | Buffer): void {
    this.#queue.push(item);
    this.bytes += item.length;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    for (const item of this.#queue.splice(0)) {
      this.bytes -= item.length;
      if (typeof item === 'string') {
        this.target!.handleControl(this.#decode(item) as StreamControlMessage);
      } else {
        this.target!.handleData(item);
      }
    }
  }
}

interface Pair {
  cloud: StreamMux;
  edge: StreamMux;
  /** cloud -> edge */
  down: Wire;
  /** edge -> cloud */
  up: Wire;
}

type MuxOverrides = Partial<Omit<StreamMuxOptions, 'send'>>;

function pair(o: { cloud?: MuxOverrides; edge?: MuxOverrides } = {}): Pair {
  const down = new Wire(decodeCloudMessage);
  const up = new Wire(decodeEdgeMessage);
  const cloud = new StreamMux({ send: down.sink(), log: silentLogger(), ...o.cloud });
  const edge = new StreamMux({ send: up.sink(), ids: 'even', log: silentLogger(), ...o.edge });
  down.target = edge;
  up.target = cloud;
  return { cloud, edge, down, up };
}

/** Lets the pipe run until nothing is in flight for a few turns. */
async function settle(p: Pair): Promise<void> {
  let quiet = 0;
  for (let turn = 0; turn < 10_000 && quiet < 3; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    quiet = p.up.idle && p.down.idle ? quiet + 1 : 0;
  }
}

/** Polls `condition` until it holds; fails naming `what` after `ms`. */
async function eventually(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Everything a stream receives, per channel, and how it closed. */
function record(stream: HubStream): {
  data: Map<number, Buffer[]>;
  bytes(channel: number): Buffer;
  closes: Array<Error | undefined>;
  closed: Promise<Error | undefined>;
} {
  const data = new Map<number, Buffer[]>();
  const closes: Array<Error | undefined> = [];
  stream.on('data', (channel, payload) => {
    if (!data.has(channel)) data.set(channel, []);
    data.get(channel)!.push(payload);
  });
  const closed = new Promise<Error | undefined>((resolve) =>
    stream.on('close', (err) => {
      closes.push(err);
      resolve(err);
    }),
  );
  return {
    data,
    bytes: (channel) => Buffer.concat(data.get(channel) ?? []),
    closes,
    closed,
  };
}

/** An acceptor that echoes every chunk back on its channel. */
function echo(stream: HubStream): void {
  stream.on('data', (channel, payload) => {
    stream.write(channel, payload).catch(() => undefined);
  });
}

/** A logger whose lines the test can read. */
function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// ---- the tests ----

describe('StreamMux over an in-memory pipe', () => {
  it('echoes data on several channels of several concurrent streams', async () => {
    const p = pair({ edge: { onOpen: echo } });
    const streams = ['exec', 'attach', 'portforward'].map((kind, i) =>
      p.cloud.open(kind as 'exec', { container: `c${i}` }),
    );
    assert.deepEqual(
      streams.map((s) => s.sid),
      [1, 3, 5],
      'the cloud opens odd ids',
    );
    const sent = streams.map(() => new Map<number, Buffer>());
    const got = streams.map((s) => record(s));
    await Promise.all(
      streams.map(async (s, i) => {
        for (const channel of [0, 1, 2, 255]) {
          const data = randomBytes(1000 + channel * 700 + i * 100_000);
          sent[i]!.set(channel, data);
          await s.write(channel, data);
        }
      }),
    );
    await eventually(
      () =>
        streams.every((_, i) =>
          [...sent[i]!].every(([ch, data]) => got[i]!.bytes(ch).length === data.length),
        ),
      'every byte echoed',
    );
    for (const [i] of streams.entries()) {
      for (const [channel, data] of sent[i]!) {
        assert.ok(got[i]!.bytes(channel).equals(data), `stream ${i} channel ${channel}`);
      }
    }
    assert.ok(p.down.largestFrame <= MAX_FRAME_PAYLOAD + 6, 'frames of at most 64 KiB payload');
    assert.equal(p.edge.size, 3);
    for (const s of streams) s.close();
    await settle(p);
    assert.equal(p.edge.size, 0, 'the edge forgot closed streams');
    assert.equal(p.cloud.size, 0);
  });

  it('the acceptor sees kind and params, and may open nothing of its own parity', async () => {
    let seen: { kind: string; params: unknown; sid: number } | undefined;
    const p = pair({
      edge: { onOpen: (s, open) => (seen = { kind: open.kind, params: s.params, sid: s.sid }) },
    });
    p.cloud.open('logs', { container: 'app', follow: true });
    await settle(p);
    assert.deepEqual(seen, { kind: 'logs', params: { container: 'app', follow: true }, sid: 1 });
    // An open from the cloud carrying an even (edge) id is refused.
    p.edge.handleControl({ t: 'open', sid: 4, kind: 'logs', params: {}, window: 10 });
    const refusal = p.up.texts.at(-1);
    assert.equal(refusal?.t, 'close');
    assert.equal(refusal.t === 'close' && refusal.error?.code, 422);
  });

  it('a paused receiver stops the sender at window + buffer; resume lets it finish', async () => {
    const window = 64 * 1024;
    const maxBuffered = 128 * 1024;
    const chunk = 16 * 1024;
    let edgeStream: HubStream | undefined;
    const p = pair({
      cloud: { maxBufferedPerStream: maxBuffered },
      edge: {
        initialWindow: window,
        onOpen: (s) => {
          edgeStream = s;
          s.pause();
        },
      },
    });
    const s = p.cloud.open('exec', {});
    const data = randomBytes(1024 * 1024);
    let written = 0;
    let maxQueued = 0;
    let maxHeld = 0;
    const writer = (async () => {
      for (let off = 0; off < data.length; off += chunk) {
        await s.write(0, data.subarray(off, off + chunk));
        written = off + chunk;
        maxQueued = Math.max(maxQueued, s.bufferedAmount);
        maxHeld = Math.max(maxHeld, edgeStream?.receivedBuffered ?? 0);
      }
    })();
    await settle(p);
    assert.ok(edgeStream, 'the edge accepted the stream');
    assert.equal(edgeStream.receivedBuffered, window, 'the edge holds exactly its window');
    assert.ok(written < data.length, 'the writer is stuck');
    assert.equal(written, window + maxBuffered, 'writes resolved up to window + buffer');
    assert.ok(s.bufferedAmount <= maxBuffered + chunk, `queued ${s.bufferedAmount}`);
    // Nothing moves while paused.
    const frames = p.down.frames;
    await settle(p);
    assert.equal(p.down.frames, frames, 'no data frames while the receiver is paused');
    assert.ok(written < data.length);

    const got: Buffer[] = [];
    edgeStream.on('data', (_ch, payload) => {
      got.push(payload);
      maxHeld = Math.max(maxHeld, edgeStream!.receivedBuffered);
    });
    edgeStream.resume();
    await writer;
    await eventually(() => Buffer.concat(got).length === data.length, 'all data at the edge');
    assert.ok(Buffer.concat(got).equals(data));
    assert.ok(maxHeld <= window, `the edge never held more than its window (${maxHeld})`);
    assert.ok(maxQueued <= maxBuffered + chunk, `the cloud never queued more (${maxQueued})`);
  });

  it('grants window in batches, not one message per small chunk', async () => {
    const p = pair({ edge: { onOpen: () => undefined } });
    const s = p.cloud.open('attach', {});
    for (let i = 0; i < 1000; i++) await s.write(0, Buffer.from('k'));
    await settle(p);
    const windows = p.up.texts.filter((m) => m.t === 'window');
    assert.equal(windows.length, 1, 'only the initial grant for 1000 one-byte chunks');
  });

  it('closes a stream whose peer sends beyond its window, and logs it', async () => {
    const { log, lines } = capturingLogger();
    let edgeStream: HubStream | undefined;
    const p = pair({
      cloud: { initialWindow: 1000, log },
      edge: { onOpen: (s) => (edgeStream = s) },
    });
    const s = p.cloud.open('logs', {});
    const cloudSide = record(s);
    await settle(p);
    const edgeSide = record(edgeStream!);
    // A peer that ignores its window: 1001 bytes where 1000 were granted.
    p.cloud.handleData(encodeStreamData(s.sid, 1, Buffer.alloc(1001)));
    const err = await cloudSide.closed;
    assert.ok(isInvalid(err), `want Invalid, got ${String(err)}`);
    assert.match(err.message, /flow control/);
    const peerErr = await edgeSide.closed;
    assert.ok(isInvalid(peerErr), 'the peer is told why');
    assert.ok(
      lines.some((l) => l.level === 40 && /flow control violated/.test(String(l.msg))),
      'a warning is logged',
    );
    // Its late frames are dropped quietly.
    const before = lines.length;
    p.cloud.handleData(encodeStreamData(s.sid, 1, Buffer.alloc(10)));
    assert.equal(lines.length, before);
    assert.equal(cloudSide.closes.length, 1, "'close' fired once");
  });

  it('a data frame for a stream never opened is dropped and logged', () => {
    const { log, lines } = capturingLogger();
    const p = pair({ cloud: { log } });
    p.cloud.handleData(encodeStreamData(41, 0, Buffer.from('x')));
    p.cloud.handleControl({ t: 'window', sid: 43, bytes: 5 });
    assert.equal(lines.filter((l) => /never opened/.test(String(l.msg))).length, 1, 'at most 1/s');
    assert.throws(() => p.cloud.handleData(Buffer.from([9, 9])), /not a stream data frame/);
  });

  it('refuses streams beyond maxStreams on either side', async () => {
    const p = pair({ cloud: { maxStreams: 3 }, edge: { maxStreams: 2, onOpen: echo } });
    const a = record(p.cloud.open('exec', {}));
    const b = record(p.cloud.open('exec', {}));
    const third = p.cloud.open('exec', {});
    const c = record(third);
    assert.throws(() => p.cloud.open('exec', {}), isUnavailable, 'the opener limits itself');
    const err = await c.closed;
    assert.ok(isUnavailable(err), `the edge refused the third: ${String(err)}`);
    assert.match(err.message, /too many streams/);
    assert.equal(a.closes.length + b.closes.length, 0, 'the first two stay open');
    // A refused stream frees its place at once.
    const d = p.cloud.open('exec', {});
    const dr = record(d);
    await settle(p);
    assert.ok(isUnavailable(dr.closes[0]), 'still two open at the edge');
  });

  it('closes from either side, with or without an error, exactly once', async () => {
    const edgeStreams: HubStream[] = [];
    const p = pair({ edge: { onOpen: (s) => edgeStreams.push(s) } });

    // The cloud closes cleanly.
    const s1 = p.cloud.open('exec', {});
    const c1 = record(s1);
    await settle(p);
    const e1 = record(edgeStreams[0]!);
    s1.close();
    s1.close();
    assert.equal(await c1.closed, undefined);
    assert.equal(await e1.closed, undefined);
    await assert.rejects(s1.write(0, Buffer.from('x')), isUnavailable, 'no writes after close');

    // The edge closes with an error; a write pending at the cloud is rejected.
    const s2 = p.cloud.open('exec', {});
    const c2 = record(s2);
    await settle(p);
    const pending = s2.write(0, Buffer.alloc(4 * 1024 * 1024));
    edgeStreams[1]!.close(new NotFoundError('container "app" not found'));
    const err = await c2.closed;
    assert.ok(isNotFound(err), `want NotFound, got ${String(err)}`);
    assert.equal(err.message, 'container "app" not found');
    await assert.rejects(pending, isNotFound);
    await settle(p);
    assert.equal(c2.closes.length, 1);

    // Both close at once: each fires once, neither complains.
    const s3 = p.cloud.open('exec', {});
    const c3 = record(s3);
    await settle(p);
    const e3 = record(edgeStreams[2]!);
    s3.close();
    edgeStreams[2]!.close();
    await settle(p);
    assert.equal(c3.closes.length, 1);
    assert.equal(e3.closes.length, 1);
    assert.equal(p.cloud.size + p.edge.size, 0);
  });

  it('a clean close sends what was written first; an error close drops it', async () => {
    const got: Buffer[] = [];
    let closedWith: Error | undefined | 'open' = 'open';
    const p = pair({
      edge: {
        initialWindow: 16 * 1024,
        onOpen: (s) => {
          s.on('data', (_c, d) => got.push(d));
          s.on('close', (e) => (closedWith = e));
        },
      },
    });
    const s = p.cloud.open('exec', {});
    const data = randomBytes(300_000);
    void s.write(0, data); // more than the window: most of it waits for grants
    s.close();
    assert.equal(s.closed, true);
    await eventually(() => closedWith !== 'open', 'the edge sees the close');
    assert.equal(closedWith, undefined);
    assert.ok(Buffer.concat(got).equals(data), 'all data arrived before the close');

    const s2 = p.cloud.open('exec', {});
    const pending = s2.write(0, randomBytes(5 * 1024 * 1024));
    s2.close(new UnavailableError('gave up'));
    await assert.rejects(pending, isUnavailable);
  });

  it('a paused consumer gets held data before the peer\u2019s close', async () => {
    let edgeStream: HubStream | undefined;
    const p = pair({ edge: { onOpen: (s) => (edgeStream = s) } });
    const s = p.cloud.open('logs', {});
    await settle(p);
    edgeStream!.pause();
    const r = record(edgeStream!);
    await s.write(0, Buffer.from('last lines\n'));
    s.close();
    await settle(p);
    assert.equal(r.closes.length, 0, "no 'close' while data is held");
    edgeStream!.resume();
    assert.equal(r.bytes(0).toString(), 'last lines\n');
    assert.deepEqual(r.closes, [undefined]);
  });

  it('refuses a stream when onOpen throws or when nothing serves streams', async () => {
    const p = pair({
      edge: {
        onOpen: (_s, open) => {
          throw new NotFoundError(`pod "${String(open.params.pod)}" not found`);
        },
      },
    });
    const r = record(p.cloud.open('exec', { pod: 'x' }));
    const err = await r.closed;
    assert.ok(isNotFound(err));
    assert.equal(err.message, 'pod "x" not found');

    const q = pair();
    const r2 = record(q.cloud.open('logs', {}));
    assert.ok(isUnavailable(await r2.closed));
  });

  it('closeAll closes every stream with Unavailable and refuses new ones', async () => {
    const edgeStreams: HubStream[] = [];
    const p = pair({ edge: { onOpen: (s) => edgeStreams.push(s) } });
    const cloudSide = [p.cloud.open('exec', {}), p.cloud.open('logs', {})];
    const rc = cloudSide.map((s) => record(s));
    await settle(p);
    const re = edgeStreams.map((s) => record(s));
    const pending = cloudSide[0]!.write(0, Buffer.alloc(8 * 1024 * 1024));
    p.cloud.closeAll('connection lost');
    p.edge.closeAll('connection lost');
    for (const r of [...rc, ...re]) {
      const err = await r.closed;
      assert.ok(isUnavailable(err), String(err));
      assert.match(err.message, /connection lost/);
    }
    await assert.rejects(pending, isUnavailable);
    assert.throws(() => p.cloud.open('exec', {}), isUnavailable);
    assert.equal(p.cloud.size + p.edge.size, 0);
  });

  it('holds stream data back while the socket is congested', async () => {
    const p = pair({ edge: { onOpen: echo }, cloud: { maxSocketBuffered: 1000 } });
    const s = p.cloud.open('exec', {});
    const r = record(s);
    await settle(p);
    p.down.extra = 10_000; // a socket with 10 kB it could not write yet
    const frames = p.down.frames;
    const data = randomBytes(200_000);
    void s.write(0, data);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(p.down.frames, frames, 'no frames into a congested socket');
    p.down.extra = 0;
    await eventually(() => r.bytes(0).length === data.length, 'the data after the congestion');
    assert.ok(r.bytes(0).equals(data));
    s.close();
  });

  it('carries 10 MiB each way intact, with a consumer that pauses now and then', async () => {
    const size = 10 * 1024 * 1024;
    const down = randomBytes(size);
    const up = randomBytes(size);
    const window = 256 * 1024;
    const maxBuffered = 1024 * 1024;
    let maxHeld = 0;
    let maxQueued = 0;
    let edgeHash = '';
    let edgeDone!: Promise<void>;
    const onOpen = (s: HubStream): void => {
      edgeDone = new Promise<void>((resolve, reject) => {
        const h = createHash('sha256');
        let n = 0;
        s.on('data', (_ch, payload) => {
          h.update(payload);
          maxHeld = Math.max(maxHeld, s.receivedBuffered);
          if (++n % 7 === 0) {
            s.pause();
            setImmediate(() => s.resume());
          }
        });
        s.on('close', (err) => {
          if (err) reject(err);
          edgeHash = h.digest('hex');
          resolve();
        });
      });
      // The edge sends its own 10 MiB back at the same time.
      void (async () => {
        for (let off = 0; off < size;) {
          const n = 1 + Math.floor(Math.random() * 200_000);
          await s.write(3, up.subarray(off, off + n));
          maxQueued = Math.max(maxQueued, s.bufferedAmount);
          off += n;
        }
      })();
    };
    const p = pair({ edge: { onOpen } });
    const s = p.cloud.open('portforward', { port: 80 });
    const back = createHash('sha256');
    let backBytes = 0;
    s.on('data', (_ch, payload) => {
      back.update(payload);
      backBytes += payload.length;
    });
    for (let off = 0; off < size;) {
      const n = 1 + Math.floor(Math.random() * 300_000);
      await s.write(0, down.subarray(off, off + n));
      maxQueued = Math.max(maxQueued, s.bufferedAmount);
      off += n;
    }
    await eventually(() => backBytes === size, 'the 10 MiB from the edge', 60_000);
    s.close();
    await edgeDone;
    assert.equal(edgeHash, sha(down), 'cloud -> edge intact');
    assert.equal(back.digest('hex'), sha(up), 'edge -> cloud intact');
    assert.ok(maxHeld <= window, `held ${maxHeld} > window`);
    assert.ok(maxQueued <= maxBuffered + 300_000, `queued ${maxQueued}`);
  });
});

// ---- through the real hub and link ----

describe('streams through a CloudHub and an EdgeLink over TLS', () => {
  const NODE = 'stream-node';
  let api: TestApi;
  let hub: CloudHub;
  let link: EdgeLink;
  const hubStop = new AbortController();
  const linkStop = new AbortController();
  let linkRun: Promise<void>;

  before(async () => {
    api = await testApi();
    const ca = await createCertificateAuthority({ commonName: 'streams-test-ca' });
    const server = await issueCertificate(ca, {
      commonName: 'verge-hub',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    const node = await issueCertificate(ca, {
      commonName: `system:node:${NODE}`,
      organizations: ['system:nodes'],
      usage: 'client',
    });
    hub = new CloudHub({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem },
      client: api.client,
      authorization: {
        authorize: () => Promise.resolve({ allowed: true }),
        clientFor: () => api.client,
      },
      log: silentLogger(),
    });
    await hub.start(hubStop.signal);
    link = new EdgeLink({
      server: `https://127.0.0.1:${hub.port}`,
      node: NODE,
      agentVersion: 'test',
      credentials: () => ({ certPem: node.certPem, keyPem: node.keyPem, caPem: ca.certPem }),
      inventory: () => [],
      apply: () => undefined,
      log: silentLogger(),
      onStream: (stream, open) => {
        if (open.kind === 'logs') {
          void stream
            .write(1, Buffer.from(`logs of ${String(open.params.container)}\n`))
            .then(() => stream.close());
          return;
        }
        if (open.kind !== 'exec') throw new NotFoundError(`no ${open.kind} here`);
        echo(stream);
      },
    });
    const ready = new Promise<void>((resolve) => link.once('ready', () => resolve()));
    linkRun = link.run(linkStop.signal);
    await ready;
  });

  after(async () => {
    linkStop.abort();
    await linkRun;
    hubStop.abort();
    await api.close();
  });

  it('opens streams to a connected node only', () => {
    assert.throws(
      () => hub.openStream('no-such-node', 'logs', {}),
      (err: unknown) =>
        isUnavailable(err) && /node "no-such-node" is not connected/.test(err.message),
    );
  });

  it('echoes 4 MiB through exec, serves logs, and relays a refusal', async () => {
    const s = hub.openStream(NODE, 'exec', { command: ['cat'] });
    const r = record(s);
    const data = randomBytes(4 * 1024 * 1024);
    for (let off = 0; off < data.length; off += 100_000) {
      await s.write(0, data.subarray(off, off + 100_000));
    }
    await eventually(() => r.bytes(0).length === data.length, 'the echo of 4 MiB', 30_000);
    assert.equal(sha(r.bytes(0)), sha(data));
    s.close();
    assert.equal(await r.closed, undefined);

    const logs = record(hub.openStream(NODE, 'logs', { container: 'app' }));
    assert.equal(await logs.closed, undefined);
    assert.equal(logs.bytes(1).toString(), 'logs of app\n');

    const refused = record(hub.openStream(NODE, 'attach', {}));
    const err = await refused.closed;
    assert.ok(isNotFound(err));
    assert.equal(err.message, 'no attach here');
  });

  it('closes open streams with Unavailable when the node disconnects', async () => {
    const s = hub.openStream(NODE, 'exec', {});
    const r = record(s);
    await s.write(0, Buffer.from('hello'));
    await eventually(() => r.bytes(0).length === 5, 'the echo');
    linkStop.abort();
    await linkRun;
    const err = await r.closed;
    assert.ok(isUnavailable(err), String(err));
    assert.match(err.message, new RegExp(`node "${NODE}"`));
    await eventually(() => hub.connectedNodes().length === 0, 'the session to end');
    assert.throws(() => hub.openStream(NODE, 'exec', {}), isUnavailable);
  });
});
