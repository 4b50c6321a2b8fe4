/**
 * Every built-in resource through the kubectl verbs users type: create, get
 * (table, -o wide, -o yaml, -o jsonpath), describe, apply (client-side and
 * server-side), patch (json, merge, strategic), label, annotate, scale, delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kubectl, removeDir, startServer, type ServerProcess } from '../helpers/cluster.ts';

interface Case {
  /** kubectl's name for the resource. */
  resource: string;
  /** kubectl's "<kind>.<group>/<name>" prefix in messages. */
  printed: string;
  manifest: (name: string) => string;
  /** Header columns kubectl get must print. */
  columns: string[];
  /** Extra -o wide columns. */
  wide?: string[];
  namespaced: boolean;
  /** A strategic merge patch that kubectl accepts for this kind. */
  strategic: string;
  /** A JSON path whose value proves the strategic patch landed, and that value. */
  check: [string, string];
  scalable?: boolean;
}

const ns = 'e2e';

const cases: Case[] = [
  {
    resource: 'configmap',
    printed: 'configmap',
    namespaced: true,
    manifest: (n) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\ndata:\n  a: "1"\n`,
    columns: ['NAME', 'DATA', 'AGE'],
    strategic: '{"data":{"b":"2"}}',
    check: ['{.data.b}', '2'],
  },
  {
    resource: 'secret',
    printed: 'secret',
    namespaced: true,
    // data, not stringData: stringData is folded into data on write, so applying it
    // again always reports "configured" (on Kubernetes too).
    manifest: (n) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${n}\ntype: Opaque\ndata:\n  password: czNjcmV0\n`,
    columns: ['NAME', 'TYPE', 'DATA', 'AGE'],
    strategic: '{"data":{"user":"YWRtaW4="}}',
    check: ['{.data.user}', 'YWRtaW4='],
  },
  {
    resource: 'service',
    printed: 'service',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n`,
    columns: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wide: ['SELECTOR'],
    strategic: '{"spec":{"ports":[{"name":"https","port":443,"targetPort":8443}]}}',
    // Strategic merge puts new list elements first, as Kubernetes does.
    check: ['{.spec.ports[*].port}', '443 80'],
  },
  {
    resource: 'endpoints',
    printed: 'endpoints',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: ${n}\nsubsets:\n- addresses:\n  - ip: 10.0.0.1\n  ports:\n  - port: 80\n    protocol: TCP\n`,
    columns: ['NAME', 'ENDPOINTS', 'AGE'],
    strategic: '{"metadata":{"labels":{"patched":"yes"}}}',
    check: ['{.metadata.labels.patched}', 'yes'],
  },
  {
    resource: 'serviceaccount',
    printed: 'serviceaccount',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${n}\nautomountServiceAccountToken: false\n`,
    columns: ['NAME', 'SECRETS', 'AGE'],
    strategic: '{"imagePullSecrets":[{"name":"regcred"}]}',
    check: ['{.imagePullSecrets[0].name}', 'regcred'],
  },
  {
    resource: 'event',
    printed: 'event',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: v1\nkind: Event\nmetadata:\n  name: ${n}\ninvolvedObject:\n  kind: Pod\n  name: web\n  namespace: ${ns}\nreason: Started\nmessage: started the container\ntype: Normal\nsource:\n  component: kubelet\n`,
    columns: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    strategic: '{"message":"patched message"}',
    check: ['{.message}', 'patched message'],
  },
  {
    resource: 'pod',
    printed: 'pod',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${n}\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: ["sleep", "3600"]\n    env:\n    - name: A\n      value: "1"\n`,
    columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    strategic: '{"spec":{"containers":[{"name":"app","image":"busybox:1.37"}]}}',
    check: ['{.spec.containers[0].image}', 'busybox:1.37'],
  },
  {
    resource: 'deployment',
    printed: 'deployment.apps',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${n}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: ${n}\n  template:\n    metadata:\n      labels:\n        app: ${n}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n`,
    columns: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    strategic:
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
    check: ['{.spec.template.spec.containers[*].name}', 'sidecar app'],
    scalable: true,
  },
  {
    resource: 'replicaset',
    printed: 'replicaset.apps',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: ${n}\nspec:\n  replicas: 0\n  selector:\n    matchLabels:\n      app: ${n}\n  template:\n    metadata:\n      labels:\n        app: ${n}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n`,
    columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    strategic:
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}',
    check: ['{.spec.template.spec.containers[0].image}', 'nginx:1.26'],
    scalable: true,
  },
  {
    resource: 'daemonset',
    printed: 'daemonset.apps',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ${n}\nspec:\n  selector:\n    matchLabels:\n      app: ${n}\n  template:\n    metadata:\n      labels:\n        app: ${n}\n    spec:\n      containers:\n      - name: agent\n        image: busybox\n`,
    columns: [
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    strategic: '{"spec":{"template":{"spec":{"nodeSelector":{"edge":"true"}}}}}',
    check: ['{.spec.template.spec.nodeSelector.edge}', 'true'],
  },
  {
    resource: 'lease',
    printed: 'lease.coordination.k8s.io',
    namespaced: true,
    manifest: (n) =>
      `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: ${n}\nspec:\n  holderIdentity: node-1\n  leaseDurationSeconds: 40\n`,
    columns: ['NAME', 'HOLDER', 'AGE'],
    strategic: '{"spec":{"holderIdentity":"node-2"}}',
    check: ['{.spec.holderIdentity}', 'node-2'],
  },
  {
    resource: 'node',
    printed: 'node',
    namespaced: false,
    manifest: (n) =>
      `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${n}\n  labels:\n    kubernetes.io/hostname: ${n}\nspec:\n  podCIDR: 10.42.1.0/24\n`,
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    strategic: '{"spec":{"taints":[{"key":"edge","value":"true","effect":"NoSchedule"}]}}',
    check: ['{.spec.taints[0].key}', 'edge'],
  },
  {
    resource: 'namespace',
    printed: 'namespace',
    namespaced: false,
    manifest: (n) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n  labels:\n    purpose: e2e\n`,
    columns: ['NAME', 'STATUS', 'AGE'],
    strategic: '{"metadata":{"labels":{"team":"edge"}}}',
    check: ['{.metadata.labels.team}', 'edge'],
  },
];

describe('kubectl against verge server: each built-in resource', () => {
  let server: ServerProcess;
  let k: Kubectl;

  before(async () => {
    server = await startServer();
    k = new Kubectl(server.kubeconfig);
    await k.ok(
      ['create', '-f', '-'],
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
    );
  });

  after(async () => {
    k?.cleanup();
    await server?.stop();
    removeDir(server?.dataDir);
  });

  for (const c of cases) {
    it(`${c.resource}: create, get, describe, apply, patch, label, annotate${c.scalable ? ', scale' : ''}, delete`, async () => {
      const nsArgs = c.namespaced ? ['-n', ns] : [];
      const name = `${c.resource}-one`;
      const printedName = `${c.printed}/${name}`;

      // create
      assert.match(
        await k.ok(['create', ...nsArgs, '-f', '-'], c.manifest(name)),
        new RegExp(`^${printedName.replace(/\./g, '\\.')} created`, 'm'),
      );

      // get: table, wide, yaml, jsonpath
      const table = await k.ok(['get', c.resource, name, ...nsArgs]);
      const header = table.split('\n')[0];
      for (const col of c.columns)
        assert.ok(
          header.includes(col),
          `${c.resource} table header ${JSON.stringify(header)} lacks ${col}`,
        );
      if (c.columns[0] === 'NAME') assert.match(table.split('\n')[1], new RegExp(`^${name}\\s`));
      else assert.ok(table.split('\n')[1].trim().length > 0, table);
      if (c.wide) {
        const wide = (await k.ok(['get', c.resource, name, ...nsArgs, '-o', 'wide'])).split(
          '\n',
        )[0];
        for (const col of c.wide)
          assert.ok(
            wide.includes(col),
            `${c.resource} wide header ${JSON.stringify(wide)} lacks ${col}`,
          );
      }
      const yaml = await k.ok(['get', c.resource, name, ...nsArgs, '-o', 'yaml']);
      assert.match(yaml, new RegExp(`name: ${name}`));
      assert.match(yaml, /uid: [0-9a-f-]{36}/);
      assert.match(yaml, /resourceVersion: "\d+"/);
      assert.match(yaml, /creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
      assert.equal(
        await k.ok(['get', c.resource, name, ...nsArgs, '-o', 'jsonpath={.metadata.name}']),
        name,
      );

      // describe
      const described = await k.ok(['describe', c.resource, name, ...nsArgs]);
      assert.match(described, new RegExp(`^Name:\\s+${name}$`, 'm'));

      // client-side apply of a second object, then a change to it
      const applied = `${c.resource}-applied`;
      assert.match(await k.ok(['apply', ...nsArgs, '-f', '-'], c.manifest(applied)), / created/);
      const changed = c
        .manifest(applied)
        .replace(`name: ${applied}`, `name: ${applied}\n  annotations:\n    applied: "yes"`);
      assert.match(await k.ok(['apply', ...nsArgs, '-f', '-'], changed), / configured/);
      assert.equal(
        await k.ok([
          'get',
          c.resource,
          applied,
          ...nsArgs,
          '-o',
          'jsonpath={.metadata.annotations.applied}',
        ]),
        'yes',
      );
      assert.match(
        await k.ok([
          'get',
          c.resource,
          applied,
          ...nsArgs,
          '-o',
          'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}',
        ]),
        /"name":"/,
      );
      // re-applying the same file changes nothing
      assert.match(await k.ok(['apply', ...nsArgs, '-f', '-'], changed), / unchanged/);

      // server-side apply
      const ssa = `${c.resource}-ssa`;
      assert.match(
        await k.ok(['apply', '--server-side', ...nsArgs, '-f', '-'], c.manifest(ssa)),
        / serverside-applied/,
      );
      const managers = await k.ok([
        'get',
        c.resource,
        ssa,
        ...nsArgs,
        '--show-managed-fields',
        '-o',
        'jsonpath={.metadata.managedFields[*].manager}',
      ]);
      assert.match(managers, /kubectl/);

      // patch: strategic (kubectl's default), merge, json
      await k.ok(['patch', c.resource, name, ...nsArgs, '-p', c.strategic]);
      assert.equal(
        await k.ok(['get', c.resource, name, ...nsArgs, '-o', `jsonpath=${c.check[0]}`]),
        c.check[1],
      );
      await k.ok([
        'patch',
        c.resource,
        name,
        ...nsArgs,
        '--type',
        'merge',
        '-p',
        '{"metadata":{"annotations":{"merged":"true"}}}',
      ]);
      await k.ok([
        'patch',
        c.resource,
        name,
        ...nsArgs,
        '--type',
        'json',
        '-p',
        '[{"op":"add","path":"/metadata/labels","value":{"json":"patched"}}]',
      ]);
      const patched = await k.json<{
        metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
      }>(['get', c.resource, name, ...nsArgs]);
      assert.equal(patched.metadata.annotations?.merged, 'true');
      assert.equal(patched.metadata.labels?.json, 'patched');

      // label and annotate
      assert.match(await k.ok(['label', c.resource, name, ...nsArgs, 'tier=edge']), / labeled/);
      assert.match(
        await k.ok(['annotate', c.resource, name, ...nsArgs, 'note=hello']),
        / annotated/,
      );
      assert.equal(
        await k.ok([
          'get',
          c.resource,
          ...nsArgs,
          '-l',
          'tier=edge',
          '-o',
          'jsonpath={.items[*].metadata.name}',
        ]),
        name,
      );
      assert.equal(
        await k.ok([
          'get',
          c.resource,
          name,
          ...nsArgs,
          '-o',
          'jsonpath={.metadata.annotations.note}',
        ]),
        'hello',
      );

      if (c.scalable) {
        assert.match(await k.ok(['scale', c.resource, name, ...nsArgs, '--replicas=3']), / scaled/);
        assert.equal(
          await k.ok(['get', c.resource, name, ...nsArgs, '-o', 'jsonpath={.spec.replicas}']),
          '3',
        );
      }

      // delete (namespaces keep Terminating until the namespace controller empties them)
      const wait = c.resource === 'namespace' ? ['--wait=false'] : [];
      for (const n of [name, applied, ssa]) {
        assert.match(
          await k.ok(['delete', c.resource, n, ...nsArgs, ...wait]),
          new RegExp(`"${n}" deleted`),
        );
      }
      if (c.resource !== 'namespace') {
        const gone = await k.run(['get', c.resource, name, ...nsArgs]);
        assert.notEqual(gone.code, 0);
        assert.match(gone.stderr, /NotFound|not found/);
      }
    });
  }

  it('events.k8s.io/v1 serves the same events in the new shape', async () => {
    await k.ok(
      ['create', '-n', ns, '-f', '-'],
      cases.find((c) => c.resource === 'event')!.manifest('shared-event'),
    );
    const v1 = await k.json<{
      regarding: { name: string };
      note: string;
      reportingController?: string;
    }>(['get', 'events.v1.events.k8s.io', 'shared-event', '-n', ns]);
    assert.equal(v1.regarding.name, 'web');
    assert.equal(v1.note, 'started the container');
    const core = await k.json<{ involvedObject: { name: string }; message: string }>([
      'get',
      'events.v1.',
      'shared-event',
      '-n',
      ns,
    ]);
    assert.equal(core.involvedObject.name, 'web');
    assert.equal(core.message, v1.note);
    const list = await k.ok([
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'involvedObject.name=web',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    assert.match(list, /shared-event/);
  });
});
