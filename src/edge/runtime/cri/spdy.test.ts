/**
 * The SPDY client's framing against an in-process peer that decodes what a Go
 * spdystream server would: the HTTP upgrade, SYN_STREAM header blocks (one zlib
 * stream across frames), data frames and FIN. (cri.test.ts covers the real
 * containerd streaming server.)
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import { constants, inflateSync } from 'node:zlib';
import { connectSpdy } from './spdy.ts';

interface PeerStream {
  headers: Record<string, string>;
  data: Buffer[];
  fin: boolean;
}

/** A peer: replies to each SYN_STREAM, records data, echoes stream 3's data back on stream 3. */
function peer(): {
  server: Server;
  streams: Map<number, PeerStream>;
  sockets: Socket[];
  decodeHeaders: () => void;
} {
  const streams = new Map<number, PeerStream>();
  const headerOrder: number[] = [];
  const headerBytes: Buffer[] = [];
  /** The header blocks are one zlib stream: inflate them together, then split. */
  const decodeHeaders = () => {
    const all = inflateSync(Buffer.concat(headerBytes), { finishFlush: constants.Z_SYNC_FLUSH });
    let off = 0;
    for (const id of headerOrder) {
      const headers = streams.get(id)!.headers;
      const count = all.readUInt32BE(off);
      off += 4;
      for (let i = 0; i < count; i++) {
        const n = all.readUInt32BE(off);
        const name = all.subarray(off + 4, off + 4 + n).toString();
        off += 4 + n;
        const v = all.readUInt32BE(off);
        headers[name] = all.subarray(off + 4, off + 4 + v).toString();
        off += 4 + v;
      }
    }
  };
  const sockets: Socket[] = [];
  const server = createServer((_req, res) => res.writeHead(400).end('upgrade required'));
  server.on('upgrade', (req, socket: Socket) => {
    sockets.push(socket);
    assert.equal(req.headers.upgrade, 'SPDY/3.1');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${String(req.headers['x-stream-protocol-version']).split(',')[0].trim()}\r\n\r\n`,
    );
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8 && buf.length >= 8 + buf.readUIntBE(5, 3)) {
        const frame = buf.subarray(0, 8 + buf.readUIntBE(5, 3));
        buf = buf.subarray(frame.length);
        if (frame[0] & 0x80) {
          assert.equal(frame.readUInt16BE(0) & 0x7fff, 3, 'SPDY version 3');
          if (frame.readUInt16BE(2) !== 1) continue;
          const id = frame.readUInt32BE(8) & 0x7fffffff;
          streams.set(id, { headers: {}, data: [], fin: false });
          headerOrder.push(id);
          headerBytes.push(Buffer.from(frame.subarray(18)));
          const reply = Buffer.alloc(12);
          reply.writeUInt32BE(0x80030002, 0);
          reply.writeUInt32BE(4, 4);
          reply.writeUInt32BE(id, 8);
          socket.write(reply);
        } else {
          const id = frame.readUInt32BE(0);
          const stream = streams.get(id)!;
          const body = frame.subarray(8);
          if (body.length) stream.data.push(Buffer.from(body));
          if (frame[4] & 1) stream.fin = true;
          if (id === 3 && body.length) socket.write(frame.subarray(0, 8 + body.length));
          if (id === 3 && stream.fin) {
            const fin = Buffer.alloc(8);
            fin.writeUInt32BE(3, 0);
            fin.writeUInt32BE(0x01000000, 4);
            socket.write(fin);
          }
        }
      }
    });
  });
  return { server, streams, sockets, decodeHeaders };
}

test('spdy client: upgrade, header blocks across frames, data, half-close', async (t) => {
  const { server, streams, sockets, decodeHeaders } = peer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exec/token`;
  const session = await connectSpdy(url, ['v4.channel.k8s.io']);
  assert.equal(session.protocol, 'v4.channel.k8s.io');
  const first = session.openStream({ streamType: 'error' });
  const echo = session.openStream({ streamType: 'stdin', requestID: '7' });
  assert.deepEqual([first.id, echo.id], [1, 3]);
  const received: Buffer[] = [];
  echo.on('data', (b) => received.push(b));
  const ended = new Promise<void>((resolve) => echo.once('end', resolve));
  const big = Buffer.alloc(100_000, 'x');
  echo.write(Buffer.from('hello '));
  echo.write(big);
  echo.end();
  await ended;
  assert.equal(Buffer.concat(received).toString(), `hello ${big.toString()}`);
  decodeHeaders();
  assert.deepEqual(streams.get(1)?.headers, { streamtype: 'error' });
  assert.deepEqual(streams.get(3)?.headers, { streamtype: 'stdin', requestid: '7' });
  assert.equal(streams.get(3)?.fin, true);
  session.close();
});

test('spdy client: a refused upgrade is an error with the server message', async (t) => {
  const refused = createServer((_req, res) => res.writeHead(404).end('token not found'));
  await new Promise<void>((resolve) => refused.listen(0, '127.0.0.1', resolve));
  t.after(() => refused.close());
  await assert.rejects(
    connectSpdy(`http://127.0.0.1:${(refused.address() as AddressInfo).port}/exec/x`, [
      'v4.channel.k8s.io',
    ]),
    /upgrade refused: 404 token not found/,
  );
});
