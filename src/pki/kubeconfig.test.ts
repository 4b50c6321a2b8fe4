import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isInvalid } from '../util/errors.ts';
import { type ServerPki, loadOrCreateServerPki } from './server-pki.ts';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { run, startMtlsServer, tempDir } from './test-helpers.ts';

/** Runs the real kubectl with a throwaway HOME, so no user config leaks in or out. */
function kubectl(home: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
  return run('kubectl', args, { env });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('writeKubeconfig', () => {
  let pkiDir: { path: string; [Symbol.asyncDispose](): Promise<void> };
  let pki: ServerPki;

  before(async () => {
    pkiDir = await tempDir();
    pki = await loadOrCreateServerPki(pkiDir.path, { sans: [], hostname: 'h' });
  });
  after(() => pkiDir[Symbol.asyncDispose]());

  it('writes a 0600 file that kubectl config view reads back exactly', async () => {
    await using tmp = await tempDir();
    const file = join(tmp.path, 'kube', 'kubeconfig.yaml');
    await writeKubeconfig(file, {
      server: 'https://127.0.0.1:6443',
      caPem: pki.ca.certPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(tmp.path, 'kube')), ['kubeconfig.yaml']); // no temp left
    const view = await kubectl(tmp.path, [
      'config',
      'view',
      '--kubeconfig',
      file,
      '--raw',
      '-o',
      'json',
    ]);
    assert.equal(view.code, 0, view.stderr);
    assert.deepEqual(JSON.parse(view.stdout), {
      kind: 'Config',
      apiVersion: 'v1',
      preferences: {},
      clusters: [
        {
          name: 'verge',
          cluster: {
            server: 'https://127.0.0.1:6443',
            'certificate-authority-data': b64(pki.ca.certPem),
          },
        },
      ],
      users: [
        {
          name: 'verge',
          user: {
            'client-certificate-data': b64(pki.admin.certPem),
            'client-key-data': b64(pki.admin.keyPem),
          },
        },
      ],
      contexts: [{ name: 'verge', context: { cluster: 'verge', user: 'verge' } }],
      'current-context': 'verge',
    });
  });

  it('replaces an existing file atomically, with mode 0600 and the given name', async () => {
    await using tmp = await tempDir();
    const file = join(tmp.path, 'config');
    await writeFile(file, 'old content\n', { mode: 0o644 });
    await writeKubeconfig(file, {
      server: 'https://verge.example:6443',
      caPem: pki.ca.certPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
      name: 'edge-lab',
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(tmp.path), ['config']);
    const ctx = await kubectl(tmp.path, ['config', 'current-context', '--kubeconfig', file]);
    assert.equal(ctx.stdout, 'edge-lab\n', ctx.stderr);
    const server = await kubectl(tmp.path, [
      'config',
      'view',
      '--kubeconfig',
      file,
      '-o',
      'jsonpath={.clusters[0].cluster.server}',
    ]);
    assert.equal(server.stdout, 'https://verge.example:6443');
    assert.equal(
      await readFile(file, 'utf8'),
      renderKubeconfig({
        server: 'https://verge.example:6443',
        caPem: pki.ca.certPem,
        clientCertPem: pki.admin.certPem,
        clientKeyPem: pki.admin.keyPem,
        name: 'edge-lab',
      }),
    );
  });

  it('lets the real kubectl reach a mutual-TLS server as admin (Go TLS accepts the certificates)', async () => {
    await using tmp = await tempDir();
    await using srv = await startMtlsServer({ caPem: pki.ca.certPem, ...pki.server });
    for (const host of ['127.0.0.1', 'localhost']) {
      const file = join(tmp.path, `${host}.yaml`);
      await writeKubeconfig(file, {
        server: srv.url(host),
        caPem: pki.ca.certPem,
        clientCertPem: pki.admin.certPem,
        clientKeyPem: pki.admin.keyPem,
      });
      const got = await kubectl(tmp.path, ['--kubeconfig', file, 'get', '--raw', '/whoami']);
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(JSON.parse(got.stdout), {
        authorized: true,
        identity: { user: 'admin', groups: ['system:masters'] },
      });
    }
  });

  it('rejects a non-https server URL and PEMs in the wrong places, writing nothing', async () => {
    await using tmp = await tempDir();
    const file = join(tmp.path, 'config');
    const good = {
      server: 'https://127.0.0.1:6443',
      caPem: pki.ca.certPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    };
    await assert.rejects(
      writeKubeconfig(file, { ...good, server: 'http://127.0.0.1:6443' }),
      isInvalid,
    );
    await assert.rejects(writeKubeconfig(file, { ...good, server: 'not a url' }), isInvalid);
    await assert.rejects(
      writeKubeconfig(file, { ...good, clientKeyPem: pki.admin.certPem }),
      isInvalid,
    );
    await assert.rejects(writeKubeconfig(file, { ...good, caPem: pki.ca.keyPem }), isInvalid);
    assert.deepEqual(await readdir(tmp.path), []);
  });
});
