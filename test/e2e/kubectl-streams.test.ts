/**
 * kubectl logs, exec, attach and port-forward end to end: the real kubectl
 * (each version path: SPDY/3.1 up to 1.29, WebSocket from 1.30, port-forward
 * tunnelled in WebSocket from 1.31) -> `verge server` -> the hub -> an edge.
 *
 * The edge is in this process: an EdgeLink with a node certificate issued from
 * the server's CA, serving streams with the real handler (src/edge/streams.ts)
 * over a small lookup and a runtime that runs commands with `sh` on this host,
 * so the test does not depend on a container runtime being installed.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  connect as netConnect,
  createServer as netServer,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createStreamHandler } from '../../src/edge/streams.ts';
import type { ContainerLookup, ContainerRef } from '../../src/edge/kubelet/lookup.ts';
import type { ExecOptions, Runtime, StreamOptions } from '../../src/edge/runtime/types.ts';
import { EdgeLink } from '../../src/hub/edge/link.ts';
import { issueCertificate, loadCertificateAuthority } from '../../src/pki/index.ts';
import { InvalidError, NotFoundError } from '../../src/util/errors.ts';
import { silentLogger } from '../../src/util/log.ts';
import {
  adminCredentials,
  eventually,
  Kubectl,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';
import { skipUnless } from '../helpers/require.ts';

const NODE = 'edge-streams';
const kubectlDir = dirname(
  execFileSync('readlink', ['-f', execFileSync('which', ['kubectl']).toString().trim()])
    .toString()
    .trim(),
);
const bin = (v: string): string => join(kubectlDir, `kubectl.${v}`);
const ALL = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

/** The fake pod manager's view: pod `p` (containers app, stopped, waiting), pod `gone` not here. */
class FakeLookup implements ContainerLookup {
  readonly logPath: string;
  running = true;
  constructor(dir: string) {
    this.logPath = join(dir, 'app.log');
  }
  findContainer(
    namespace: string,
    pod: string,
    container: string | undefined,
    options: { previous?: boolean; forExec?: boolean },
  ): Promise<ContainerRef> {
    if (pod !== 'p') return Promise.reject(new NotFoundError(`pod "${pod}" not found`));
    const name = container ?? 'app';
    if (name === 'waiting') {
      return Promise.reject(
        new InvalidError(`container "waiting" in pod "p" is waiting to start: ContainerCreating`),
      );
    }
    if (name === 'stopped' && options.forExec) {
      return Promise.reject(new InvalidError(`container not found ("stopped")`));
    }
    if (name !== 'app' && name !== 'stopped') {
      return Promise.reject(new InvalidError(`container ${name} is not valid for pod p`));
    }
    return Promise.resolve({
      containerId: `${namespace}-${pod}-${name}`,
      logPath: this.logPath,
      running: name === 'app',
      stdin: true,
      tty: false,
    });
  }
  findSandbox(_namespace: string, pod: string): Promise<string> {
    if (pod !== 'p') return Promise.reject(new NotFoundError(`pod "${pod}" not found`));
    return Promise.resolve('sandbox-p');
  }
}

