import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigMap, Pod, Secret, Volume } from '../../api/types/core.ts';
import { expand, linuxResources, resourceFieldValue } from './env.ts';
import { setUpVolumes, writeAtomically, type VolumeSource } from './volumes.ts';

const root = mkdtempSync(join(tmpdir(), 'verge-volumes-'));
after(() => rmSync(root, { recursive: true, force: true }));

function objects(cms: ConfigMap[] = [], secrets: Secret[] = []): VolumeSource {
  return {
    configMap: (ns, name) =>
      cms.find((c) => c.metadata.name === name && c.metadata.namespace === ns),
    secret: (ns, name) =>
      secrets.find((c) => c.metadata.name === name && c.metadata.namespace === ns),
    claim: () => undefined,
  };
}

function podWith(volumes: Volume[]): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      labels: { a: '1' },
      annotations: { x: 'y' },
    },
    spec: {
      containers: [{ name: 'c', resources: { limits: { memory: '128Mi' } } }],
      volumes,
    },
  };
}

describe('volumes', () => {
  it('writes secrets decoded with items and modes, projected sources, and warns for tokens', () => {
    const warnings: string[] = [];
    const secret: Secret = {
      metadata: { name: 's', namespace: 'ns' },
      data: {
        user: Buffer.from('admin').toString('base64'),
        pw: Buffer.from('x').toString('base64'),
      },
    };
    const cm: ConfigMap = { metadata: { name: 'c', namespace: 'ns' }, data: { k: 'v' } };
    const r = setUpVolumes({
      pod: podWith([
        {
          name: 'sec',
          secret: { secretName: 's', defaultMode: 0o600, items: [{ key: 'user', path: 'u/name' }] },
        },
        {
          name: 'proj',
          projected: {
            sources: [
              { configMap: { name: 'c' } },
              { secret: { name: 's', items: [{ key: 'pw', path: 'pw', mode: 0o400 }] } },
              {
                downwardAPI: {
                  items: [
                    {
                      path: 'mem',
                      resourceFieldRef: {
                        containerName: 'c',
                        resource: 'limits.memory',
                        divisor: '1Mi',
                      },
                    },
                  ],
                },
              },
              { serviceAccountToken: { path: 'token' } },
            ],
          },
        },
        { name: 'opt', configMap: { name: 'missing', optional: true } },
      ]),
      rootDir: root,
      objects: objects([cm], [secret]),
      addr: { hostIP: '1.2.3.4', podIPs: ['10.0.0.1'] },
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(r.failures, []);
    const sec = r.volumes.get('sec')!.path;
    assert.match(sec, /pods\/u1\/volumes\/kubernetes\.io~secret\/sec$/);
    assert.equal(readFileSync(join(sec, 'u/name'), 'utf8'), 'admin');
    assert.equal(statSync(join(sec, 'u/name')).mode & 0o777, 0o600);
    assert.ok(lstatSync(join(sec, 'u')).isSymbolicLink());
    assert.equal(readlinkSync(join(sec, 'u')), '..data/u');
    const proj = r.volumes.get('proj')!.path;
    assert.equal(readFileSync(join(proj, 'k'), 'utf8'), 'v');
    assert.equal(readFileSync(join(proj, 'pw'), 'utf8'), 'x');
    assert.equal(statSync(join(proj, 'pw')).mode & 0o777, 0o400);
    assert.equal(readFileSync(join(proj, 'mem'), 'utf8'), '128');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /serviceAccountToken projection \(path token\) is not supported/);
    assert.equal(r.volumes.get('opt')!.readOnly, true);
  });

  it('reports missing objects and keys, and hostPath type checks, with the kubelet wording', () => {
    const file = join(root, 'afile');
    writeFileSync(file, 'x');
    const made = join(root, 'made', 'dir');
    const r = setUpVolumes({
      pod: podWith([
        { name: 'a', configMap: { name: 'nope' } },
        { name: 'b', secret: { secretName: 'nope' } },
        { name: 'c', configMap: { name: 'c', items: [{ key: 'zz', path: 'zz' }] } },
        { name: 'd', hostPath: { path: file, type: 'Directory' } },
        { name: 'e', hostPath: { path: join(root, 'absent'), type: 'File' } },
        { name: 'f', hostPath: { path: made, type: 'DirectoryOrCreate' } },
        { name: 'g', nfs: { server: 's', path: '/' } },
      ]),
      rootDir: root,
      objects: objects([{ metadata: { name: 'c', namespace: 'ns' }, data: {} }]),
      addr: { hostIP: '1.2.3.4', podIPs: [] },
      warn: () => {},
    });
    assert.deepEqual(r.failures, [
      'MountVolume.SetUp failed for volume "a" : configmap "nope" not found',
      'MountVolume.SetUp failed for volume "b" : secret "nope" not found',
      'MountVolume.SetUp failed for volume "c" : configmap references non-existent config key: zz',
      `MountVolume.SetUp failed for volume "d" : hostPath type check failed: ${file} is not a directory`,
      `MountVolume.SetUp failed for volume "e" : hostPath type check failed: ${join(root, 'absent')} is not a file`,
      'MountVolume.SetUp failed for volume "g" : volume type nfs is not supported by verge edge',
    ]);
    assert.ok(statSync(made).isDirectory());
    assert.equal(r.volumes.get('f')!.path, made);
  });

  it('the atomic writer swaps ..data, drops removed keys, and does nothing when unchanged', () => {
    const dir = join(root, 'atomic');
    mkdirSync(dir);
    const f = (s: string) => ({ data: Buffer.from(s), mode: 0o644 });
    const ab = () =>
      new Map([
        ['a', f('1')],
        ['b', f('2')],
      ]);
    assert.equal(writeAtomically(dir, ab()), true);
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(writeAtomically(dir, ab()), false);
    assert.equal(writeAtomically(dir, new Map([['a', f('3')]])), true);
    assert.notEqual(readlinkSync(join(dir, '..data')), first);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '3');
    assert.throws(() => lstatSync(join(dir, 'b')));
    assert.throws(() => lstatSync(join(dir, first)), 'the old data directory is removed');
  });
});

