import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind } from '../schema.ts';
import type { KubeObject } from '../types/meta.ts';
import { applyDefaults, imageTag, podQOSClass } from './defaults.ts';
import {
  DAEMONSET,
  deployment,
  DEPLOYMENT,
  POD,
  REPLICASET,
  SERVICE,
  service,
  type Loose,
} from './test-support.ts';

function defaulted(gvk: GroupVersionKind, obj: Loose): Loose {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(gvk, o);
  // Idempotent: a second pass changes nothing.
  const again = structuredClone(o);
  applyDefaults(gvk, again);
  assert.deepEqual(again, o);
  return o as Loose;
}

const POD_SPEC_DEFAULTS = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

describe('Pod defaults', () => {
  it('fills in what Kubernetes fills in', () => {
    const pod = defaulted(POD, {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: 0.5, memory: '1.5Gi' } },
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
            lifecycle: { preStop: { httpGet: { port: 80 } } },
          },
        ],
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        volumes: [
          { name: 'scratch' },
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'sec', secret: { secretName: 'sec' } },
          { name: 'host', hostPath: { path: '/var/log' } },
          { name: 'tmp', emptyDir: { sizeLimit: '0.5Gi' } },
          {
            name: 'proj',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token' } },
                {
                  downwardAPI: {
                    items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }],
                  },
                },
              ],
            },
          },
        ],
      },
    });
    assert.deepEqual(pod, {
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            imagePullPolicy: 'Always',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              {
                name: 'POD',
                valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } },
              },
            ],
            resources: {
              limits: { cpu: '500m', memory: '1536Mi' },
              requests: { cpu: '500m', memory: '1536Mi' },
            },
            livenessProbe: {
              httpGet: { port: 80, path: '/', scheme: 'HTTP' },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: {
              grpc: { port: 9000, service: '' },
              periodSeconds: 5,
              timeoutSeconds: 1,
              successThreshold: 1,
              failureThreshold: 3,
            },
            lifecycle: { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } },
          },
        ],
        initContainers: [
          {
            name: 'init',
            image: 'busybox:1.36',
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        volumes: [
          { name: 'scratch', emptyDir: {} },
          { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
          { name: 'sec', secret: { secretName: 'sec', defaultMode: 420 } },
          { name: 'host', hostPath: { path: '/var/log', type: '' } },
          { name: 'tmp', emptyDir: { sizeLimit: '512Mi' } },
          {
            name: 'proj',
            projected: {
              defaultMode: 420,
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                {
                  downwardAPI: {
                    items: [
                      {
                        path: 'ns',
                        fieldRef: { fieldPath: 'metadata.namespace', apiVersion: 'v1' },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ],
        enableServiceLinks: true,
        ...POD_SPEC_DEFAULTS,
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      status: { phase: 'Pending', qosClass: 'Burstable' },
    });
  });

  it('keeps what the client set', () => {
    const pod = defaulted(POD, {
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x:latest',
            imagePullPolicy: 'Never',
            resources: { requests: { cpu: '1' }, limits: { cpu: '2' } },
          },
        ],
        restartPolicy: 'Never',
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        priorityClassName: 'high',
        serviceAccount: 'robot',
      },
      status: { phase: 'Running' },
    });
    const spec = pod.spec as Loose;
    const [c] = spec.containers as Loose[];
    assert.equal(c.imagePullPolicy, 'Never');
    assert.deepEqual(c.resources, { requests: { cpu: '1' }, limits: { cpu: '2' } });
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.dnsPolicy, 'Default');
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.enableServiceLinks, false);
    assert.equal(spec.priority, undefined);
    assert.equal(spec.serviceAccountName, 'robot');
    assert.deepEqual(pod.status, { phase: 'Running', qosClass: 'Burstable' });
  });

  it('gives host-network pods host ports', () => {
    const pod = defaulted(POD, {
      metadata: { name: 'p' },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 8080 }] }],
      },
    });
    assert.deepEqual(((pod.spec as Loose).containers as Loose[])[0].ports, [
      { containerPort: 8080, protocol: 'TCP', hostPort: 8080 },
    ]);
  });

  it('leaves malformed parts for validation', () => {
    const pod = defaulted(POD, {
      metadata: { name: 'p' },
      spec: { containers: 'x', volumes: [3], tolerations: {} },
    });
    assert.equal((pod.spec as Loose).containers, 'x');
    assert.deepEqual((pod.spec as Loose).volumes, [3]);
  });
});

