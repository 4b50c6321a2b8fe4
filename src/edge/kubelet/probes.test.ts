import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Container } from '../../api/types/core.ts';
import { realClock } from '../../util/clock.ts';
import type { Runtime } from '../runtime/types.ts';
import { ContainerProber } from './probes.ts';

/** Polls `cond` every 10 ms for up to 5 s of real time (these probes use real sockets). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

function prober(
  container: Container,
  events: string[],
  failures: string[],
  changes: { n: number },
): ContainerProber {
  return new ContainerProber({
    runtime: {} as Runtime,
    clock: realClock,
    container,
    containerId: 'c1',
    startedAt: Date.now(),
    podIP: '127.0.0.1',
    onChange: () => void changes.n++,
    onFailure: (kind) => failures.push(kind),
    event: (_type, reason, message) => events.push(`${reason} ${message}`),
    warnOnce: () => {},
  });
}

describe('ContainerProber (real sockets)', () => {
  it('httpGet: named port, path and headers; 200 makes ready, 500 is a failure with the status code', async () => {
    let code = 200;
    let seen: { url?: string; headers?: IncomingHttpHeaders } = {};
    const server = createServer((req, res) => {
      seen = { url: req.url, headers: req.headers };
      res.statusCode = code;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const events: string[] = [];
    const failures: string[] = [];
    const changes = { n: 0 };
    const p = prober(
      {
        name: 'web',
        ports: [{ name: 'http', containerPort: port }],
        readinessProbe: {
          httpGet: {
            port: 'http',
            path: '/healthz',
            httpHeaders: [{ name: 'X-Probe', value: 'yes' }],
          },
          periodSeconds: 1,
          failureThreshold: 1,
        },
      },
      events,
      failures,
      changes,
    );
    try {
      assert.equal(p.ready, false);
      p.start();
      await until(() => p.ready, 'ready after a 200');
      assert.equal(seen.url, '/healthz');
      assert.equal(seen.headers?.['x-probe'], 'yes');
      assert.match(String(seen.headers?.['user-agent']), /^kube-probe\//);
      code = 500;
      await until(() => !p.ready, 'unready after a 500');
      assert.ok(
        events.includes('Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 500'),
      );
    } finally {
      p.stop();
      server.close();
    }
  });

  it('tcpSocket: a refused connection fails liveness; an open port succeeds', async () => {
    const tcp = createTcpServer((s) => s.destroy());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const open = (tcp.address() as AddressInfo).port;
    const closedServer = createTcpServer();
    await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
    const closed = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((r) => closedServer.close(() => r()));
    const events: string[] = [];
    const failures: string[] = [];
    const good = prober(
      {
        name: 'a',
        livenessProbe: { tcpSocket: { port: open }, failureThreshold: 1 },
        readinessProbe: { tcpSocket: { port: open } },
      },
      events,
      failures,
      { n: 0 },
    );
    const bad = prober(
      { name: 'b', livenessProbe: { tcpSocket: { port: closed }, failureThreshold: 1 } },
      events,
      failures,
      { n: 0 },
    );
    try {
      good.start();
      bad.start();
      await until(() => failures.length === 1 && good.ready, 'bad fails, good is ready');
      assert.deepEqual(failures, ['Liveness']);
      assert.ok(
        events.some((e) =>
          e.startsWith(`Unhealthy Liveness probe failed: dial tcp 127.0.0.1:${closed}: `),
        ),
      );
    } finally {
      good.stop();
      bad.stop();
      tcp.close();
    }
  });
});