/** Runs commands with this host's sh; attach echoes stdin back after a greeting. */
function fakeRuntime(lookup: FakeLookup): Runtime {
  const runtime = {
    driver: 'process',
    containerStatus: () => Promise.resolve({ state: lookup.running ? 'running' : 'exited' }),
    exec(_id: string, o: ExecOptions) {
      return new Promise((resolve, reject) => {
        const child = spawn(o.cmd[0]!, o.cmd.slice(1), { stdio: 'pipe' });
        child.on('error', reject);
        if (o.stdin) o.stdin.pipe(child.stdin);
        else child.stdin.end();
        child.stdin.on('error', () => {});
        if (o.stdout) child.stdout.pipe(o.stdout, { end: false });
        else child.stdout.resume();
        const err = o.tty ? o.stdout : o.stderr;
        if (err) child.stderr.pipe(err, { end: false });
        else child.stderr.resume();
        o.signal?.addEventListener('abort', () => child.kill());
        child.on('close', (code) => resolve({ exitCode: code ?? 137, timedOut: false }));
      });
    },
    attach(_id: string, o: StreamOptions) {
      o.stdout?.write('attached\n');
      return new Promise<void>((resolve) => {
        if (!o.stdin) return resolve();
        o.stdin.on('data', (d: Buffer) => o.stdout?.write(d.toString().toUpperCase()));
        o.stdin.on('end', () => resolve());
        o.signal?.addEventListener('abort', () => resolve());
      });
    },
    portForward(_sandbox: string, port: number, stream: Duplex) {
      return new Promise<void>((resolve, reject) => {
        const socket = netConnect(port, '127.0.0.1');
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.pipe(stream);
          stream.pipe(socket);
        });
        socket.once('close', () => resolve());
        stream.once('close', () => socket.destroy());
      });
    },
  };
  return runtime as unknown as Runtime;
}