describe('imageTag', () => {
  const cases: [string, string][] = [
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.27', '1.27'],
    ['library/nginx', 'latest'],
    ['registry.example.com:5000/team/app', 'latest'],
    ['registry.example.com:5000/team/app:v2', 'v2'],
    ['Registry.Example.com/app', 'latest'],
    ['nginx@sha256:0123456789abcdef', ''],
    ['nginx:1.27@sha256:0123456789abcdef', '1.27'],
    ['NGINX', ''],
    ['', ''],
  ];
  for (const [image, tag] of cases)
    it(`${JSON.stringify(image)} -> ${JSON.stringify(tag)}`, () =>
      assert.equal(imageTag(image), tag));
});

describe('QoS class', () => {
  const spec = (resources: Loose[]): Loose => ({
    containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })),
  });
  it('is Guaranteed when every container limits cpu and memory and requests the same', () => {
    assert.equal(
      podQOSClass(
        spec([
          { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } },
        ]),
      ),
      'Guaranteed',
    );
  });
  it('is Burstable when requests differ from limits or a limit is missing', () => {
    assert.equal(
      podQOSClass(
        spec([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }]),
      ),
      'Burstable',
    );
    assert.equal(
      podQOSClass(
        spec([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, {}]),
      ),
      'Burstable',
    );
    assert.equal(podQOSClass(spec([{ requests: { memory: '1Gi' } }])), 'Burstable');
  });
  it('is BestEffort without cpu or memory amounts', () => {
    assert.equal(podQOSClass(spec([{}, { limits: { 'example.com/gpu': '1' } }])), 'BestEffort');
  });
});

describe('workload defaults', () => {
  const templateDefaults = (containers: Loose[]): Loose => ({ containers, ...POD_SPEC_DEFAULTS });
  const container = {
    name: 'app',
    image: 'nginx:1.27',
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };

  it('Deployment', () => {
    assert.deepEqual(defaulted(DEPLOYMENT, deployment()).spec, {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: templateDefaults([container]) },
    });
  });

  it('Deployment with Recreate gets no rollingUpdate', () => {
    const spec = defaulted(DEPLOYMENT, deployment({ strategy: { type: 'Recreate' }, replicas: 0 }))
      .spec as Loose;
    assert.deepEqual(spec.strategy, { type: 'Recreate' });
    assert.equal(spec.replicas, 0);
  });

  it('ReplicaSet', () => {
    const spec = defaulted(REPLICASET, { ...deployment(), kind: 'ReplicaSet' }).spec as Loose;
    assert.equal(spec.replicas, 1);
    assert.equal(spec.strategy, undefined);
    assert.deepEqual((spec.template as Loose).spec, templateDefaults([container]));
  });

  it('DaemonSet', () => {
    const spec = defaulted(DAEMONSET, { ...deployment(), kind: 'DaemonSet' }).spec as Loose;
    assert.deepEqual(spec.updateStrategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.replicas, undefined);
    // Pod-only defaults stay out of templates.
    assert.equal(((spec.template as Loose).spec as Loose).enableServiceLinks, undefined);
  });
});

