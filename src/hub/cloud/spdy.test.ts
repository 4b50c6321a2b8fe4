/**
 * SPDY/3.1 framing: frames round-trip, header blocks inflate with a real zlib
 * compressor on the other side (as kubectl's Go client compresses them), and
 * malformed input ends the connection with GOAWAY PROTOCOL_ERROR.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Duplex, PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { constants, createDeflate, createInflate } from 'node:zlib';
import { silentLogger } from '../../util/log.ts';
import {
  encodeFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  HeaderReader,
  HeaderWriter,
  parseFrames,
  SPDY_DICTIONARY,
  SpdyConnection,
  SpdyProtocolError,
  type SpdyFrame,
  type SpdyHeaders,
  type SpdyStream,
} from './spdy.ts';

function deflater(): (headers: Record<string, string>) => Promise<Buffer> {
  const d = createDeflate({ dictionary: SPDY_DICTIONARY });
  let chunks: Buffer[] = [];
  d.on('data', (c: Buffer) => chunks.push(c));
  return (headers) =>
    new Promise((resolve) => {
      d.write(encodeHeaderBlock(headers));
      d.flush(constants.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(chunks));
        chunks = [];
      });
    });
}

function pair(): { conn: SpdyConnection; toServer: PassThrough; sent: SpdyFrame[] } {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const socket = Duplex.from({ readable: toServer, writable: fromServer }) as Duplex;
  const conn = new SpdyConnection(socket, { log: silentLogger() });
  const sent: SpdyFrame[] = [];
  let buf = Buffer.alloc(0);
  fromServer.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const { frames, consumed } = parseFrames(buf);
    buf = buf.subarray(consumed);
    sent.push(...frames);
  });
  return { conn, toServer, sent };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SPDY/3.1 framing', () => {
  it('the dictionary is the 1423 bytes of SPDY/3 (sha256 as in moby/spdystream)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(
      createHash('sha256').update(SPDY_DICTIONARY).digest('hex'),
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  it('frames round-trip, split anywhere', () => {
    const frames: SpdyFrame[] = [
      { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hello') },
      { type: 'rst_stream', streamId: 3, status: 5 },
      { type: 'ping', id: 7 },
      { type: 'goaway', lastGoodStreamId: 9, status: 0 },
      { type: 'window_update', streamId: 1, delta: 1000 },
      { type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] },
      { type: 'syn_reply', streamId: 1, flags: 0, headers: Buffer.from([1, 2, 3]) },
    ];
    const wire = Buffer.concat(frames.map(encodeFrame));
    for (const cut of [0, 3, 9, 20, wire.length - 1]) {
      const a = parseFrames(wire.subarray(0, cut));
      const b = parseFrames(Buffer.concat([wire.subarray(a.consumed)]));
      assert.deepEqual([...a.frames, ...b.frames], frames);
    }
  });

  it('our header blocks inflate with one zlib context, and theirs inflate with ours', async () => {
    const w = new HeaderWriter();
    const inflate = createInflate({ dictionary: SPDY_DICTIONARY });
    const out: Buffer[] = [];
    inflate.on('data', (d: Buffer) => out.push(d));
    const blocks: SpdyHeaders[] = [{}, { streamtype: 'error' }, { streamtype: 'data', port: '80' }];
    for (const h of blocks) {
      inflate.write(w.compress(h));
      await new Promise<void>((r) => inflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      assert.deepEqual(Buffer.concat(out.splice(0)), encodeHeaderBlock(h));
    }
    const deflate = deflater();
    const reader = new HeaderReader();
    const theirs: SpdyHeaders[] = [
      { streamtype: 'stdout' },
      { streamtype: 'stdin', requestid: '0' },
    ];
    for (const h of theirs) {
      assert.deepEqual(await reader.decompress(await deflate(h)), h);
    }
    reader.close();
  });

  it('rejects bad frames', () => {
    const bad = (bytes: number[], why: RegExp): void =>
      assert.throws(
        () => parseFrames(Buffer.from(bytes)),
        (e: Error) => e instanceof SpdyProtocolError && why.test(e.message),
      );
    bad([0x80, 0x02, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1], /unsupported version 2/);
    bad([0x80, 0x03, 0, 6, 0, 0, 0, 3, 0, 0, 0], /PING frame of 3 bytes/);
    bad([0x80, 0x03, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1], /RST_STREAM frame of 4 bytes/);
    bad([0, 0, 0, 0, 0, 0, 0, 1, 9], /stream 0/);
    bad([0, 0, 0, 1, 0, 0xff, 0xff, 0xff], /data frame of/);
    bad([0x80, 0x03, 0, 1, 0, 0x10, 0, 0], /control frame of/);
  });

  it('a connection accepts streams, carries data both ways, answers pings, and closes on garbage', async () => {
    const { conn, toServer, sent } = pair();
    const streams: SpdyStream[] = [];
    const got: string[] = [];
    conn.on('stream', (s) => {
      streams.push(s);
      s.on('data', (d) => got.push(d.toString()));
    });
    const deflate = deflater();
    toServer.write(
      encodeFrame({
        type: 'syn_stream',
        streamId: 1,
        associatedId: 0,
        priority: 0,
        flags: 0,
        headers: await deflate({ streamtype: 'stdin' }),
      }),
    );
    toServer.write(encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('hi') }));
    toServer.write(encodeFrame({ type: 'ping', id: 1 }));
    await until('the stream and its data', () => got.length === 1);
    assert.equal(streams[0]!.headers.streamtype, 'stdin');
    assert.deepEqual(got, ['hi']);
    streams[0]!.write(Buffer.from('back'));
    await until('the reply, the ping answer and our data', () =>
      sent.some((f) => f.type === 'data'),
    );
    assert.deepEqual(
      sent.map((f) => f.type),
      ['syn_reply', 'window_update', 'ping', 'data'],
    );
    // A SYN_STREAM whose id goes backwards is a protocol error.
    const closed = new Promise<Error | undefined>((r) => conn.once('close', r));
    toServer.write(
      encodeFrame({
        type: 'syn_stream',
        streamId: 1,
        associatedId: 0,
        priority: 0,
        flags: 0,
        headers: await deflate({ streamtype: 'stdout' }),
      }),
    );
    assert.match(String(await closed), /stream id 1/);
    await until('GOAWAY', () => sent.some((f) => f.type === 'goaway'));
    assert.deepEqual(sent.at(-1), { type: 'goaway', lastGoodStreamId: 1, status: 1 });
    assert.equal(streams[0]!.reset, true);
  });

  it('a header block that does not inflate closes the connection', async () => {
    const { conn, toServer, sent } = pair();
    const closed = new Promise<Error | undefined>((r) => conn.once('close', r));
    toServer.write(
      encodeFrame({
        type: 'syn_stream',
        streamId: 1,
        associatedId: 0,
        priority: 0,
        flags: 0,
        headers: Buffer.from('not zlib at all'),
      }),
    );
    assert.match(String(await closed), /does not inflate/);
    await until('GOAWAY', () => sent.some((f) => f.type === 'goaway'));
  });
});
