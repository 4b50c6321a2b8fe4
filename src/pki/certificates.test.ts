import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { describe, it, before } from 'node:test';
import { isInvalid } from '../util/errors.ts';
import {
  type CertificateAuthority,
  type KeyPairPem,
  certificateHash,
  createCertificateAuthority,
  createCsr,
  identityFromPeerCertificate,
  issueCertificate,
  loadCertificateAuthority,
  parseCsr,
  signCsr,
} from './certificates.ts';
import { certificateTimes } from './times.ts';
import { decodePem, encodePem } from './pem.ts';
import { run, startMtlsServer, tempDir } from './test-helpers.ts';

/** GETs `url` presenting `client`, trusting `caPem`; resolves with the parsed JSON body. */
function get(
  url: string,
  caPem: string,
  client?: KeyPairPem,
  servername?: string,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: caPem,
        cert: client?.certPem,
        key: client?.keyPem,
        servername,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const openssl = (args: string[]) => run('openssl', args);

const nodeCert = (pem: string) => new X509Certificate(pem);

describe('certificates', () => {
  let ca: CertificateAuthority;
  let server: KeyPairPem;
  let admin: KeyPairPem;
  let otherCa: CertificateAuthority;

  before(async () => {
    ca = await createCertificateAuthority({ commonName: 'verge-test-ca' });
    server = await issueCertificate(ca, {
      commonName: 'verge-apiserver',
      dnsNames: ['localhost', 'API.Example.com'],
      ipAddresses: ['127.0.0.1', '2001:DB8:0:0::1'],
      usage: 'server',
    });
    admin = await issueCertificate(ca, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    otherCa = await createCertificateAuthority({ commonName: 'someone-else' });
  });

  it('makes a CA that openssl reads as a critical CA:TRUE with keyCertSign and cRLSign', async () => {
    await using dir = await tempDir();
    const caFile = join(dir.path, 'ca.crt');
    await writeFile(caFile, ca.certPem);
    const text = await openssl(['x509', '-in', caFile, '-noout', '-text']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(text.stdout, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(text.stdout, /Subject: CN ?= ?verge-test-ca/);
    assert.match(text.stdout, /Public Key Algorithm: id-ecPublicKey[\s\S]*NIST CURVE: P-256/);
    assert.match(text.stdout, /Signature Algorithm: ecdsa-with-SHA256/);
    const self = nodeCert(ca.certPem);
    assert.equal(self.ca, true);
    assert.equal(self.checkIssued(self), true);
    assert.equal(self.verify(self.publicKey), true);
    // The key on disk is PKCS#8 and belongs to the certificate.
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    assert.deepEqual(spki(ca.keyPem), self.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('issues a serving certificate that openssl verifies, with DNS and IP SANs split', async () => {
    await using dir = await tempDir();
    const caFile = join(dir.path, 'ca.crt');
    const serverFile = join(dir.path, 'server.crt');
    await writeFile(caFile, ca.certPem);
    await writeFile(serverFile, server.certPem);
    const verify = await openssl([
      'verify',
      '-CAfile',
      caFile,
      '-purpose',
      'sslserver',
      serverFile,
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.stdout, `${serverFile}: OK\n`);
    const text = await openssl(['x509', '-in', serverFile, '-noout', '-text']);
    assert.match(
      text.stdout,
      /Subject Alternative Name: \n\s+DNS:localhost, DNS:api\.example\.com, IP Address:127\.0\.0\.1, IP Address:2001:DB8:0:0:0:0:0:1\n/,
    );
    assert.match(text.stdout, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text.stdout, /Key Usage: critical\s+Digital Signature\n/);
    assert.match(text.stdout, /Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    // A server-only certificate is not a client certificate.
    const asClient = await openssl([
      'verify',
      '-CAfile',
      caFile,
      '-purpose',
      'sslclient',
      serverFile,
    ]);
    assert.notEqual(asClient.code, 0);
  });

  it('links issued certificates to the CA key (AKI = CA SKI) and uses distinct positive 128-bit serials', async () => {
    await using dir = await tempDir();
    const serverFile = join(dir.path, 'server.crt');
    const caFile = join(dir.path, 'ca.crt');
    await writeFile(serverFile, server.certPem);
    await writeFile(caFile, ca.certPem);
    const leafText = (await openssl(['x509', '-in', serverFile, '-noout', '-text'])).stdout;
    const caText = (await openssl(['x509', '-in', caFile, '-noout', '-text'])).stdout;
    const caSki = /Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(caText)?.[1];
    const leafAki = /Authority Key Identifier: \n\s+(?:keyid:)?([0-9A-F:]+)/.exec(leafText)?.[1];
    assert.ok(caSki);
    assert.equal(leafAki, caSki);
    const serials = [ca.certPem, server.certPem, admin.certPem].map(
      (p) => nodeCert(p).serialNumber,
    );
    assert.equal(new Set(serials).size, 3);
    for (const serial of serials) {
      // Node prints the DER integer; a leading 00 only keeps a high first byte positive.
      const digits = serial.replace(/^00(?=[89A-F])/, '');
      assert.match(digits, /^[0-9A-F]{32}$/, serial);
      assert.notEqual(digits.slice(0, 2), '00');
    }
  });

  it('serves mutual TLS on node:https: a client from the CA is accepted and identified', async () => {
    await using srv = await startMtlsServer({ caPem: ca.certPem, ...server });
    const body = await get(srv.url(), ca.certPem, admin);
    assert.deepEqual(body, {
      authorized: true,
      identity: { user: 'admin', groups: ['system:masters'] },
    });
    // The DNS SAN works too (the client checks the name it dialled).
    const byName = await get(srv.url(), ca.certPem, admin, 'api.example.com');
    assert.deepEqual(byName, body);
  });

  it('keeps every O as a group, in order, for a node certificate', async () => {
    const node = await issueCertificate(ca, {
      commonName: 'system:node:edge-1',
      organizations: ['system:nodes', 'team:blue'],
      usage: 'server+client',
    });
    await using srv = await startMtlsServer({ caPem: ca.certPem, ...server });
    assert.deepEqual(await get(srv.url(), ca.certPem, node), {
      authorized: true,
      identity: { user: 'system:node:edge-1', groups: ['system:nodes', 'team:blue'] },
    });
  });

  it('rejects a client certificate from another CA, and a client without one', async () => {
    const stranger = await issueCertificate(otherCa, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
    });
    await using srv = await startMtlsServer({ caPem: ca.certPem, ...server });
    await assert.rejects(get(srv.url(), ca.certPem, stranger));
    await assert.rejects(get(srv.url(), ca.certPem));
    assert.equal(srv.requests(), 0);
    // Control: the same server does answer a good client.
    await get(srv.url(), ca.certPem, admin);
    assert.equal(srv.requests(), 1);
  });

  it('is rejected by a client when the name it dials is not in the SANs', async () => {
    await using srv = await startMtlsServer({ caPem: ca.certPem, ...server });
    await assert.rejects(get(srv.url(), ca.certPem, admin, 'not-in-the-cert.example'), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('identityFromPeerCertificate: no certificate, no CN, several CNs', () => {
    assert.equal(identityFromPeerCertificate({} as PeerCertificate), undefined);
    const cert = (subject: Record<string, string | string[]>) =>
      ({ subject }) as unknown as PeerCertificate;
    assert.equal(identityFromPeerCertificate(cert({ O: 'system:masters' })), undefined);
    assert.equal(identityFromPeerCertificate(cert({ CN: '' })), undefined);
    assert.equal(identityFromPeerCertificate(cert({ CN: ['a', 'b'] })), undefined);
    assert.deepEqual(identityFromPeerCertificate(cert({ CN: 'bob' })), { user: 'bob', groups: [] });
  });

  describe('CSR', () => {
    it('round trip: createCsr -> parseCsr -> signCsr, verified by openssl and node', async () => {
      const { csrPem, keyPem } = await createCsr({
        commonName: 'system:node:edge-1',
        organizations: ['system:nodes'],
      });
      const parsed = await parseCsr(csrPem);
      assert.equal(parsed.commonName, 'system:node:edge-1');
      assert.deepEqual(parsed.organizations, ['system:nodes']);
      const keySpki = createPublicKey(createPrivateKey(keyPem)).export({
        type: 'spki',
        format: 'der',
      });
      assert.deepEqual(Buffer.from(parsed.publicKeySpkiDer), keySpki);

      const certPem = await signCsr(ca, csrPem, {
        commonName: parsed.commonName,
        organizations: parsed.organizations,
        usage: 'server+client',
        validityDays: 30,
      });
      const cert = nodeCert(certPem);
      const caCert = nodeCert(ca.certPem);
      assert.equal(cert.checkIssued(caCert), true);
      assert.equal(cert.verify(caCert.publicKey), true);
      assert.equal(cert.verify(nodeCert(otherCa.certPem).publicKey), false);
      assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:edge-1');
      assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), keySpki);
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);

      await using dir = await tempDir();
      const caFile = join(dir.path, 'ca.crt');
      const certFile = join(dir.path, 'node.crt');
      await writeFile(caFile, ca.certPem);
      await writeFile(certFile, certPem);
      for (const purpose of ['sslclient', 'sslserver']) {
        const verify = await openssl(['verify', '-CAfile', caFile, '-purpose', purpose, certFile]);
        assert.equal(verify.stdout, `${certFile}: OK\n`, verify.stderr);
      }
      // The node can use the issued certificate with its own key.
      await using srv = await startMtlsServer({ caPem: ca.certPem, ...server });
      assert.deepEqual(await get(srv.url(), ca.certPem, { certPem, keyPem }), {
        authorized: true,
        identity: { user: 'system:node:edge-1', groups: ['system:nodes'] },
      });
    });

    it('takes subject, SANs and usages from the options, never from the CSR', async () => {
      await using dir = await tempDir();
      const keyFile = join(dir.path, 'k.pem');
      const csrFile = join(dir.path, 'r.csr');
      const made = await openssl([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        csrFile,
        '-subj',
        '/O=system:masters/CN=admin',
        '-addext',
        'subjectAltName=DNS:evil.example,IP:10.9.9.9',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ]);
      assert.equal(made.code, 0, made.stderr);
      const csrPem = await readFile(csrFile, 'utf8');
      const parsed = await parseCsr(csrPem);
      assert.equal(parsed.commonName, 'admin');
      assert.deepEqual(parsed.organizations, ['system:masters']);
      const certPem = await signCsr(ca, csrPem, {
        commonName: 'system:node:edge-2',
        organizations: ['system:nodes'],
        usage: 'client',
      });
      const cert = nodeCert(certPem);
      assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:edge-2');
      assert.equal(cert.subjectAltName, undefined);
      assert.equal(cert.ca, false);
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    });

    it('rejects a tampered CSR (changed subject, changed signature)', async () => {
      const { csrPem } = await createCsr({ commonName: 'system:node:aaaa' });
      const der = Buffer.from(decodePem(csrPem, 'CERTIFICATE REQUEST', 'test'));
      const at = der.indexOf('system:node:aaaa');
      assert.ok(at > 0);
      const subject = Buffer.from(der);
      subject.write('system:node:bbbb', at);
      await assert.rejects(parseCsr(encodePem(subject, 'CERTIFICATE REQUEST')), (err) => {
        assert.ok(isInvalid(err));
        assert.match(err.message, /signature/);
        return true;
      });
      const signature = Buffer.from(der);
      signature[signature.length - 1] ^= 0x01;
      await assert.rejects(parseCsr(encodePem(signature, 'CERTIFICATE REQUEST')), isInvalid);
      await assert.rejects(
        signCsr(ca, encodePem(subject, 'CERTIFICATE REQUEST'), {
          commonName: 'system:node:bbbb',
          usage: 'client',
        }),
        isInvalid,
      );
      // The untouched CSR still parses (the tampering, not the test, made it fail).
      assert.equal((await parseCsr(csrPem)).commonName, 'system:node:aaaa');
    });

    it('rejects garbage, the wrong PEM kind, a CSR without CN and weak keys', async () => {
      await assert.rejects(parseCsr('hello'), isInvalid);
      await assert.rejects(parseCsr(server.certPem), isInvalid);
      await assert.rejects(
        parseCsr(encodePem(Buffer.from('not der'), 'CERTIFICATE REQUEST')),
        isInvalid,
      );
      await using dir = await tempDir();
      const reqWith = async (keyArgs: string[], subj: string) => {
        const out = join(dir.path, 'x.csr');
        const made = await openssl([
          'req',
          '-new',
          ...keyArgs,
          '-nodes',
          '-keyout',
          join(dir.path, 'x.key'),
          '-out',
          out,
          '-subj',
          subj,
        ]);
        assert.equal(made.code, 0, made.stderr);
        return readFile(out, 'utf8');
      };
      await assert.rejects(
        parseCsr(
          await reqWith(
            ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
            '/O=system:nodes',
          ),
        ),
        /common name/,
      );
      await assert.rejects(
        parseCsr(await reqWith(['-newkey', 'rsa:1024'], '/CN=weak')),
        /RSA >= 2048/,
      );
      await assert.rejects(parseCsr(await reqWith(['-newkey', 'ed25519'], '/CN=ed')), isInvalid);
      // RSA 2048 is fine.
      assert.equal(
        (await parseCsr(await reqWith(['-newkey', 'rsa:2048'], '/CN=rsa'))).commonName,
        'rsa',
      );
    });
  });

  it('certificateHash is sha256 of the DER, as openssl computes it', async () => {
    await using dir = await tempDir();
    const caFile = join(dir.path, 'ca.crt');
    await writeFile(caFile, ca.certPem);
    const derFile = join(dir.path, 'ca.der');
    const exported = await openssl(['x509', '-in', caFile, '-outform', 'DER', '-out', derFile]);
    assert.equal(exported.code, 0, exported.stderr);
    const der = await readFile(derFile);
    const hash = certificateHash(ca.certPem);
    assert.equal(hash, createHash('sha256').update(der).digest('hex'));
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.notEqual(certificateHash(otherCa.certPem), hash);
    assert.throws(() => certificateHash(ca.keyPem), isInvalid);
    assert.throws(() => certificateHash(ca.certPem + server.certPem), isInvalid);
    assert.throws(
      () => certificateHash('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      isInvalid,
    );
  });

  it('certificateTimes: notBefore 5 minutes back, exact notAfter, renewAt at 80%', async () => {
    const now = new Date('2030-01-01T00:00:00.500Z');
    const leaf = await issueCertificate(ca, {
      commonName: 'x',
      usage: 'client',
      validityDays: 10,
      now,
    });
    assert.deepEqual(certificateTimes(leaf.certPem), {
      notBefore: new Date('2029-12-31T23:55:00.000Z'),
      notAfter: new Date('2030-01-11T00:00:00.000Z'),
      renewAt: new Date('2030-01-08T23:59:00.000Z'),
    });
  });

  it('does not let a certificate outlive its CA, and handles dates after 2049', async () => {
    const now = new Date('2045-06-01T00:00:00Z');
    const shortCa = await createCertificateAuthority({
      commonName: 'short',
      validityDays: 3650,
      now,
    });
    assert.deepEqual(certificateTimes(shortCa.certPem).notAfter, new Date('2055-05-30T00:00:00Z'));
    const leaf = await issueCertificate(shortCa, {
      commonName: 'late',
      usage: 'client',
      validityDays: 5000,
      now: new Date('2055-01-01T00:00:00Z'),
    });
    assert.deepEqual(certificateTimes(leaf.certPem).notAfter, new Date('2055-05-30T00:00:00Z'));
    const cert = nodeCert(leaf.certPem);
    assert.equal(cert.validToDate.toISOString(), '2055-05-30T00:00:00.000Z');
    assert.equal(cert.verify(nodeCert(shortCa.certPem).publicKey), true);
  });

  it('rejects bad issue options', async () => {
    const base = { commonName: 'x', usage: 'server' as const };
    await assert.rejects(
      issueCertificate(ca, { ...base, dnsNames: ['10.0.0.1'] }),
      /IP address, not a DNS name/,
    );
    await assert.rejects(issueCertificate(ca, { ...base, dnsNames: ['bad name'] }), isInvalid);
    await assert.rejects(
      issueCertificate(ca, { ...base, ipAddresses: ['example.com'] }),
      isInvalid,
    );
    await assert.rejects(issueCertificate(ca, { ...base, commonName: '' }), isInvalid);
    await assert.rejects(issueCertificate(ca, { ...base, validityDays: 0 }), isInvalid);
    await assert.rejects(
      issueCertificate(ca, { ...base, usage: 'both' as unknown as 'server' }),
      isInvalid,
    );
  });

  it('loadCertificateAuthority accepts its own PEM and refuses a leaf or a foreign key', async () => {
    const loaded = await loadCertificateAuthority(ca.certPem, ca.keyPem);
    assert.equal(loaded.keyId, ca.keyId);
    const leaf = await issueCertificate(loaded, { commonName: 'y', usage: 'client' });
    assert.equal(nodeCert(leaf.certPem).verify(nodeCert(ca.certPem).publicKey), true);
    await assert.rejects(loadCertificateAuthority(server.certPem, server.keyPem), /not a CA/);
    await assert.rejects(loadCertificateAuthority(ca.certPem, otherCa.keyPem), /does not belong/);
    await assert.rejects(loadCertificateAuthority(ca.certPem, ca.certPem), isInvalid);
  });
});
