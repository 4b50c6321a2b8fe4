/**
 * The join endpoint over a real HTTPS server on 127.0.0.1, driven by the real
 * join client (and by raw requests for what the client would never send), with
 * tokens in a real SQLite file.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { isConflict, isForbidden, isInvalid, isUnavailable } from '../util/errors.ts';
import {
  type CertificateAuthority,
  certificateHash,
  createCertificateAuthority,
  createCsr,
  issueCertificate,
} from './certificates.ts';
import { type JoinService, type JoinServiceOptions, createJoinService } from './join.ts';
import { fetchVerifiedCa, requestNodeCertificate } from './join-client.ts';
import { tempDir } from './test-helpers.ts';
import { TokenStore, parseJoinToken, spkiSha256 } from './tokens.ts';

interface Harness {
  url: string;
  service: JoinService;
  tokens: TokenStore;
  ca: CertificateAuthority;
  caHash: string;
  logs: string[];
  nodes: Set<string>;
  clock: { now: () => number; ms: number };
  close(): Promise<void>;
}

let ca: CertificateAuthority;
let serving: { certPem: string; keyPem: string };
let otherCa: CertificateAuthority;
/** Every secret any test made: none may ever appear in a log. */
const secrets: string[] = [];
const allLogs: string[] = [];

before(async () => {
  ca = await createCertificateAuthority({ commonName: 'test-ca' });
  otherCa = await createCertificateAuthority({ commonName: 'other-ca' });
  serving = await issueCertificate(ca, {
    commonName: 'verge-apiserver',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
    usage: 'server',
  });
});

after(() => {
  const text = allLogs.join('\n');
  assert.ok(allLogs.length > 10, 'the tests logged refusals');
  for (const s of secrets) assert.ok(!text.includes(s), `a token secret appears in the logs`);
});