describe('env helpers', () => {
  it('expands $(VAR) as Kubernetes does', () => {
    const vars: Record<string, string> = { A: 'x', B: 'y' };
    const lookup = (n: string) => vars[n];
    assert.equal(expand('$(A)-$(B)', lookup), 'x-y');
    assert.equal(expand('$(C)', lookup), '$(C)');
    assert.equal(expand('$$(A)', lookup), '$(A)');
    assert.equal(expand('$$', lookup), '$');
    assert.equal(expand('a$', lookup), 'a$');
    assert.equal(expand('$(A', lookup), '$(A');
    assert.equal(expand('$x', lookup), '$x');
  });

  it('converts resources as the kubelet does', () => {
    assert.deepEqual(linuxResources({ name: 'c' }), { cpuShares: 2 });
    assert.deepEqual(linuxResources({ name: 'c', resources: { limits: { cpu: '2' } } }), {
      cpuShares: 2048,
      cpuPeriod: 100000,
      cpuQuota: 200000,
    });
    assert.deepEqual(linuxResources({ name: 'c', resources: { requests: { cpu: '1m' } } }), {
      cpuShares: 2,
    });
    assert.equal(
      resourceFieldValue(
        { name: 'c', resources: { requests: { cpu: '1500m' } } },
        { resource: 'requests.cpu' },
      ),
      '2',
    );
    assert.equal(
      resourceFieldValue(
        { name: 'c', resources: { limits: { memory: '1Gi' } } },
        { resource: 'limits.memory', divisor: '1Mi' },
      ),
      '1024',
    );
  });
});
