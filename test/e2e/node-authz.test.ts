/**
 * Per-node authorization end to end: a real `verge server`, real `kubectl`
 * with a node's client certificate (CN=system:node:a, O=system:nodes, signed by
 * the server's CA as a joining node's would be), and raw HTTPS for a watch.
 * Node "a" sees its view and nothing else; node "b" is played by the admin.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  issueCertificate,
  loadCertificateAuthority,
  renderKubeconfig,
} from '../../src/pki/index.ts';
import {
  Kubectl,
  adminCredentials,
  eventually,
  httpsCall,
  removeDir,
  startServer,
  type Credentials,
  type HttpsReply,
  type ServerProcess,
} from '../helpers/cluster.ts';

const pod = (name: string, node: string, secret: string, configMap?: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${node}
  containers:
  - name: app
    image: busybox
    env:
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: ${secret}, key: password}}
${configMap ? `  volumes:\n  - name: config\n    configMap: {name: ${configMap}}\n` : ''}`;

const event = (name: string, kind: string, target: string): string => `
apiVersion: v1
kind: Event
metadata: {name: ${name}, namespace: default}
involvedObject: {kind: ${kind}, name: ${target}${kind === 'Pod' ? ', namespace: default' : ''}}
reason: Started
message: started
type: Normal
`;

const lease = (name: string): string => `
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: ${name}, namespace: kube-node-lease}
spec: {holderIdentity: ${name}, leaseDurationSeconds: 40}
`;

/** Kubernetes' 403 wording (kubectl prefixes it with `Error from server (Forbidden): ` or its own context). */
const forbidden = (what: string, verb: string, resource: string, where: string): RegExp =>
  new RegExp(
    `${escape(what)} is forbidden: User "system:node:a" cannot ${verb} resource "${escape(resource)}" in API group "[^"]*" ${escape(where)}`,
  );

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('per-node authorization (node authorizer + NodeRestriction)', () => {
  let server: ServerProcess;
  let admin: Kubectl;
  let nodeA: Kubectl;
  let nodeCreds: Credentials;

  /** A request as node "a" over raw HTTPS; resolves with the status and the whole body. */
  const asNode = (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/merge-patch+json',
  ): Promise<HttpsReply> =>
    httpsCall(
      nodeCreds,
      method,
      path,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'Content-Type': contentType } },
    );

  before(async () => {
    // The scheduler and controllers add nothing here; pods are bound by hand.
    server = await startServer({ args: ['--disable-controllers'] });
    admin = new Kubectl(server.kubeconfig);
    const pki = join(server.dataDir, 'pki');
    const ca = await loadCertificateAuthority(
      readFileSync(join(pki, 'ca.crt'), 'utf8'),
      readFileSync(join(pki, 'ca.key'), 'utf8'),
    );
    const cert = await issueCertificate(ca, {
      commonName: 'system:node:a',
      organizations: ['system:nodes'],
      usage: 'client',
    });
    const kubeconfig = join(server.dataDir, 'node-a.kubeconfig');
    writeFileSync(
      kubeconfig,
      renderKubeconfig({
        server: server.url,
        caPem: ca.certPem,
        clientCertPem: cert.certPem,
        clientKeyPem: cert.keyPem,
      }),
      { mode: 0o600 },
    );
    nodeA = new Kubectl(kubeconfig);
    nodeCreds = { ...adminCredentials(kubeconfig), cert: cert.certPem, key: cert.keyPem };

    await admin.ok(['create', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: b}\n');
    await admin.ok(['create', 'secret', 'generic', 'sa', '--from-literal=password=a']);
    await admin.ok(['create', 'secret', 'generic', 'sb', '--from-literal=password=b']);
    await admin.ok(['create', 'configmap', 'ca', '--from-literal=mode=edge']);
    await admin.ok(['create', '-f', '-'], pod('pa', 'a', 'sa', 'ca'));
    await admin.ok(['create', '-f', '-'], pod('pb', 'b', 'sb'));
  });

  after(async () => {
    admin?.cleanup();
    nodeA?.cleanup();
    await server?.stop();
    removeDir(server?.dataDir);
  });

  it('registers and reads its own Node, and no other', async () => {
    await nodeA.ok(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: Node\nmetadata: {name: a, labels: {kubernetes.io/hostname: a}}\n',
    );
    const own = await nodeA.json<{ metadata: { name: string } }>(['get', 'node', 'a']);
    assert.equal(own.metadata.name, 'a');
    assert.match(
      await nodeA.fails(['get', 'node', 'b']),
      forbidden('nodes "b"', 'get', 'nodes', 'at the cluster scope: node "a" cannot get node b'),
    );
    assert.match(
      await nodeA.fails(['get', 'nodes']),
      forbidden('nodes', 'list', 'nodes', 'at the cluster scope'),
    );
    assert.match(
      await nodeA.fails(['create', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: c}\n'),
      /nodes "c" is forbidden: node "a" is not allowed to modify node "c"/,
    );
  });

  it('sees the pods bound to it, listed and watched by spec.nodeName, and no others', async () => {
    const listed = await nodeA.json<{ items: { metadata: { name: string } }[] }>([
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.nodeName=a',
    ]);
    assert.deepEqual(
      listed.items.map((p) => p.metadata.name),
      ['pa'],
    );
    await nodeA.ok(['get', 'pod', 'pa']);
    assert.match(
      await nodeA.fails(['get', 'pod', 'pb']),
      forbidden('pods "pb"', 'get', 'pods', 'in the namespace "default"'),
    );
    assert.match(
      await nodeA.fails(['get', 'pods', '-A']),
      forbidden('pods', 'list', 'pods', 'at the cluster scope'),
    );
    assert.match(
      await nodeA.fails(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=b']),
      /Forbidden/,
    );
    const watched = await asNode(
      'GET',
      '/api/v1/pods?watch=true&timeoutSeconds=1&fieldSelector=spec.nodeName%3Da',
    );
    assert.equal(watched.code, 200, watched.body);
    assert.match(watched.body, /"type":"ADDED".*"name":"pa"/);
    assert.doesNotMatch(watched.body, /"name":"pb"/);
    const unselected = await asNode('GET', '/api/v1/pods?watch=true&timeoutSeconds=1');
    assert.equal(unselected.code, 403, unselected.body);
  });

  it('reads the Secrets and ConfigMaps its pods reference, and nothing else', async () => {
    const secret = await nodeA.json<{ data: { password: string } }>(['get', 'secret', 'sa']);
    assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 'a');
    await nodeA.ok(['get', 'configmap', 'ca']);
    assert.match(
      await nodeA.fails(['get', 'secret', 'sb']),
      forbidden(
        'secrets "sb"',
        'get',
        'secrets',
        'in the namespace "default": node "a" cannot get secret default/sb: no pod bound to node "a" references it',
      ),
    );
    assert.match(
      await nodeA.fails(['get', 'secrets']),
      forbidden('secrets', 'list', 'secrets', 'in the namespace "default"'),
    );
    assert.match(
      await nodeA.fails(['get', 'secrets', '-A']),
      forbidden('secrets', 'list', 'secrets', 'at the cluster scope'),
    );
    // What a kubelet's watch-based secret manager asks for.
    const one = await asNode(
      'GET',
      '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dsa',
    );
    assert.equal(one.code, 200, one.body);
    // SelfSubjectAccessReview goes through the same authorizer.
    assert.equal((await nodeA.run(['auth', 'can-i', 'get', 'secret/sa'])).stdout.trim(), 'yes');
    assert.match(
      (await nodeA.run(['auth', 'can-i', 'get', 'secret/sb'])).stdout,
      /^no - node "a" cannot get secret default\/sb: no pod bound to node "a" references it/,
    );
  });

  it('may not create workloads or write about node b', async () => {
    assert.match(
      await nodeA.fails(['create', 'deployment', 'web', '--image=busybox']),
      forbidden('deployments.apps', 'create', 'deployments', 'in the namespace "default"'),
    );
    assert.match(
      await nodeA.fails(['create', '-f', '-'], pod('mine', 'a', 'sa')),
      /Verge has no static \(mirror\) pods/,
    );
    assert.match(
      await nodeA.fails([
        'patch',
        'node',
        'b',
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}',
      ]),
      // kubectl reads the object before it patches it.
      forbidden('nodes "b"', 'get', 'nodes/status', 'at the cluster scope'),
    );
    const patched = await asNode('PATCH', '/api/v1/nodes/b/status', {
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    assert.equal(patched.code, 403, patched.body);
    assert.match(
      patched.body,
      /cannot patch resource \\"nodes\/status\\" in API group \\"\\" at the cluster scope: node \\"a\\" cannot patch node\/status b/,
    );
    assert.match(
      await nodeA.fails(['create', '-f', '-'], event('about-pb', 'Pod', 'pb')),
      /events "about-pb" is forbidden: node "a" can only write events whose involvedObject is its own Node or a pod bound to it; pod default\/pb is not bound to node "a"/,
    );
    assert.match(
      await nodeA.fails(['create', '-f', '-'], lease('b')),
      /can only access its own Lease \(kube-node-lease\/a\)/,
    );
    assert.match(
      await nodeA.fails(['label', 'node', 'a', 'node-restriction.kubernetes.io/tier=gold']),
      /node "a" is not allowed to modify labels: node-restriction.kubernetes.io\/tier/,
    );
  });

  it('writes its Node status, its Lease, its pods status and events about them', async () => {
    await nodeA.ok([
      'patch',
      'node',
      'a',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"ok"}]}}',
    ]);
    const ready = await admin.json<{ status: { conditions: { type: string; status: string }[] } }>([
      'get',
      'node',
      'a',
    ]);
    assert.deepEqual(
      ready.status.conditions.map((c) => [c.type, c.status]),
      [['Ready', 'True']],
    );
    await nodeA.ok(['create', '-f', '-'], lease('a'));
    await nodeA.ok([
      'patch',
      'lease',
      'a',
      '-n',
      'kube-node-lease',
      '--type=merge',
      '-p',
      '{"spec":{"renewTime":"2024-01-01T00:00:00.000000Z"}}',
    ]);
    await nodeA.ok(['get', 'lease', 'a', '-n', 'kube-node-lease']);
    await nodeA.ok([
      'patch',
      'pod',
      'pa',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running"}}',
    ]);
    await nodeA.ok(['create', '-f', '-'], event('about-pa', 'Pod', 'pa'));
    await nodeA.ok(['create', '-f', '-'], event('about-a', 'Node', 'a'));
  });

  it('loses a Secret once the last pod referencing it is gone', async () => {
    // Graceful deletion by the admin, then the final delete by the node, as a kubelet does.
    await admin.ok(['delete', 'pod', 'pa', '--wait=false']);
    await nodeA.ok(['delete', 'pod', 'pa', '--grace-period=0', '--force']);
    await eventually('node a to lose secret sa', async () => {
      const r = await nodeA.run(['get', 'secret', 'sa']);
      return r.code !== 0 && /no pod bound to node "a" references it/.test(r.stderr);
    });
    assert.match(await nodeA.fails(['get', 'configmap', 'ca']), /Forbidden/);
    assert.match(await nodeA.fails(['get', 'pod', 'pa']), /Forbidden/);
    // Node b's pod was never node a's to delete.
    assert.match(
      await nodeA.fails(['delete', 'pod', 'pb', '--grace-period=0', '--force']),
      forbidden('pods "pb"', 'delete', 'pods', 'in the namespace "default"'),
    );
  });
});