describe('Service defaults', () => {
  it('ClusterIP', () => {
    assert.deepEqual(
      defaulted(
        SERVICE,
        service({
          ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }],
        }),
      ).spec,
      {
        selector: { app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 80 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        ],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
      },
    );
  });

  it('keeps clusterIP and clusterIPs in step, and derives the family', () => {
    const spec = defaulted(SERVICE, service({ clusterIP: 'fd00::10' })).spec as Loose;
    assert.deepEqual(spec.clusterIPs, ['fd00::10']);
    assert.deepEqual(spec.ipFamilies, ['IPv6']);
    const headless = defaulted(SERVICE, service({ clusterIP: 'None' })).spec as Loose;
    assert.deepEqual(headless.clusterIPs, ['None']);
    assert.deepEqual(headless.ipFamilies, ['IPv4']);
  });

  it('LoadBalancer', () => {
    const spec = defaulted(SERVICE, service({ type: 'LoadBalancer' })).spec as Loose;
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
    assert.equal(spec.allocateLoadBalancerNodePorts, true);
    assert.equal(spec.internalTrafficPolicy, 'Cluster');
  });

  it('ExternalName', () => {
    assert.deepEqual(
      defaulted(
        SERVICE,
        service({ type: 'ExternalName', externalName: 'db.example.com', ports: [] }),
      ).spec,
      {
        selector: { app: 'web' },
        ports: [],
        type: 'ExternalName',
        externalName: 'db.example.com',
        sessionAffinity: 'None',
      },
    );
  });

  it('ClientIP affinity gets a timeout; None drops the config', () => {
    assert.deepEqual(
      (defaulted(SERVICE, service({ sessionAffinity: 'ClientIP' })).spec as Loose)
        .sessionAffinityConfig,
      {
        clientIP: { timeoutSeconds: 10800 },
      },
    );
    assert.equal(
      (
        defaulted(SERVICE, service({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }))
          .spec as Loose
      ).sessionAffinityConfig,
      undefined,
    );
  });
});

describe('other kinds', () => {
  const v1 = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });

  it('Secret: Opaque, stringData written into data', () => {
    assert.deepEqual(
      defaulted(v1('Secret'), {
        metadata: { name: 's' },
        data: { a: 'eA==', b: 'eQ==' },
        stringData: { b: 'héllo' },
      }),
      {
        metadata: { name: 's' },
        type: 'Opaque',
        data: { a: 'eA==', b: 'aMOpbGxv' },
      },
    );
  });

  it('Namespace: name label, kubernetes finalizer, Active', () => {
    assert.deepEqual(defaulted(v1('Namespace'), { metadata: { name: 'prod' } }), {
      metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  it('Namespace: no finalizer is added back once deletion started', () => {
    const ns = defaulted(v1('Namespace'), {
      metadata: { name: 'p', deletionTimestamp: '2024-01-01T00:00:00Z' },
      spec: { finalizers: [] },
      status: { phase: 'Terminating' },
    });
    assert.deepEqual(ns.spec, { finalizers: [] });
    assert.deepEqual(ns.status, { phase: 'Terminating' });
  });

  it('Node: pod CIDRs and allocatable', () => {
    assert.deepEqual(
      defaulted(v1('Node'), {
        metadata: { name: 'n' },
        spec: { podCIDR: '10.244.0.0/24' },
        status: { capacity: { cpu: '4', memory: '8192Mi' } },
      }),
      {
        metadata: { name: 'n' },
        spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
        status: { capacity: { cpu: '4', memory: '8Gi' }, allocatable: { cpu: '4', memory: '8Gi' } },
      },
    );
  });

  it('Endpoints: TCP ports', () => {
    assert.deepEqual(
      defaulted(v1('Endpoints'), { metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] })
        .subsets,
      [{ ports: [{ port: 80, protocol: 'TCP' }] }],
    );
  });

  it('kinds without defaults are left alone', () => {
    const cm = { metadata: { name: 'c' }, data: { a: 'b' } };
    assert.deepEqual(defaulted(v1('ConfigMap'), cm), cm);
    const widget = { metadata: { name: 'w' }, spec: {} };
    assert.deepEqual(
      defaulted({ group: 'example.com', version: 'v1', kind: 'Widget' }, widget),
      widget,
    );
  });
});