async function start(
  options: Partial<JoinServiceOptions> = {},
  host = '127.0.0.1',
): Promise<Harness> {
  const dir = await tempDir('verge-join-');
  const clock = { ms: Date.now(), now: () => clock.ms };
  const tokens = new TokenStore({ path: `${dir.path}/tokens.db`, now: clock.now });
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        allLogs.push(chunk.toString());
        done();
      },
    }),
  );
  const nodes = new Set<string>();
  const service = createJoinService({
    tokens,
    ca,
    nodeExists: async (name) => nodes.has(name),
    logger,
    clock,
    ...options,
  });
  const server: Server = createServer(
    { cert: serving.certPem, key: serving.keyPem },
    service.handle,
  );
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${host}:${port}`,
    service,
    tokens,
    ca,
    caHash: certificateHash(ca.certPem),
    logs,
    nodes,
    clock,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tokens.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

function newToken(h: Harness, options: Parameters<TokenStore['create']>[0] | object = {}): string {
  const { token } = h.tokens.create({ caHash: h.caHash, ...options });
  secrets.push(parseJoinToken(token).secret);
  return token;
}

function nodeCsr(name: string, organizations = ['system:nodes']) {
  return createCsr({ commonName: `system:node:${name}`, organizations });
}

/** A raw HTTPS request trusting the CA; returns status, headers and parsed JSON (or text). */
function raw(
  url: string,
  init: { method?: string; path: string; body?: string | Buffer; headers?: Record<string, string> },
): Promise<{ status: number; headers: Record<string, unknown>; body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(init.path, url), {
      method: init.method ?? 'GET',
      ca: ca.certPem,
      agent: false,
      headers: init.headers,
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // text
        }
        resolve({ status: res.statusCode!, headers: res.headers, body, text });
      });
    });
    req.end(init.body);
  });
}

async function postJoin(h: Harness, body: unknown) {
  return raw(h.url, {
    method: 'POST',
    path: '/join/v1/certificate',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
}

/** The Kubernetes Status body of a refusal. */
function assertStatus(
  r: { status: number; body: unknown },
  code: number,
  reason: string,
  message: RegExp,
): void {
  assert.equal(r.status, code, JSON.stringify(r.body));
  const s = r.body as Record<string, unknown>;
  assert.equal(s.kind, 'Status');
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, code);
  assert.equal(s.reason, reason);
  assert.match(String(s.message), message);
}

describe('join endpoint', () => {
  let h: Harness;
  before(async () => {
    // The clock stands still here: a burst large enough for the whole suite.
    h = await start({ certificateValidityDays: 2, joinBurst: 1000 });
  });
  after(() => h.close());

  it('joins a node: CA verified by hash, CSR exchanged for a node client certificate', async () => {
    const token = newToken(h, { uses: 2 });
    const parsed = parseJoinToken(token);
    const caPem = await fetchVerifiedCa(h.url, parsed.caHash);
    assert.equal(caPem, ca.certPem);
    const { csrPem, keyPem } = await nodeCsr('edge-1');
    const answer = await requestNodeCertificate(h.url, caPem, token, 'edge-1', csrPem);
    assert.equal(answer.ca, ca.certPem);
    const cert = new X509Certificate(answer.certificate);
    assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:edge-1');
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem)));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth only
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 1.9 && days < 2.1, `validity ${days} days (option: 2)`);
    assert.equal(h.tokens.list().find((t) => t.id === parsed.id)?.usesLeft, 1);
    assert.equal(
      h.tokens.nodeKey('edge-1'),
      spkiSha256(new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' }))),
    );
    assert.ok(h.logs.some((l) => /node joined/.test(l) && l.includes(parsed.id)));
  });

  it('serves the CA to anyone, with GET and HEAD only', async () => {
    const r = await raw(h.url, { path: '/join/v1/ca' });
    assert.equal(r.status, 200);
    assert.equal(r.text, ca.certPem);
    assert.equal((await raw(h.url, { path: '/join/v1/ca', method: 'HEAD' })).status, 200);
    const post = await raw(h.url, { path: '/join/v1/ca', method: 'POST' });
    assertStatus(post, 405, 'MethodNotAllowed', /POST is not allowed/);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const get = await raw(h.url, { path: '/join/v1/certificate', method: 'GET' });
    assertStatus(get, 405, 'MethodNotAllowed', /GET is not allowed/);
    assert.equal(get.headers.allow, 'POST');
    assertStatus(await raw(h.url, { path: '/join/v2/ca' }), 404, 'NotFound', /no join endpoint/);
    assertStatus(await raw(h.url, { path: '/' }), 404, 'NotFound', /no join endpoint/);
    // A request target URL cannot parse is answered, not a crash.
    const odd = await new Promise<number>((resolve, reject) => {
      const u = new URL(h.url);
      const req = request({
        host: u.hostname,
        port: u.port,
        path: 'http://[',
        ca: ca.certPem,
        agent: false,
      });
      req.once('error', reject);
      req.once('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.end();
    });
    assert.equal(odd, 404);
  });

  it('refuses a CA whose hash is not the token’s', async () => {
    const token = parseJoinToken(newToken(h));
    const wrong = certificateHash(otherCa.certPem);
    await assert.rejects(fetchVerifiedCa(h.url, wrong), (err: Error) => {
      assert.ok(isInvalid(err));
      assert.equal(
        err.message,
        `the server's CA does not match the token's hash (expected ${wrong}, got ${token.caHash}): wrong server or a man in the middle`,
      );
      return true;
    });
  });

  it('refuses, once the CA is trusted, a server whose certificate is not from it', async () => {
    const { csrPem } = await nodeCsr('edge-x');
    await assert.rejects(
      requestNodeCertificate(h.url, otherCa.certPem, newToken(h), 'edge-x', csrPem),
      (err: Error) => isInvalid(err) && /not issued by the cluster CA/.test(err.message),
    );
    // A server reached by an address its certificate does not name.
    const h2 = await start({}, '127.0.0.2');
    try {
      await assert.rejects(
        requestNodeCertificate(h2.url, ca.certPem, newToken(h2), 'edge-x', csrPem),
        (err: Error) => isInvalid(err) && /--tls-san 127.0.0.2/.test(err.message),
      );
    } finally {
      await h2.close();
    }
  });

  /** Joins with the client and returns the error it throws. */
  async function refused(token: string, nodeName: string, csrPem?: string): Promise<Error> {
    const csr = csrPem ?? (await nodeCsr(nodeName)).csrPem;
    try {
      await requestNodeCertificate(h.url, ca.certPem, token, nodeName, csr);
    } catch (err) {
      return err as Error;
    }
    assert.fail('the join succeeded');
  }

  it('refuses an unknown id, a wrong secret, an expired, revoked or used-up token (401)', async () => {
    const good = parseJoinToken(newToken(h));
    const unknown = `V1.${h.caHash}.zzzzzz.${'a'.repeat(16)}`;
    let err = await refused(unknown, 'edge-2');
    assert.ok(isForbidden(err));
    assert.match(err.message, /\(401 Unauthorized\): token zzzzzz does not exist/);

    const wrongSecret = `V1.${h.caHash}.${good.id}.${'0'.repeat(16)}`;
    assert.match((await refused(wrongSecret, 'edge-2')).message, /401.*wrong secret/);

    const expiring = newToken(h, { ttlMs: 1000 });
    h.clock.ms += 1000;
    try {
      assert.match((await refused(expiring, 'edge-2')).message, /401.*expired at/);
    } finally {
      h.clock.ms -= 1000;
    }

    const revoked = newToken(h);
    h.tokens.revoke(parseJoinToken(revoked).id);
    assert.match((await refused(revoked, 'edge-2')).message, /401.*has been revoked/);

    const once = newToken(h, { uses: 1 });
    await requestNodeCertificate(
      h.url,
      ca.certPem,
      once,
      'edge-3',
      (await nodeCsr('edge-3')).csrPem,
    );
    err = await refused(once, 'edge-4');
    assert.match(err.message, /401.*has been used up/);

    const otherCluster = `V1.${certificateHash(otherCa.certPem)}.${good.id}.${good.secret}`;
    assert.match((await refused(otherCluster, 'edge-2')).message, /401.*another cluster/);
  });

  it('refuses a token bound to another node name (403)', async () => {
    const token = newToken(h, { node: 'edge-bound' });
    const err = await refused(token, 'edge-other');
    assert.ok(isForbidden(err));
    assert.match(err.message, /403 Forbidden.*bound to node "edge-bound", not "edge-other"/);
    await requestNodeCertificate(
      h.url,
      ca.certPem,
      token,
      'edge-bound',
      (await nodeCsr('edge-bound')).csrPem,
    );
  });

  it('refuses malformed tokens (401) and malformed requests (400), echoing no secret', async () => {
    const { csrPem } = await nodeCsr('edge-5');
    // The client refuses to send a malformed token at all.
    await assert.rejects(
      requestNodeCertificate(h.url, ca.certPem, 'V1.abc.def', 'edge-5', csrPem),
      (err: Error) => isInvalid(err) && /malformed join token/.test(err.message),
    );
    const secretish = 'sekretsekretsekret';
    let r = await postJoin(h, {
      token: `V1.${h.caHash}.abc123.${secretish}`,
      nodeName: 'edge-5',
      csr: csrPem,
    });
    assertStatus(r, 401, 'Unauthorized', /malformed join token.*secret is not 16/);
    assert.ok(!r.text.includes(secretish));
    r = await postJoin(h, { token: `Bearer ${secretish}`, nodeName: 'edge-5', csr: csrPem });
    assertStatus(r, 401, 'Unauthorized', /malformed join token/);
    assert.ok(!r.text.includes(secretish));
    assertStatus(await postJoin(h, '{"token": '), 400, 'BadRequest', /not valid JSON/);
    assertStatus(await postJoin(h, '[1]'), 400, 'BadRequest', /must be a JSON object/);
    assertStatus(
      await postJoin(h, { token: newToken(h), csr: 7 }),
      400,
      'BadRequest',
      /nodeName, csr must be string/,
    );
    assertStatus(
      await postJoin(h, { token: newToken(h), nodeName: 'Edge_5', csr: csrPem }),
      400,
      'BadRequest',
      /"Edge_5" is not a valid node name/,
    );
    assert.ok(!h.logs.join('').includes(secretish));
  });

  it('refuses bodies over 64 KiB (413), declared or streamed', async () => {
    const big = JSON.stringify({ token: 'x', nodeName: 'a', csr: 'x'.repeat(70 * 1024) });
    assertStatus(await postJoin(h, big), 413, 'RequestEntityTooLarge', /larger than 65536/);
    const chunked = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(new URL('/join/v1/certificate', h.url), {
        method: 'POST',
        ca: ca.certPem,
        agent: false,
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      });
      // No Content-Length: chunked; sent in pieces so the limit is found while reading.
      for (let i = 0; i < 5; i++) req.write('x'.repeat(16 * 1024));
      req.end();
    });
    assertStatus(chunked, 413, 'RequestEntityTooLarge', /larger than 65536/);
  });

  it('refuses a CSR that is not exactly CN=system:node:<name>, O=system:nodes (400), using no token use', async () => {
    const token = newToken(h, { uses: 1 });
    const cases: [Promise<{ csrPem: string }>, RegExp][] = [
      [nodeCsr('someone-else'), /got CN=system:node:someone-else, O=system:nodes/],
      [nodeCsr('edge-6', ['system:masters']), /got CN=system:node:edge-6, O=system:masters/],
      [nodeCsr('edge-6', []), /got CN=system:node:edge-6$/],
      [nodeCsr('edge-6', ['system:nodes', 'system:masters']), /O=system:masters/],
      [createCsr({ commonName: 'edge-6', organizations: ['system:nodes'] }), /got CN=edge-6/],
    ];
    for (const [csr, message] of cases) {
      const err = await refused(token, 'edge-6', (await csr).csrPem);
      assert.ok(isInvalid(err), err.message);
      assert.match(err.message, /400 BadRequest/);
      assert.match(err.message, /subject must be exactly CN=system:node:edge-6, O=system:nodes/);
      assert.match(err.message, message);
    }
    // A tampered CSR (signature no longer matches).
    const { csrPem } = await nodeCsr('edge-6');
    const b64 = csrPem.split('\n').slice(1, -2).join('');
    const der = Buffer.from(b64, 'base64');
    der[der.length - 5] ^= 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    let r = await postJoin(h, { token, nodeName: 'edge-6', csr: tampered });
    assertStatus(r, 400, 'BadRequest', /CSR/);
    r = await postJoin(h, { token, nodeName: 'edge-6', csr: 'not a csr' });
    assertStatus(r, 400, 'BadRequest', /CSR: no PEM CERTIFICATE REQUEST block/);
    // None of that used the token's one use.
    await requestNodeCertificate(h.url, ca.certPem, token, 'edge-6', csrPem);
  });

  it('keeps a node name for its key while the Node exists (409), frees it when deleted', async () => {
    const first = await nodeCsr('edge-7');
    await requestNodeCertificate(h.url, ca.certPem, newToken(h), 'edge-7', first.csrPem);
    h.nodes.add('edge-7');
    // The same key re-joining (a re-install that kept its key) is fine.
    await requestNodeCertificate(h.url, ca.certPem, newToken(h), 'edge-7', first.csrPem);
    // Another key while the Node exists: refused, and the token keeps its use.
    const intruder = await nodeCsr('edge-7');
    const token = newToken(h, { uses: 1 });
    const err = await refused(token, 'edge-7', intruder.csrPem);
    assert.ok(isConflict(err));
    assert.match(
      err.message,
      /409 Conflict\): node "edge-7" is already joined with another key; delete the Node first \(kubectl delete node edge-7\) to re-join$/,
    );
    assert.ok(h.logs.some((l) => /join refused/.test(l) && l.includes(parseJoinToken(token).id)));
    // After an admin deletes the Node, the new key may take the name.
    h.nodes.delete('edge-7');
    const answer = await requestNodeCertificate(
      h.url,
      ca.certPem,
      token,
      'edge-7',
      intruder.csrPem,
    );
    h.nodes.add('edge-7');
    const key = new X509Certificate(answer.certificate).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    assert.equal(h.tokens.nodeKey('edge-7'), spkiSha256(new Uint8Array(key)));
    // ... and now the first key is the outsider.
    assert.ok(isConflict(await refused(newToken(h), 'edge-7', first.csrPem)));
  });

  it('answers 503 when it cannot tell whether the Node exists', async () => {
    const h2 = await start({
      nodeExists: () => Promise.reject(new Error('store down')),
    });
    try {
      h2.tokens.setNodeKey('edge-8', '0a'.repeat(32));
      const { token } = h2.tokens.create({ caHash: h2.caHash });
      secrets.push(parseJoinToken(token).secret);
      const { csrPem } = await nodeCsr('edge-8');
      await assert.rejects(
        requestNodeCertificate(h2.url, ca.certPem, token, 'edge-8', csrPem),
        (err: Error) => isUnavailable(err) && /503.*store down/.test(err.message),
      );
    } finally {
      await h2.close();
    }
  });

  it('renews a connected node’s certificate, binding its new key', async () => {
    const { csrPem } = await nodeCsr('edge-9');
    const pem = await h.service.renewNodeCertificate('edge-9', csrPem);
    const cert = new X509Certificate(pem);
    assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:edge-9');
    assert.equal(
      h.tokens.nodeKey('edge-9'),
      spkiSha256(new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' }))),
    );
    await assert.rejects(
      h.service.renewNodeCertificate('edge-10', csrPem),
      (err: Error) =>
        isInvalid(err) && /subject must be exactly CN=system:node:edge-10/.test(err.message),
    );
    await assert.rejects(h.service.renewNodeCertificate('Bad Name', csrPem), isInvalid);
  });
});

describe('join rate limit', () => {
  it('answers 429 with Retry-After beyond the burst, and recovers at the rate', async () => {
    const h = await start({ joinsPerSecond: 2, joinBurst: 3 });
    try {
      const token = newToken(h);
      const attempt = async () =>
        (await postJoin(h, { token, nodeName: 'Bad_Name', csr: '' })).status;
      assert.deepEqual([await attempt(), await attempt(), await attempt()], [400, 400, 400]);
      const r = await postJoin(h, { token, nodeName: 'x', csr: '' });
      assertStatus(r, 429, 'TooManyRequests', /too many join attempts/);
      assert.equal(r.headers['retry-after'], '1');
      // The client reports it as retryable, with the server's advice.
      await assert.rejects(
        requestNodeCertificate(h.url, ca.certPem, token, 'x', (await nodeCsr('x')).csrPem),
        (err: Error & { details?: { retryAfterSeconds?: number } }) =>
          isUnavailable(err) && err.details?.retryAfterSeconds === 1,
      );
      h.clock.ms += 500; // one more at 2/s
      assert.equal(await attempt(), 400);
      assert.equal(await attempt(), 429);
      // The CA is not rate limited.
      assert.equal((await raw(h.url, { path: '/join/v1/ca' })).status, 200);
    } finally {
      await h.close();
    }
  });
});