describe(
  'kubectl logs, exec, attach and port-forward through the hub',
  { timeout: 300_000 },
  () => {
    let server: ServerProcess;
    let link: EdgeLink;
    let k: Kubectl;
    let echo: Server;
    let echoPort = 0;
    const echoSockets = new Set<Socket>();
    const dir = mkdtempSync(join(tmpdir(), 'verge-streams-'));
    const lookup = new FakeLookup(dir);
    const stop = new AbortController();

    before(async () => {
      server = await startServer();
      k = new Kubectl(server.kubeconfig);
      const pki = join(server.dataDir, 'pki');
      const ca = await loadCertificateAuthority(
        readFileSync(join(pki, 'ca.crt'), 'utf8'),
        readFileSync(join(pki, 'ca.key'), 'utf8'),
      );
      const node = await issueCertificate(ca, {
        commonName: `system:node:${NODE}`,
        organizations: ['system:nodes'],
        usage: 'client',
      });
      writeFileSync(
        lookup.logPath,
        [
          '2025-01-01T00:00:01.000000000Z stdout F first line',
          '2025-01-01T00:00:02.000000000Z stderr F second line',
          '2025-01-01T00:00:03.000000000Z stdout F third line',
          '',
        ].join('\n'),
      );
      await k.ok(['apply', '-f', '-'], podYaml('p', NODE) + '---\n' + podYaml('lost', 'nowhere'));
      for (const pod of ['p', 'lost']) {
        await k.ok([
          'patch',
          'pod',
          pod,
          '--subresource=status',
          '--type=merge',
          '-p',
          '{"status":{"phase":"Running"}}',
        ]);
      }
      link = new EdgeLink({
        server: server.hubUrl,
        node: NODE,
        agentVersion: 'test',
        credentials: () => ({ certPem: node.certPem, keyPem: node.keyPem, caPem: ca.certPem }),
        inventory: () => [],
        apply: () => undefined,
        log: silentLogger(),
        onStream: createStreamHandler({
          lookup,
          runtime: fakeRuntime(lookup),
          log: silentLogger(),
          logPollIntervalMs: 50,
        }),
      });
      const ready = new Promise<void>((resolve) => link.once('ready', () => resolve()));
      void link.run(stop.signal);
      await ready;
      echo = netServer((s) => {
        echoSockets.add(s);
        s.on('close', () => echoSockets.delete(s));
        s.on('data', (d) => s.write(`pong:${d.toString()}`));
      });
      await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
      echoPort = (echo.address() as { port: number }).port;
    });

    after(async () => {
      stop.abort();
      echo?.close();
      for (const s of echoSockets) s.destroy();
      await server?.stop();
      k?.cleanup();
      removeDir(server?.dataDir);
      removeDir(dir);
    });

    for (const v of (process.env.ONLY ?? ALL.join(',')).split(',')) {
      it(`kubectl ${v}: exec without a TTY: output, stderr, exit code`, async (t) => {
        if (skipUnless(t, existsSync(bin(v)), `${bin(v)} is not installed`)) return;
        const kv = new Kubectl(server.kubeconfig, bin(v));
        try {
          const r = await kv.run(['exec', 'p', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
          assert.equal(r.stdout, 'out\n', r.stderr);
          assert.match(r.stderr, /err/);
          assert.equal(r.code, 3, r.stderr);
          const cat = await kv.run(['exec', '-i', 'p', '-c', 'app', '--', 'cat'], 'hello\nworld\n');
          assert.equal(cat.code, 0, cat.stderr);
          assert.equal(cat.stdout, 'hello\nworld\n');
        } finally {
          kv.cleanup();
        }
      });
    }

    for (const v of ['1.27', '1.33']) {
      it(`kubectl ${v}: exec -it without a terminal warns and runs`, async (t) => {
        if (skipUnless(t, existsSync(bin(v)), `${bin(v)} is not installed`)) return;
        const kv = new Kubectl(server.kubeconfig, bin(v));
        try {
          const r = await kv.run(['exec', '-it', 'p', '--', 'sh', '-c', 'echo hi'], '');
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout.replace(/\r/g, ''), 'hi\n');
          assert.match(r.stderr, /Unable to use a TTY/);
        } finally {
          kv.cleanup();
        }
      });

      it(`kubectl ${v}: attach -i`, async (t) => {
        if (skipUnless(t, existsSync(bin(v)), `${bin(v)} is not installed`)) return;
        const kv = new Kubectl(server.kubeconfig, bin(v));
        try {
          const r = await kv.run(['attach', '-i', 'p', '-c', 'app'], 'shout\n');
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, /attached\nSHOUT\n/);
        } finally {
          kv.cleanup();
        }
      });
    }

    for (const v of ['1.27', '1.30', '1.31', '1.33']) {
      it(`kubectl ${v}: port-forward`, async (t) => {
        if (skipUnless(t, existsSync(bin(v)), `${bin(v)} is not installed`)) return;
        const kv = new Kubectl(server.kubeconfig, bin(v));
        const pf = kv.watch(['port-forward', 'pod/p', `:${echoPort}`]);
        try {
          const line = await eventually(
            'port-forward to say where it listens',
            () => pf.lines.find((l) => /Forwarding from 127\.0\.0\.1:\d+/.test(l)),
            30_000,
          ).catch((err: Error) => {
            throw new Error(`${err.message}\n${pf.stderr()}`);
          });
          const local = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
          for (const word of ['one', 'two']) {
            const answer = await roundTrip(local, word);
            assert.equal(answer, `pong:${word}`, pf.stderr());
          }
        } finally {
          pf.stop();
          kv.cleanup();
        }
      });
    }

    it('logs: all, --tail, --timestamps, --limit-bytes, --since-time, -c', async () => {
      assert.equal(await k.ok(['logs', 'p']), 'first line\nsecond line\nthird line\n');
      assert.equal(await k.ok(['logs', 'p', '--tail=1']), 'third line\n');
      assert.equal(
        await k.ok(['logs', 'p', '-c', 'app', '--timestamps', '--tail=1']),
        '2025-01-01T00:00:03.000000000Z third line\n',
      );
      assert.equal(await k.ok(['logs', 'p', '--limit-bytes=5']), 'first');
      assert.equal(
        await k.ok(['logs', 'p', '--since-time=2025-01-01T00:00:02Z']),
        'second line\nthird line\n',
      );
    });

    it('logs -f streams appended lines and ends when the container stops', async () => {
      const w = k.watch(['logs', '-f', 'p', '--tail=1']);
      try {
        await eventually('the last line', () => w.lines.includes('third line'));
        appendFileSync(lookup.logPath, '2025-01-01T00:00:04.000000000Z stdout F fourth line\n');
        await eventually('the appended line', () => w.lines.includes('fourth line'));
        lookup.running = false;
        // kubectl exits once the stream ends; its output is complete.
        appendFileSync(lookup.logPath, '2025-01-01T00:00:05.000000000Z stdout F last words\n');
        await eventually('the last words', () => w.lines.includes('last words'));
      } finally {
        lookup.running = true;
        w.stop();
      }
    });

    it('errors: a stopped container, a container waiting to start, a node not connected', async () => {
      const stopped = await k.fails(['exec', 'p', '-c', 'stopped', '--', 'true']);
      assert.match(stopped, /container not found \("stopped"\)/);
      const waiting = await k.fails(['logs', 'p', '-c', 'waiting']);
      assert.match(
        waiting,
        /container "waiting" in pod "p" is waiting to start: ContainerCreating/,
      );
      const off = await k.fails(['logs', 'lost']);
      assert.match(off, /node "nowhere" is not connected/);
      const offExec = await k.fails(['exec', 'lost', '--', 'true']);
      assert.match(offExec, /node "nowhere" is not connected/);
    });

    it('malformed SPDY and WebSocket frames close the connection; the server keeps serving', async () => {
      const creds = adminCredentials(server.kubeconfig);
      const url = new URL(creds.server);
      const path = '/api/v1/namespaces/default/pods/p/portforward';
      const garbage = Buffer.from([0x80, 0x07, 0x00, 0x01, 0, 0, 0, 4, 1, 2, 3, 4]); // SPDY version 7
      const spdy = await rawUpgrade(url, creds, path, 'POST', {
        Connection: 'Upgrade',
        Upgrade: 'SPDY/3.1',
        'X-Stream-Protocol-Version': 'portforward.k8s.io',
      });
      assert.match(spdy.head, /^HTTP\/1\.1 101/);
      spdy.socket.write(garbage);
      const answer = await spdy.closed;
      // GOAWAY (type 7) with PROTOCOL_ERROR, then the close.
      assert.equal(answer.readUInt16BE(2), 7);
      assert.equal(answer.readUInt32BE(12), 1);

      spdy.socket.destroy();
      const ws = await rawUpgrade(url, creds, `${path}?ports=80`, 'GET', {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io',
      });
      assert.match(ws.head, /^HTTP\/1\.1 101/);
      ws.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff])); // not a WebSocket frame
      await ws.closed;
      ws.socket.destroy();
      assert.match(await k.ok(['get', 'pod', 'p', '-o', 'name']), /pod\/p/);
    });
  },
);

