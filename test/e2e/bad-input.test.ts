/**
 * Bad input over real HTTPS: every case gets a Kubernetes Status with the right
 * code, nothing is half-written, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import type { RequestOptions } from 'node:https';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  createCertificateAuthority,
  issueCertificate,
  loadCertificateAuthority,
} from '../../src/pki/index.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminCredentials,
  eventually,
  httpsCall,
  removeDir,
  startServer,
  type Credentials,
  type HttpsReply,
  type ServerProcess,
} from '../helpers/cluster.ts';

interface Reply extends HttpsReply {
  json(): { kind?: string; code?: number; reason?: string; message?: string; [k: string]: unknown };
}

describe('bad input gets a clear Status and loses nothing', () => {
  let server: ServerProcess;
  let creds: Credentials;

  before(async () => {
    server = await startServer({
      args: [
        '--history-min-revisions',
        '5',
        '--history-min-age',
        '0s',
        '--compaction-interval',
        '100ms',
      ],
    });
    creds = adminCredentials(server.kubeconfig);
  });

  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir);
  });

  async function call(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
    tls: Partial<RequestOptions> = {},
  ): Promise<Reply> {
    const r = await httpsCall(creds, method, path, {
      body,
      headers: { 'Content-Type': 'application/json', ...headers },
      tls,
    });
    return { ...r, json: () => JSON.parse(r.body) as ReturnType<Reply['json']> };
  }

  async function expectStatus(
    r: Reply,
    code: number,
    reason: string,
    message?: RegExp,
  ): Promise<void> {
    assert.equal(r.code, code, r.body);
    const s = r.json();
    assert.equal(s.kind, 'Status', r.body);
    assert.equal(s.code, code);
    assert.equal(s.reason, reason, r.body);
    if (message) assert.match(String(s.message), message);
  }

  const cm = (name: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { a: '1' },
      ...extra,
    });
  const cmPath = '/api/v1/namespaces/default/configmaps';

  it('malformed JSON and YAML are 400s', async () => {
    await expectStatus(
      await call('POST', cmPath, '{"apiVersion": "v1", "kind": '),
      400,
      'BadRequest',
      /JSON/,
    );
    await expectStatus(
      await call('POST', cmPath, 'kind: [unclosed', { 'Content-Type': 'application/yaml' }),
      400,
      'BadRequest',
      /YAML/,
    );
    await expectStatus(await call('POST', cmPath, '[1, 2, 3]'), 400, 'BadRequest');
  });

  it('a YAML alias bomb and absurd nesting are refused', async () => {
    // Ten levels of ten aliases each: 10^11 strings once expanded.
    const anchor = (i: number): string => String.fromCharCode(97 + i);
    let bomb = `a: &a [${Array(10).fill('"x"').join(',')}]\n`;
    for (let i = 1; i <= 10; i++)
      bomb += `${anchor(i)}: &${anchor(i)} [${Array(10)
        .fill(`*${anchor(i - 1)}`)
        .join(',')}]\n`;
    await expectStatus(
      await call('POST', cmPath, bomb, { 'Content-Type': 'application/yaml' }),
      400,
      'BadRequest',
    );
    const deep =
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' +
      '['.repeat(100_000) +
      ']'.repeat(100_000) +
      '}';
    await expectStatus(await call('POST', cmPath, deep), 400, 'BadRequest');
  });

  it('kind, apiVersion and namespace must match the URL', async () => {
    await expectStatus(
      await call('POST', '/api/v1/namespaces/default/secrets', cm('wrong-kind')),
      400,
      'BadRequest',
      /kind in the data \(ConfigMap\) does not match the expected kind \(Secret\)/,
    );
    await expectStatus(
      await call(
        'POST',
        cmPath,
        JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
      ),
      400,
      'BadRequest',
      /API version in the data \(apps\/v1\) does not match the expected API version \(v1\)/,
    );
    await expectStatus(
      await call(
        'POST',
        cmPath,
        cm('other-ns', { metadata: { name: 'other-ns', namespace: 'kube-system' } }),
      ),
      400,
      'BadRequest',
      /does not match the namespace sent on the request/,
    );
  });

  it('a 10 MiB body is 413 and the server stays usable', async () => {
    const big = cm('huge', { data: { a: 'x'.repeat(10 * 1024 * 1024) } });
    await expectStatus(
      await call('POST', cmPath, big),
      413,
      'RequestEntityTooLarge',
      /limit is 3145728/,
    );
    // Just under the body limit but over the object limit: refused too.
    const object = cm('big-object', { data: { a: 'x'.repeat(2 * 1024 * 1024) } });
    const r = await call('POST', cmPath, object);
    assert.ok(r.code === 413 || r.code === 422, r.body);
    assert.equal((await call('GET', `${cmPath}/big-object`)).code, 404);
  });

  it('a stale resourceVersion is a 409 Conflict and the object keeps its value', async () => {
    const created = await call('POST', cmPath, cm('stale'));
    assert.equal(created.code, 201, created.body);
    const rv = (created.json().metadata as { resourceVersion: string }).resourceVersion;
    const upd = await call(
      'PUT',
      `${cmPath}/stale`,
      cm('stale', { metadata: { name: 'stale', resourceVersion: rv }, data: { a: '2' } }),
    );
    assert.equal(upd.code, 200, upd.body);
    const stale = await call(
      'PUT',
      `${cmPath}/stale`,
      cm('stale', { metadata: { name: 'stale', resourceVersion: rv }, data: { a: '3' } }),
    );
    await expectStatus(
      stale,
      409,
      'Conflict',
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
    const now = (await call('GET', `${cmPath}/stale`)).json() as { data: { a: string } };
    assert.equal(now.data.a, '2');
    await expectStatus(
      await call('POST', cmPath, cm('stale')),
      409,
      'AlreadyExists',
      /configmaps "stale" already exists/,
    );
  });

  it('unknown resources, methods and patch types get 404, 405 and 415', async () => {
    await expectStatus(await call('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    await expectStatus(
      await call('GET', `${cmPath}/nope`),
      404,
      'NotFound',
      /configmaps "nope" not found/,
    );
    await expectStatus(await call('POST', `${cmPath}/stale`, cm('stale')), 405, 'MethodNotAllowed');
    await expectStatus(
      await call('PATCH', `${cmPath}/stale`, '{}', { 'Content-Type': 'text/plain' }),
      415,
      'UnsupportedMediaType',
    );
    await expectStatus(
      await call('GET', '/api/v1/pods?labelSelector=a%3D%3D%3D'),
      400,
      'BadRequest',
    );
  });

  it('no credentials, an expired certificate or a foreign CA get 401', async () => {
    await expectStatus(
      await call('GET', cmPath, undefined, {}, { cert: undefined, key: undefined }),
      401,
      'Unauthorized',
    );
    const ca = loadCertificateAuthority(
      readFileSync(join(server.dataDir, 'pki', 'ca.crt'), 'utf8'),
      readFileSync(join(server.dataDir, 'pki', 'ca.key'), 'utf8'),
    );
    const expired = await issueCertificate(await ca, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
      validityDays: 1,
      now: new Date(Date.now() - 10 * 86_400_000),
    });
    await expectStatus(
      await call('GET', cmPath, undefined, {}, { cert: expired.certPem, key: expired.keyPem }),
      401,
      'Unauthorized',
    );
    const foreign = await createCertificateAuthority({ commonName: 'evil-ca' });
    const forged = await issueCertificate(foreign, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    await expectStatus(
      await call('GET', cmPath, undefined, {}, { cert: forged.certPem, key: forged.keyPem }),
      401,
      'Unauthorized',
    );
  });

  it('a watch from a compacted revision gets a 410 Expired event', async () => {
    for (let i = 0; i < 30; i++) {
      assert.equal((await call('POST', cmPath, cm(`churn-${i}`))).code, 201);
    }
    // Compaction runs every 100 ms keeping 5 revisions; wait for it to pass revision 2.
    const reply = await eventually(
      'a watch from revision 2 to be answered with an ERROR event',
      async () => {
        const r = await call('GET', `${cmPath}?watch=1&resourceVersion=2&timeoutSeconds=1`);
        return r.body.includes('"ERROR"') && r;
      },
      10_000,
    );
    assert.equal(reply.code, 200);
    const event = JSON.parse(reply.body.trim().split('\n')[0]) as {
      type: string;
      object: { code: number; reason: string; message: string };
    };
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, 'Expired');
    assert.match(event.object.message, /too old resource version: 2/);
    // And a list at that revision, asked for exactly, is a 410 too.
    await expectStatus(
      await call('GET', `${cmPath}?resourceVersion=2&resourceVersionMatch=Exact`),
      410,
      'Expired',
    );
  });

  it('pods/binding assigns a node once, with the PodScheduled condition', async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bind-me' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod)).code, 201);
    const binding = (node: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'bind-me' },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    assert.equal(
      (await call('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding('node-a')))
        .code,
      201,
    );
    await expectStatus(
      await call('POST', '/api/v1/namespaces/default/pods/bind-me/binding', binding('node-b')),
      409,
      'Conflict',
      /pod bind-me is already assigned to node "node-a"/,
    );
    const bound = (await call('GET', '/api/v1/namespaces/default/pods/bind-me')).json() as {
      spec: { nodeName: string };
      status: { conditions: { type: string; status: string }[] };
    };
    assert.equal(bound.spec.nodeName, 'node-a');
    assert.deepEqual(
      bound.status.conditions.filter((c) => c.type === 'PodScheduled').map((c) => c.status),
      ['True'],
    );
    // A client cannot set nodeName through an ordinary update of a bound pod's status either.
    await expectStatus(
      await call('POST', '/api/v1/namespaces/default/pods/bind-me/binding', '{"target":{}}'),
      400,
      'BadRequest',
    );
  });

  it('after all of it the server is healthy and consistent', async () => {
    const ready = await call('GET', '/readyz');
    assert.equal(ready.code, 200);
    assert.equal(ready.body, 'ok');
    const list = (await call('GET', cmPath)).json() as { items: { metadata: { name: string } }[] };
    const names = list.items.map((i) => i.metadata.name);
    for (const refused of ['huge', 'big-object', 'wrong-kind', 'other-ns', 'deep'])
      assert.ok(!names.includes(refused), refused);
    assert.equal(server.child.exitCode, null, 'the server process must still be running');
  });
});

describe('limits: in-flight cap and request timeout', () => {
  let server: ServerProcess;
  let creds: Credentials;

  before(async () => {
    server = await startServer({
      args: ['--max-requests-inflight', '2', '--request-timeout', '1s'],
    });
    creds = adminCredentials(server.kubeconfig);
  });

  after(async () => {
    await server?.stop();
    removeDir(server?.dataDir);
  });

  /**
   * A POST whose body never finishes, so it occupies an in-flight slot. If it
   * arrives while the slots are full it is turned away (429); it tries again.
   */
  async function stalled(): Promise<{ code: number; body: string }> {
    for (;;) {
      const r = await stalledOnce();
      if (r.code !== 429) return r;
    }
  }

  function stalledOnce(): Promise<{ code: number; body: string }> {
    const url = new URL(creds.server);
    return new Promise((resolve, reject) => {
      const socket = connect(
        {
          host: url.hostname,
          port: Number(url.port),
          ca: creds.ca,
          cert: creds.cert,
          key: creds.key,
        },
        () => {
          socket.write(
            `POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion"`,
          );
        },
      );
      let data = '';
      const done = (): void => {
        const code = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0);
        resolve({ code, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
      };
      socket.on('data', (d: Buffer) => {
        data += d.toString();
        // A 429 leaves the connection open; take the answer and move on.
        if (/^HTTP\/1\.1 429/.test(data) && data.includes('}')) {
          socket.destroy();
          done();
        }
      });
      socket.on('error', reject);
      socket.on('close', done);
    });
  }

  const get = (path: string): Promise<HttpsReply> =>
    httpsCall(creds, 'GET', path, { agent: false });

  it('answers 429 with Retry-After past the cap, 504 to stalled requests, then recovers', async () => {
    const first = stalled();
    const second = stalled();
    // Both stalled requests hold their slots until the timeout answers them.
    let limited: HttpsReply | undefined;
    for (let i = 0; i < 50 && limited?.code !== 429; i++)
      limited = await get('/api/v1/namespaces/default/configmaps');
    assert.equal(limited?.code, 429, limited?.body);
    assert.equal(limited?.headers['retry-after'], '1');
    assert.equal((JSON.parse(limited!.body) as { reason: string }).reason, 'TooManyRequests');
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.code, 504, a.body);
    assert.equal(b.code, 504, b.body);
    assert.match(a.body, /Timeout/);
    // The slots are freed as the closed connections end the stalled body reads.
    await eventually(
      'a request to be served again',
      async () => (await get('/api/v1/namespaces/default/configmaps')).code === 200,
      5000,
    );
  });
});
