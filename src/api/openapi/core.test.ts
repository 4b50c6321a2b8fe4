import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REF_PREFIX, SchemaResolver } from '../schema.ts';
import type { Definitions, JSONSchemaProps } from '../schema.ts';
import type { Pod, Secret, Service } from '../types/core.ts';
import { coreDefinitions } from './core.ts';
import { metaDefinitions } from './meta.ts';

const C = 'io.k8s.api.core.v1.';
const M = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const definitions: Definitions = { ...metaDefinitions, ...coreDefinitions };
const resolver = new SchemaResolver(definitions);

/** Every schema object reachable from `schema` without following $refs, with a path for messages. */
function* subschemas(schema: JSONSchemaProps, path: string): Generator<[string, JSONSchemaProps]> {
  yield [path, schema];
  for (const [name, p] of Object.entries(schema.properties ?? {}))
    yield* subschemas(p, `${path}.${name}`);
  if (schema.items !== undefined) yield* subschemas(schema.items, `${path}[]`);
  if (typeof schema.additionalProperties === 'object')
    yield* subschemas(schema.additionalProperties, `${path}{}`);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    for (const [i, s] of (schema[key] ?? []).entries())
      yield* subschemas(s, `${path}.${key}[${i}]`);
  }
  if (schema.not !== undefined) yield* subschemas(schema.not, `${path}.not`);
}

function all(): [string, JSONSchemaProps][] {
  return Object.entries(definitions).flatMap(([name, s]) => [...subschemas(s, name)]);
}

/** Every property schema of every definition, as [Definition.field, schema]. */
function allProperties(): [string, JSONSchemaProps][] {
  const out: [string, JSONSchemaProps][] = [];
  for (const [path, s] of all()) {
    for (const [name, p] of Object.entries(s.properties ?? {})) out.push([`${path}.${name}`, p]);
  }
  return out;
}

/** The resolved schema at a dotted path of properties below a definition (`[]` steps into items). */
function at(definition: string, path: string): JSONSchemaProps {
  let s = resolver.resolve({ $ref: REF_PREFIX + definition });
  for (const step of path.split('.')) {
    if (step === '[]') s = resolver.items(s);
    else s = resolver.property(s, step);
    assert.ok(s !== undefined, `${definition}: no schema at ${path} (step ${step})`);
  }
  assert.ok(s !== undefined, `${definition}: no such definition`);
  return s;
}

/** The unresolved property schema (what the parent declares, with its own patch/list metadata). */
function prop(definition: string, field: string): JSONSchemaProps {
  const p = definitions[definition]?.properties?.[field];
  assert.ok(p !== undefined, `${definition}.${field} is not defined`);
  return p;
}

/** SSA and SMP metadata of a property, for exact comparison. */
function mergeInfo(definition: string, field: string): Record<string, unknown> {
  const p = prop(definition, field);
  const out: Record<string, unknown> = {};
  for (const k of [
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-patch-strategy',
    'x-kubernetes-patch-merge-key',
  ] as const) {
    if (p[k] !== undefined) out[k] = p[k];
  }
  return out;
}

function refTarget(s: JSONSchemaProps): string | undefined {
  return s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
}

const KINDS = [
  'Pod',
  'Node',
  'Namespace',
  'ConfigMap',
  'Secret',
  'Service',
  'Endpoints',
  'Event',
  'ServiceAccount',
  'PodTemplate',
];