function podYaml(name: string, node: string): string {
  return (
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n` +
    `  annotations: {kubectl.kubernetes.io/default-container: app}\n` +
    `spec:\n  nodeName: ${node}\n  containers:\n` +
    `  - {name: app, image: busybox, stdin: true}\n` +
    `  - {name: stopped, image: busybox}\n  - {name: waiting, image: busybox}\n`
  );
}

function roundTrip(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => s.write(word));
    s.once('data', (d) => {
      resolve(d.toString());
      s.end();
    });
    s.once('error', reject);
    setTimeout(() => reject(new Error(`no answer through port ${port}`)), 10_000).unref();
  });
}

/** Sends an upgrade request over TLS; `closed` resolves with what came after the headers. */
function rawUpgrade(
  url: URL,
  creds: { ca: string; cert: string; key: string },
  path: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ head: string; socket: TLSSocket; closed: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port),
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      servername: 'localhost',
    });
    socket.once('error', reject);
    let buf = Buffer.alloc(0);
    let head = '';
    const closed = new Promise<Buffer>((done) => socket.once('close', () => done(buf)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (!head && end >= 0) {
        head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        resolve({ head, socket, closed });
      }
    });
    socket.once('secureConnect', () => {
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${lines.join('\r\n')}\r\n\r\n`,
      );
    });
  });
}
