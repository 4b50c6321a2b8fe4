/**
 * kubectl features beyond per-resource verbs: watch, explain, api-resources,
 * pagination, selectors, auth can-i / whoami, server-side apply conflicts,
 * dry-run, generateName, and a bearer-token user who is denied.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Kubectl,
  eventually,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';

describe('kubectl features against verge server', () => {
  let server: ServerProcess;
  let k: Kubectl;
  let tokenDir: string;

  before(async () => {
    tokenDir = mkdtempSync(join(tmpdir(), 'verge-tokens-'));
    writeFileSync(join(tokenDir, 'tokens.csv'), 'viewer-token-123,viewer,uid-1,"viewers"\n');
    server = await startServer({ args: ['--token-auth-file', join(tokenDir, 'tokens.csv')] });
    k = new Kubectl(server.kubeconfig);
  });

  after(async () => {
    k?.cleanup();
    await server?.stop();
    removeDir(server?.dataDir);
    removeDir(tokenDir);
  });

  it('kubectl get -w sees ADDED, MODIFIED and DELETED', async () => {
    // An existing object makes kubectl print its header once the first list is in;
    // its watch then starts from that list's resourceVersion, so nothing after it is missed.
    await k.ok(['create', 'configmap', 'watch-start', '-n', 'default']);
    const watch = k.watch(['get', 'configmaps', '-w', '--output-watch-events', '-n', 'default']);
    const saw = (re: RegExp): boolean => watch.lines.some((l) => re.test(l));
    try {
      // kubectl prints the header once its watch is established.
      await eventually('the watch header', () => saw(/^EVENT/), 20_000);
      await k.ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
      await eventually('ADDED', () => saw(/^ADDED\s+watched\s/));
      await k.ok(['label', 'configmap', 'watched', 'x=y']);
      await eventually('MODIFIED', () => saw(/^MODIFIED\s+watched\s/));
      await k.ok(['delete', 'configmap', 'watched']);
      await eventually('DELETED', () => saw(/^DELETED\s+watched\s/));
    } finally {
      watch.stop();
    }
    assert.equal(watch.stderr().trim(), '', watch.stderr());
  });

  it('kubectl explain reads the OpenAPI v3 documents', async () => {
    const out = await k.ok(['explain', 'pod.spec.containers']);
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /FIELD:\s+containers\s+<\[\]Container>/);
    assert.match(out, /^\s+image\s+<string>/m);
    assert.match(out, /^\s+name\s+<string> -required-/m);
    const deploy = await k.ok(['explain', 'deployment.spec.strategy']);
    assert.match(deploy, /GROUP:\s+apps/);
    assert.match(deploy, /rollingUpdate\s+<RollingUpdateDeployment>/);
  });

  it('kubectl api-resources lists every resource with short names and scope', async () => {
    const out = await k.ok(['api-resources']);
    const row = (re: RegExp): void => assert.match(out, re, out);
    row(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    row(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    row(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    row(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    row(
      /^customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false\s+CustomResourceDefinition$/m,
    );
  });

  it('pages lists with --chunk-size and follows continue tokens', async () => {
    await k.ok(['create', 'namespace', 'paging']);
    for (let i = 0; i < 7; i++)
      await k.ok(['create', 'configmap', `page-${i}`, '-n', 'paging', '--from-literal=i=' + i]);
    const r = await k.run([
      'get',
      'configmaps',
      '-n',
      'paging',
      '--chunk-size=2',
      '-v=6',
      '-o',
      'name',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.includes('page-')),
      Array.from({ length: 7 }, (_, i) => `configmap/page-${i}`),
    );
    assert.match(r.stderr, /limit=2/);
    assert.match(r.stderr, /continue=/);
  });

  it('filters by label and field selectors, and refuses unsupported fields', async () => {
    await k.ok(['create', 'namespace', 'sel']);
    await k.ok(['create', 'configmap', 'web-a', '-n', 'sel']);
    await k.ok(['create', 'configmap', 'web-b', '-n', 'sel']);
    await k.ok(['create', 'configmap', 'db', '-n', 'sel']);
    await k.ok(['label', 'configmap', 'web-a', 'web-b', 'app=web', '-n', 'sel']);
    await k.ok(['label', 'configmap', 'web-a', 'env=prod', '-n', 'sel']);
    await k.ok(['label', 'configmap', 'db', 'app=db', 'env=dev', '-n', 'sel']);
    const names = (args: string[]): Promise<string> =>
      k.ok(['get', 'configmaps', '-n', 'sel', ...args, '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(await names(['-l', 'app=web']), 'web-a web-b');
    assert.equal(
      await names(['-l', 'app!=web']),
      'db kube-root-ca.crt'
        .split(' ')
        .filter((n) => n === 'db')
        .join(' ') || 'db',
    );
    assert.equal(await names(['-l', 'env in (prod,dev)']), 'db web-a');
    assert.equal(await names(['-l', 'app=web,!env']), 'web-b');
    assert.equal(await names(['-l', 'env']), 'db web-a');
    assert.equal(await names(['--field-selector', 'metadata.name=db']), 'db');
    assert.equal(
      await names(['--field-selector', 'metadata.name!=db', '-l', 'app']),
      'web-a web-b',
    );
    const bad = await k.fails([
      'get',
      'configmaps',
      '-n',
      'sel',
      '--field-selector',
      'spec.nothing=1',
    ]);
    assert.match(bad, /field label not supported: spec\.nothing/);
    const badLabel = await k.fails(['get', 'configmaps', '-n', 'sel', '-l', 'app in (a']);
    assert.match(badLabel, /unable to parse requirement|invalid/i);
    // Pods can be selected by phase and node, as the scheduler and kubelets do.
    await k.ok([
      'run',
      'idle',
      '-n',
      'sel',
      '--image=busybox',
      '--restart=Never',
      '--',
      'sleep',
      '1',
    ]);
    assert.equal(
      await k.ok([
        'get',
        'pods',
        '-n',
        'sel',
        '--field-selector',
        'status.phase=Pending,spec.nodeName=',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ]),
      'idle',
    );
  });

  it('answers kubectl auth can-i and whoami for an admin and a token user', async () => {
    assert.equal((await k.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    assert.equal((await k.ok(['auth', 'can-i', '*', '*'])).trim(), 'yes');
    assert.match(await k.ok(['auth', 'whoami']), /admin/);
    // A kubeconfig with only the token: no client certificate to fall back on.
    const viewerConfig = join(tokenDir, 'viewer.kubeconfig');
    writeFileSync(
      viewerConfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server.url}\n    certificate-authority: ${join(server.dataDir, 'pki', 'ca.crt')}\nusers:\n- name: viewer\n  user:\n    token: viewer-token-123\ncontexts:\n- name: v\n  context:\n    cluster: c\n    user: viewer\ncurrent-context: v\n`,
    );
    const viewer = new Kubectl(viewerConfig);
    const asViewer = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      viewer.run(args);
    const can = await asViewer(['auth', 'can-i', 'list', 'pods']);
    assert.match(can.stdout.trim(), /^no - .*no RBAC yet/);
    const who = await asViewer(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout.trim(), 'viewer', who.stderr);
    const denied = await asViewer(['get', 'pods']);
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"/,
    );
    const wrong = await viewer.run(['get', 'pods', '--token', 'wrong-token']);
    assert.match(wrong.stderr, /Unauthorized|must be logged in/);
    viewer.cleanup();
  });

  it('server-side apply reports conflicts and --force-conflicts takes ownership', async () => {
    const deploy = (replicas: number): string =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\n  namespace: default\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ssa}\n  template:\n    metadata:\n      labels: {app: ssa}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n`;
    await k.ok(['apply', '--server-side', '-f', '-'], deploy(2));
    await k.ok(['scale', 'deployment', 'ssa', '--replicas=5']);
    const conflict = await k.fails(['apply', '--server-side', '-f', '-'], deploy(2));
    assert.match(
      conflict,
      /Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas/,
    );
    await k.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], deploy(2));
    assert.equal(await k.ok(['get', 'deployment', 'ssa', '-o', 'jsonpath={.spec.replicas}']), '2');
  });

  it('dry-run validates without storing; generateName makes a name', async () => {
    assert.match(
      await k.ok(['create', 'configmap', 'dry', '--dry-run=server', '--from-literal=a=b']),
      /created \(server dry run\)/,
    );
    assert.notEqual((await k.run(['get', 'configmap', 'dry'])).code, 0);
    const created = await k.ok(
      ['create', '-f', '-', '-o', 'jsonpath={.metadata.name}'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n',
    );
    assert.match(created, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('reports validation errors field by field, as kubectl users know them', async () => {
    const err = await k.fails(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers:\n  - name: app\n',
    );
    assert.match(err, /The Pod "broken" is invalid: spec\.containers\[0\]\.image: Required value/);
    const unknown = await k.fails(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\nbogus: 1\n',
    );
    assert.match(unknown, /unknown field "bogus"/);
    const negative = await k.fails(
      ['create', '-f', '-'],
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: neg\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers:\n      - name: c\n        image: x\n',
    );
    assert.match(negative, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
  });

  it('protects the system namespaces and refuses content in unknown ones', async () => {
    assert.match(
      await k.fails(['delete', 'namespace', 'kube-system']),
      /this namespace may not be deleted/,
    );
    assert.match(
      await k.fails(['create', 'configmap', 'x', '-n', 'no-such-namespace']),
      /namespaces "no-such-namespace" not found/,
    );
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.equal(
        await k.ok(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']),
        'Active',
      );
    }
  });
});
