import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isExpired, isInvalid } from '../util/errors.ts';
import { certificateHash, createCertificateAuthority, issueCertificate } from './certificates.ts';
import { loadOrCreateServerPki } from './server-pki.ts';
import { run, tempDir } from './test-helpers.ts';

const FILES = ['admin.crt', 'admin.key', 'ca.crt', 'ca.key', 'server.crt', 'server.key'];
const DAY_MS = 24 * 60 * 60 * 1000;

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort())
    out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const sans = (pem: string) => new X509Certificate(pem).subjectAltName;

describe('loadOrCreateServerPki', () => {
  it('creates CA, serving and admin certificates with private modes, then reuses them', async () => {
    await using tmp = await tempDir();
    const dataDir = join(tmp.path, 'data');
    const first = await loadOrCreateServerPki(dataDir, {
      sans: ['api.example.com', '10.1.2.3', 'fd00::1', 'API.example.com'],
      hostname: 'Edge-Box',
    });
    assert.deepEqual(first.created, ['ca', 'server', 'admin']);
    const pki = join(dataDir, 'pki');
    assert.deepEqual((await readdir(pki)).sort(), FILES);
    assert.equal(await mode(pki), 0o700);
    for (const key of ['ca.key', 'server.key', 'admin.key']) {
      assert.equal(await mode(join(pki, key)), 0o600, key);
    }
    assert.equal(await readFile(join(pki, 'ca.crt'), 'utf8'), first.ca.certPem);
    assert.equal(await readFile(join(pki, 'server.key'), 'utf8'), first.server.keyPem);

    assert.equal(
      sans(first.server.certPem),
      'DNS:localhost, DNS:edge-box, DNS:api.example.com, IP Address:127.0.0.1, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:1',
    );
    const admin = new X509Certificate(first.admin.certPem);
    assert.equal(admin.subject, 'O=system:masters\nCN=admin');
    const ca = new X509Certificate(first.ca.certPem);
    assert.equal(ca.ca, true);

    const caFile = join(pki, 'ca.crt');
    const server = await run('openssl', [
      'verify',
      '-CAfile',
      caFile,
      '-purpose',
      'sslserver',
      join(pki, 'server.crt'),
    ]);
    assert.equal(server.stdout, `${join(pki, 'server.crt')}: OK\n`, server.stderr);
    const client = await run('openssl', [
      'verify',
      '-CAfile',
      caFile,
      '-purpose',
      'sslclient',
      join(pki, 'admin.crt'),
    ]);
    assert.equal(client.stdout, `${join(pki, 'admin.crt')}: OK\n`, client.stderr);

    const before = await snapshot(pki);
    const second = await loadOrCreateServerPki(dataDir, {
      sans: ['api.example.com', '10.1.2.3', 'fd00::1'],
      hostname: 'edge-box',
    });
    assert.deepEqual(second.created, []);
    assert.deepEqual(await snapshot(pki), before);
    assert.equal(second.ca.certPem, first.ca.certPem);
    assert.equal(second.server.certPem, first.server.certPem);
    assert.equal(second.admin.keyPem, first.admin.keyPem);
  });

  it('re-issues only the serving certificate when a SAN is added; fewer SANs change nothing', async () => {
    await using tmp = await tempDir();
    const first = await loadOrCreateServerPki(tmp.path, { sans: ['a.example'], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    const before = await snapshot(pki);

    const added = await loadOrCreateServerPki(tmp.path, {
      sans: ['a.example', '192.0.2.7'],
      hostname: 'h',
    });
    assert.deepEqual(added.created, ['server']);
    assert.equal(
      sans(added.server.certPem),
      'DNS:localhost, DNS:h, DNS:a.example, IP Address:127.0.0.1, IP Address:192.0.2.7',
    );
    const after = await snapshot(pki);
    for (const same of ['ca.crt', 'ca.key', 'admin.crt', 'admin.key'])
      assert.equal(after[same], before[same], same);
    assert.notEqual(after['server.crt'], before['server.crt']);
    assert.notEqual(after['server.key'], before['server.key']);
    assert.equal(certificateHash(added.ca.certPem), certificateHash(first.ca.certPem));

    const fewer = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    assert.deepEqual(fewer.created, []);
    // A new hostname is a new SAN.
    const renamed = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h2' });
    assert.deepEqual(renamed.created, ['server']);
    assert.match(sans(renamed.server.certPem) ?? '', /DNS:h2/);
  });

  it('re-issues serving and admin certificates within 30 days of expiry, never the CA', async () => {
    await using tmp = await tempDir();
    const now = new Date('2030-01-01T00:00:00Z');
    const first = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h', now });
    const at334 = await loadOrCreateServerPki(tmp.path, {
      sans: [],
      hostname: 'h',
      now: new Date(now.getTime() + 334 * DAY_MS),
    });
    assert.deepEqual(at334.created, []);
    const at336 = await loadOrCreateServerPki(tmp.path, {
      sans: [],
      hostname: 'h',
      now: new Date(now.getTime() + 336 * DAY_MS),
    });
    assert.deepEqual(at336.created, ['server', 'admin']);
    assert.equal(at336.ca.certPem, first.ca.certPem);
    assert.equal(
      new X509Certificate(at336.server.certPem).validToDate.toISOString(),
      new Date(now.getTime() + 336 * DAY_MS + 365 * DAY_MS).toISOString(),
    );
  });

  it('refuses an expired CA', async () => {
    await using tmp = await tempDir();
    const now = new Date('2030-01-01T00:00:00Z');
    await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h', now });
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, {
        sans: [],
        hostname: 'h',
        now: new Date(now.getTime() + 3651 * DAY_MS),
      }),
      (err) => isExpired(err) && err.message.includes(join(tmp.path, 'pki', 'ca.crt')),
    );
  });

  it('refuses a corrupt ca.crt, naming it, and writes nothing', async () => {
    await using tmp = await tempDir();
    await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    await writeFile(join(pki, 'ca.crt'), 'not a certificate\n');
    await rm(join(pki, 'server.crt')); // would be re-issued if we got that far
    const before = await snapshot(pki);
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: ['new.example'], hostname: 'h' }),
      (err) => isInvalid(err) && err.message.startsWith(`${join(pki, 'ca.crt')}: `),
    );
    assert.deepEqual(await snapshot(pki), before);
  });

  it('refuses a key file of the wrong kind and a truncated certificate, naming the file', async () => {
    await using tmp = await tempDir();
    const first = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    await writeFile(join(pki, 'server.key'), first.server.certPem); // a certificate, not a key
    let before = await snapshot(pki);
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' }),
      (err) => isInvalid(err) && err.message.startsWith(`${join(pki, 'server.key')}: `),
    );
    assert.deepEqual(await snapshot(pki), before);

    await writeFile(join(pki, 'server.key'), first.server.keyPem);
    await writeFile(
      join(pki, 'admin.crt'),
      first.admin.certPem.slice(0, 200) + '\n-----END CERTIFICATE-----\n',
    );
    before = await snapshot(pki);
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' }),
      (err) => isInvalid(err) && err.message.startsWith(`${join(pki, 'admin.crt')}: `),
    );
    assert.deepEqual(await snapshot(pki), before);
  });

  it('refuses an unreadable file (a directory in its place)', async () => {
    await using tmp = await tempDir();
    const pki = join(tmp.path, 'pki');
    await mkdir(join(pki, 'ca.crt'), { recursive: true });
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' }),
      (err) => isInvalid(err) && err.message.startsWith(`${join(pki, 'ca.crt')}: cannot be read`),
    );
    assert.deepEqual(await readdir(pki), ['ca.crt']);
  });

  it('never makes a second CA when half of the CA is missing', async () => {
    await using tmp = await tempDir();
    await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    await rm(join(pki, 'ca.key'));
    const before = await snapshot(pki);
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' }),
      (err) => isInvalid(err) && err.message.startsWith(`${join(pki, 'ca.key')} is missing`),
    );
    assert.deepEqual(await snapshot(pki), before);
  });

  it('re-issues a leaf signed by another CA or whose key does not match; re-creates a missing half', async () => {
    await using tmp = await tempDir();
    const first = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    const stranger = await createCertificateAuthority({ commonName: 'stranger' });
    const foreign = await issueCertificate(stranger, {
      commonName: 'verge-apiserver',
      dnsNames: ['localhost', 'h'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    await writeFile(join(pki, 'server.crt'), foreign.certPem);
    await writeFile(join(pki, 'server.key'), foreign.keyPem);
    await writeFile(join(pki, 'admin.key'), first.server.keyPem); // valid key, wrong certificate
    const fixed = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    assert.deepEqual(fixed.created, ['server', 'admin']);
    const caCert = new X509Certificate(first.ca.certPem);
    for (const pem of [fixed.server.certPem, fixed.admin.certPem]) {
      assert.equal(new X509Certificate(pem).verify(caCert.publicKey), true);
    }

    await rm(join(pki, 'admin.crt'));
    const again = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    assert.deepEqual(again.created, ['admin']);
  });

  it('narrows a key readable by others to 0600 and the directory to 0700', async () => {
    await using tmp = await tempDir();
    await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    const pki = join(tmp.path, 'pki');
    await chmod(join(pki, 'ca.key'), 0o644);
    await chmod(pki, 0o755);
    const again = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'h' });
    assert.deepEqual(again.created, []);
    assert.equal(await mode(join(pki, 'ca.key')), 0o600);
    assert.equal(await mode(pki), 0o700);
  });

  it('rejects a --tls-san that is neither a DNS name nor an IP, and skips an invalid hostname', async () => {
    await using tmp = await tempDir();
    await assert.rejects(
      loadOrCreateServerPki(tmp.path, { sans: ['bad name'], hostname: 'h' }),
      isInvalid,
    );
    const made = await loadOrCreateServerPki(tmp.path, { sans: [], hostname: 'under_score' });
    assert.equal(sans(made.server.certPem), 'DNS:localhost, IP Address:127.0.0.1');
  });
});