describe('meta and core definitions', () => {
  it('have no name in common and use Kubernetes names', () => {
    assert.deepEqual(
      Object.keys(metaDefinitions).filter((n) => n in coreDefinitions),
      [],
    );
    assert.deepEqual(
      Object.keys(coreDefinitions).filter((n) => !n.startsWith(C)),
      [],
    );
    assert.deepEqual(
      Object.keys(metaDefinitions).filter((n) => !n.startsWith('io.k8s.apimachinery.pkg.')),
      [],
    );
  });

  it('include every definition the task names', () => {
    const wanted = [
      ...[
        'ObjectMeta',
        'ListMeta',
        'OwnerReference',
        'ManagedFieldsEntry',
        'FieldsV1',
        'Time',
        'MicroTime',
      ],
      ...[
        'LabelSelector',
        'LabelSelectorRequirement',
        'Condition',
        'Status',
        'StatusDetails',
        'StatusCause',
      ],
      ...[
        'DeleteOptions',
        'Preconditions',
        'WatchEvent',
        'APIResource',
        'APIResourceList',
        'APIGroup',
      ],
      ...['APIGroupList', 'APIVersions', 'GroupVersionForDiscovery', 'ServerAddressByClientCIDR'],
    ].map((n) => M + n);
    wanted.push(
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      'io.k8s.apimachinery.pkg.runtime.RawExtension',
    );
    const core = `Pod PodList Node NodeList Namespace NamespaceList ConfigMap ConfigMapList Secret SecretList
      Service ServiceList Endpoints EndpointsList Event EventList ServiceAccount ServiceAccountList Binding
      PodTemplate PodTemplateList PodTemplateSpec PodSpec Container EphemeralContainer ContainerPort EnvVar
      EnvVarSource EnvFromSource ConfigMapKeySelector SecretKeySelector ObjectFieldSelector ResourceFieldSelector
      ResourceRequirements ResourceClaim VolumeMount VolumeDevice Probe ExecAction HTTPGetAction HTTPHeader
      TCPSocketAction GRPCAction Lifecycle LifecycleHandler SleepAction SecurityContext PodSecurityContext
      Capabilities SELinuxOptions SeccompProfile AppArmorProfile WindowsSecurityContextOptions Sysctl Volume
      EmptyDirVolumeSource HostPathVolumeSource ConfigMapVolumeSource SecretVolumeSource ProjectedVolumeSource
      VolumeProjection ConfigMapProjection SecretProjection DownwardAPIProjection ServiceAccountTokenProjection
      ClusterTrustBundleProjection DownwardAPIVolumeSource DownwardAPIVolumeFile PersistentVolumeClaimVolumeSource
      NFSVolumeSource CSIVolumeSource EphemeralVolumeSource PersistentVolumeClaimTemplate PersistentVolumeClaimSpec
      ImageVolumeSource KeyToPath Affinity NodeAffinity NodeSelector NodeSelectorTerm NodeSelectorRequirement
      PreferredSchedulingTerm PodAffinity PodAntiAffinity PodAffinityTerm WeightedPodAffinityTerm Toleration
      TopologySpreadConstraint HostAlias PodDNSConfig PodDNSConfigOption PodReadinessGate PodOS PodSchedulingGate
      PodResourceClaim LocalObjectReference ObjectReference TypedLocalObjectReference PodStatus PodCondition PodIP
      HostIP ContainerStatus ContainerState ContainerStateWaiting ContainerStateRunning ContainerStateTerminated
      NodeSpec NodeStatus NodeCondition NodeAddress NodeSystemInfo NodeDaemonEndpoints DaemonEndpoint
      ContainerImage Taint AttachedVolume NodeConfigSource NodeConfigStatus NamespaceSpec NamespaceStatus
      NamespaceCondition ServiceSpec ServicePort ServiceStatus LoadBalancerStatus LoadBalancerIngress PortStatus
      SessionAffinityConfig ClientIPConfig EndpointSubset EndpointAddress EndpointPort EventSource EventSeries`;
    wanted.push(...core.split(/\s+/).map((n) => C + n));
    assert.deepEqual(
      wanted.filter((n) => definitions[n] === undefined),
      [],
    );
    assert.equal(Object.keys(definitions).length, 198);
  });

  it('resolve every $ref', () => {
    const broken = all()
      .filter(([, s]) => s.$ref !== undefined)
      .filter(
        ([, s]) =>
          !s.$ref!.startsWith(REF_PREFIX) ||
          definitions[s.$ref!.slice(REF_PREFIX.length)] === undefined,
      )
      .map(([path, s]) => `${path} -> ${s.$ref}`);
    assert.deepEqual(broken, []);
  });

  it('give every property, array item and map value a type, a reference, or an untyped marker', () => {
    const untyped = all()
      .filter(([path]) => path.includes('.') || path.endsWith('[]') || path.endsWith('{}'))
      .filter(([path]) => !/\.allOf\[\d+\]$/.test(path))
      .filter(
        ([, s]) =>
          s.type === undefined &&
          refTarget(s) === undefined &&
          s['x-kubernetes-int-or-string'] !== true &&
          s['x-kubernetes-preserve-unknown-fields'] !== true,
      )
      .map(([path]) => path);
    assert.deepEqual(untyped, []);
    // Every definition itself is typed, so a reference always lands on a typed schema.
    assert.deepEqual(
      Object.entries(definitions)
        .filter(([, s]) => s.type === undefined)
        .map(([n]) => n),
      [],
    );
  });

  it('describe every definition and every property', () => {
    assert.deepEqual(
      Object.entries(definitions)
        .filter(([, s]) => !(typeof s.description === 'string' && s.description.trim().length > 0))
        .map(([n]) => n),
      [],
    );
    assert.deepEqual(
      allProperties()
        .filter(([, s]) => !(typeof s.description === 'string' && s.description.trim().length > 0))
        .map(([p]) => p),
      [],
    );
  });

  it('mark every kind and list kind with its group, version and kind', () => {
    for (const kind of [...KINDS, 'Binding']) {
      const s = definitions[C + kind];
      assert.deepEqual(
        s['x-kubernetes-group-version-kind'],
        [{ group: '', version: 'v1', kind }],
        kind,
      );
      for (const p of ['apiVersion', 'kind'])
        assert.equal(s.properties?.[p]?.type, 'string', `${kind}.${p}`);
      assert.equal(refTarget(s.properties!.metadata), REF_PREFIX + M + 'ObjectMeta', kind);
    }
    for (const kind of KINDS) {
      const list = definitions[C + kind + 'List'];
      assert.deepEqual(list['x-kubernetes-group-version-kind'], [
        { group: '', version: 'v1', kind: kind + 'List' },
      ]);
      assert.deepEqual(list.required, ['items']);
      assert.equal(refTarget(list.properties!.metadata), REF_PREFIX + M + 'ListMeta');
      assert.equal(list.properties!.items.type, 'array');
      assert.equal(list.properties!.items.items?.$ref, REF_PREFIX + C + kind);
    }
    const gvks = all().flatMap(([, s]) => s['x-kubernetes-group-version-kind'] ?? []);
    const seen = new Set<string>();
    for (const g of gvks) {
      const key = `${g.group}/${g.version}/${g.kind}`;
      assert.ok(!seen.has(key), `${key} is claimed twice`);
      seen.add(key);
    }
    assert.deepEqual(metaDefinitions[M + 'Status']['x-kubernetes-group-version-kind'], [
      { group: '', version: 'v1', kind: 'Status' },
    ]);
  });

  it('declare required fields as Kubernetes does', () => {
    const req = (n: string): string[] | undefined => definitions[n].required;
    assert.deepEqual(req(C + 'Container'), ['name']);
    assert.deepEqual(req(C + 'EphemeralContainer'), ['name']);
    assert.deepEqual(req(C + 'ContainerPort'), ['containerPort']);
    assert.equal(req(C + 'Toleration'), undefined);
    assert.deepEqual(req(C + 'Taint'), ['key', 'effect']);
    assert.deepEqual(req(C + 'Volume'), ['name']);
    assert.deepEqual(req(C + 'EnvVar'), ['name']);
    assert.deepEqual(req(C + 'KeyToPath'), ['key', 'path']);
    assert.equal(req(M + 'ObjectMeta'), undefined);
    assert.equal(req(C + 'Pod'), undefined);
    assert.deepEqual(req(C + 'PodSpec'), ['containers']);
    assert.deepEqual(req(C + 'Event'), ['metadata', 'involvedObject']);
    assert.deepEqual(req(C + 'Binding'), ['target']);
    assert.deepEqual(req(C + 'ServicePort'), ['port']);
    assert.deepEqual(req(C + 'NodeSelector'), ['nodeSelectorTerms']);
    assert.deepEqual(req(C + 'PodAffinityTerm'), ['topologyKey']);
    assert.deepEqual(req(C + 'TopologySpreadConstraint'), [
      'maxSkew',
      'topologyKey',
      'whenUnsatisfiable',
    ]);
    assert.deepEqual(req(C + 'DaemonEndpoint'), ['Port']);
    assert.deepEqual(req(M + 'OwnerReference'), ['apiVersion', 'kind', 'name', 'uid']);
    assert.deepEqual(req(M + 'Condition'), [
      'type',
      'status',
      'lastTransitionTime',
      'reason',
      'message',
    ]);
    assert.deepEqual(req(M + 'WatchEvent'), ['type', 'object']);
  });

  it('give scalars their Kubernetes types and formats', () => {
    assert.deepEqual(at(C + 'Secret', 'data').additionalProperties, {
      type: 'string',
      format: 'byte',
    });
    assert.deepEqual(at(C + 'ConfigMap', 'binaryData').additionalProperties, {
      type: 'string',
      format: 'byte',
    });
    assert.deepEqual(at(C + 'ConfigMap', 'data').additionalProperties, { type: 'string' });
    assert.equal(at(C + 'ContainerPort', 'containerPort').format, 'int32');
    assert.equal(at(C + 'PodSpec', 'terminationGracePeriodSeconds').format, 'int64');
    assert.equal(at(C + 'ContainerImage', 'sizeBytes').format, 'int64');
    const created = at(M + 'ObjectMeta', 'creationTimestamp');
    assert.deepEqual([created.type, created.format], ['string', 'date-time']);
    assert.deepEqual(
      [at(C + 'Event', 'eventTime').type, at(C + 'Event', 'eventTime').format],
      ['string', 'date-time'],
    );
    const port = at(C + 'ServicePort', 'targetPort');
    assert.equal(port['x-kubernetes-int-or-string'], true);
    assert.equal(port.format, 'int-or-string');
    assert.equal(
      refTarget(at(C + 'ResourceRequirements', 'limits').additionalProperties as JSONSchemaProps),
      REF_PREFIX + 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    );
    assert.equal(
      at(M + 'ManagedFieldsEntry', 'fieldsV1')['x-kubernetes-preserve-unknown-fields'],
      true,
    );
    assert.equal(at(M + 'WatchEvent', 'object')['x-kubernetes-preserve-unknown-fields'], true);
    // A property keeps its own description over the target's.
    assert.equal(at(C + 'Pod', 'spec').description, prop(C + 'Pod', 'spec').description);
    assert.notEqual(at(C + 'Pod', 'spec').description, definitions[C + 'PodSpec'].description);
  });

  it('list the values of closed sets', () => {
    assert.deepEqual(at(C + 'PodSpec', 'restartPolicy').enum, ['Always', 'Never', 'OnFailure']);
    assert.deepEqual(at(C + 'PodSpec', 'dnsPolicy').enum, [
      'ClusterFirst',
      'ClusterFirstWithHostNet',
      'Default',
      'None',
    ]);
    assert.deepEqual(at(C + 'Container', 'imagePullPolicy').enum, [
      'Always',
      'IfNotPresent',
      'Never',
    ]);
    assert.deepEqual(at(C + 'ContainerPort', 'protocol').enum, ['SCTP', 'TCP', 'UDP']);
    assert.equal(at(C + 'ContainerPort', 'protocol').default, 'TCP');
    assert.deepEqual(at(C + 'ServiceSpec', 'type').enum, [
      'ClusterIP',
      'ExternalName',
      'LoadBalancer',
      'NodePort',
    ]);
    assert.deepEqual(at(C + 'Toleration', 'operator').enum, ['Equal', 'Exists']);
    assert.deepEqual(at(C + 'Taint', 'effect').enum, [
      'NoExecute',
      'NoSchedule',
      'PreferNoSchedule',
    ]);
    assert.deepEqual(at(C + 'PodStatus', 'phase').enum, [
      'Failed',
      'Pending',
      'Running',
      'Succeeded',
      'Unknown',
    ]);
    assert.deepEqual(at(C + 'ServiceSpec', 'ipFamilies.[]').enum, ['', 'IPv4', 'IPv6']);
    // Open sets are plain strings.
    assert.equal(at(C + 'PodCondition', 'type').enum, undefined);
    assert.equal(at(C + 'Secret', 'type').enum, undefined);
  });

  it('carry the strategic merge patch and server-side apply keys of Kubernetes', () => {
    const merge = (key: string) => ({
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': key,
    });
    const map = (...keys: string[]) => ({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': keys,
    });
    const atomic = { 'x-kubernetes-list-type': 'atomic' };
    const cases: [string, string, Record<string, unknown>][] = [
      ['PodSpec', 'containers', { ...map('name'), ...merge('name') }],
      ['PodSpec', 'initContainers', { ...map('name'), ...merge('name') }],
      ['PodSpec', 'ephemeralContainers', { ...map('name'), ...merge('name') }],
      [
        'PodSpec',
        'volumes',
        {
          ...map('name'),
          'x-kubernetes-patch-strategy': 'merge,retainKeys',
          'x-kubernetes-patch-merge-key': 'name',
        },
      ],
      ['PodSpec', 'imagePullSecrets', { ...map('name'), ...merge('name') }],
      ['PodSpec', 'hostAliases', { ...map('ip'), ...merge('ip') }],
      ['PodSpec', 'tolerations', atomic],
      ['PodSpec', 'readinessGates', atomic],
      [
        'PodSpec',
        'topologySpreadConstraints',
        { ...map('topologyKey', 'whenUnsatisfiable'), ...merge('topologyKey') },
      ],
      ['PodSpec', 'schedulingGates', { ...map('name'), ...merge('name') }],
      [
        'PodSpec',
        'resourceClaims',
        {
          ...map('name'),
          'x-kubernetes-patch-strategy': 'merge,retainKeys',
          'x-kubernetes-patch-merge-key': 'name',
        },
      ],
      ['PodSpec', 'nodeSelector', { 'x-kubernetes-map-type': 'atomic' }],
      ['Container', 'env', { ...map('name'), ...merge('name') }],
      ['Container', 'ports', { ...map('containerPort', 'protocol'), ...merge('containerPort') }],
      ['Container', 'volumeMounts', { ...map('mountPath'), ...merge('mountPath') }],
      ['Container', 'volumeDevices', { ...map('devicePath'), ...merge('devicePath') }],
      ['Container', 'envFrom', atomic],
      ['Container', 'command', atomic],
      ['Container', 'args', atomic],
      ['EphemeralContainer', 'env', { ...map('name'), ...merge('name') }],
      ['PodStatus', 'conditions', { ...map('type'), ...merge('type') }],
      ['PodStatus', 'podIPs', { ...map('ip'), ...merge('ip') }],
      ['PodStatus', 'hostIPs', { ...atomic, ...merge('ip') }],
      ['PodStatus', 'containerStatuses', atomic],
      ['NodeStatus', 'conditions', { ...map('type'), ...merge('type') }],
      ['NodeStatus', 'addresses', { ...map('type'), ...merge('type') }],
      ['NodeStatus', 'images', atomic],
      ['NodeSpec', 'taints', atomic],
      [
        'NodeSpec',
        'podCIDRs',
        { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      ],
      ['NamespaceStatus', 'conditions', { ...map('type'), ...merge('type') }],
      ['NodeSelector', 'nodeSelectorTerms', atomic],
      ['NodeSelectorTerm', 'matchExpressions', atomic],
      ['NodeSelectorTerm', 'matchFields', atomic],
      ['ServiceSpec', 'ports', { ...map('port', 'protocol'), ...merge('port') }],
      ['ServiceSpec', 'selector', { 'x-kubernetes-map-type': 'atomic' }],
      ['ServiceSpec', 'ipFamilies', atomic],
      ['ServiceStatus', 'conditions', { ...map('type'), ...merge('type') }],
      ['ServiceAccount', 'secrets', { ...map('name'), ...merge('name') }],
      ['ServiceAccount', 'imagePullSecrets', atomic],
      ['Endpoints', 'subsets', atomic],
      ['ResourceRequirements', 'claims', map('name')],
      ['PodSecurityContext', 'sysctls', atomic],
    ];
    for (const [definition, field, expected] of cases) {
      assert.deepEqual(mergeInfo(C + definition, field), expected, `${definition}.${field}`);
    }
    const meta: [string, string, Record<string, unknown>][] = [
      [
        'ObjectMeta',
        'finalizers',
        { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      ],
      ['ObjectMeta', 'ownerReferences', { ...map('uid'), ...merge('uid') }],
      ['ObjectMeta', 'managedFields', atomic],
      ['ObjectMeta', 'labels', {}],
      ['LabelSelector', 'matchExpressions', atomic],
    ];
    for (const [definition, field, expected] of meta) {
      assert.deepEqual(mergeInfo(M + definition, field), expected, `${definition}.${field}`);
    }
  });

  it('mark as atomic the structs Kubernetes marks atomic, and only those', () => {
    const atomic = Object.entries(definitions)
      .filter(([, s]) => s['x-kubernetes-map-type'] === 'atomic')
      .map(([n]) => n.slice(n.lastIndexOf('.') + 1))
      .sort();
    assert.deepEqual(atomic, [
      'ConfigMapKeySelector',
      'EndpointAddress',
      'EndpointPort',
      'LabelSelector',
      'LocalObjectReference',
      'NodeSelector',
      'NodeSelectorTerm',
      'ObjectFieldSelector',
      'ObjectReference',
      'OwnerReference',
      'ResourceFieldSelector',
      'SecretKeySelector',
      'TypedLocalObjectReference',
    ]);
  });

  it('know every field of objects written against the TypeScript interfaces', () => {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true },
        ],
        finalizers: ['example.com/x'],
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': {} },
          },
        ],
      },
      spec: {
        initContainers: [{ name: 'sidecar', image: 'proxy', restartPolicy: 'Always' }],
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            command: ['nginx'],
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'KEY', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
              {
                name: 'CPU',
                valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } },
              },
            ],
            envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            readinessProbe: { tcpSocket: { port: 80 } },
            startupProbe: { grpc: { port: 9000 } },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
            securityContext: {
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        ],
        volumes: [
          { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
          {
            name: 'cfg',
            configMap: { name: 'cm', items: [{ key: 'a', path: 'a.conf', mode: 0o644 }] },
          },
          {
            name: 'token',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                {
                  downwardAPI: {
                    items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
                  },
                },
              ],
            },
          },
          { name: 'img', image: { reference: 'registry/artifact:1', pullPolicy: 'IfNotPresent' } },
          {
            name: 'scratch',
            ephemeral: {
              volumeClaimTemplate: {
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: '1Gi' } },
                },
              },
            },
          },
        ],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              ],
            },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: { matchLabels: { app: 'web' } },
                },
              },
            ],
          },
        },
        tolerations: [
          { key: 'edge', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' },
        ],
        securityContext: { fsGroup: 2000, sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] },
        hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
        dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
        schedulingGates: [{ name: 'wait' }],
        os: { name: 'linux' },
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
        podIPs: [{ ip: '10.1.0.5' }],
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            restartCount: 0,
            image: 'nginx:1.27',
            imageID: 'sha256:abc',
            state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
        qosClass: 'Burstable',
      },
    };
    const service: Service = {
      metadata: { name: 'web' },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }],
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      },
      status: {
        loadBalancer: { ingress: [{ ip: '1.2.3.4', ports: [{ port: 80, protocol: 'TCP' }] }] },
      },
    };
    const secret: Secret = {
      metadata: { name: 's' },
      type: 'Opaque',
      data: { k: 'dg==' },
      stringData: { x: 'y' },
    };
    assert.deepEqual(unknownFields(pod, { $ref: REF_PREFIX + C + 'Pod' }, 'pod'), []);
    assert.deepEqual(unknownFields(service, { $ref: REF_PREFIX + C + 'Service' }, 'service'), []);
    assert.deepEqual(unknownFields(secret, { $ref: REF_PREFIX + C + 'Secret' }, 'secret'), []);
    // The walker does report what the schema lacks.
    assert.deepEqual(
      unknownFields(
        { metadata: {}, spec: { containers: [{ name: 'a', imagePullPolicyy: 'Always' }] } },
        { $ref: REF_PREFIX + C + 'Pod' },
        'pod',
      ),
      ['pod.spec.containers[0].imagePullPolicyy'],
    );
  });
});

/** Field names in `value` that its schema does not know, as strict field validation finds them. */
function unknownFields(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
): string[] {
  const s = resolver.resolve(schema);
  if (s === undefined) return [`${path} (no schema)`];
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value))
    return value.flatMap((v, i) => unknownFields(v, s.items, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const field =
      s.properties?.[k] ??
      (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (field === undefined) out.push(`${path}.${k}`);
    else out.push(...unknownFields(v, field, `${path}.${k}`));
  }
  return out;
}
