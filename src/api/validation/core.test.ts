import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind } from '../schema.ts';
import { problems, service, SERVICE, type Loose } from './test-support.ts';

const v1 = (kind: string): GroupVersionKind => ({ group: '', version: 'v1', kind });
const CONFIGMAP = v1('ConfigMap');
const SECRET = v1('Secret');
const NAMESPACE = v1('Namespace');
const NODE = v1('Node');
const ENDPOINTS = v1('Endpoints');
const EVENT = v1('Event');
const SERVICEACCOUNT = v1('ServiceAccount');
const PODTEMPLATE = v1('PodTemplate');
const EVENTS_V1: GroupVersionKind = { group: 'events.k8s.io', version: 'v1', kind: 'Event' };
const LEASE: GroupVersionKind = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' };

const RANGE = 'must be between 1 and 65535, inclusive';
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Case = [name: string, obj: Loose, expected: string[]];

function table(title: string, gvk: GroupVersionKind, cases: Case[]): void {
  describe(title, () => {
    for (const [name, obj, expected] of cases)
      it(name, () => assert.deepEqual(problems(gvk, obj), expected));
  });
}

const named = (kind: string, rest: Loose = {}, meta: Loose = {}): Loose => ({
  apiVersion: 'v1',
  kind,
  metadata: { name: 'x', namespace: 'default', ...meta },
  ...rest,
});

table('Service', SERVICE, [
  ['a valid service', service(), []],
  [
    'a name starting with a digit',
    { ...service(), metadata: { name: '1web', namespace: 'default' } },
    [
      "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
  ['no ports', service({ ports: [] }), ['spec.ports: Required value']],
  ['a headless service without ports', service({ ports: [], clusterIP: 'None' }), []],
  [
    'an ExternalName service',
    service({ type: 'ExternalName', externalName: 'db.example.com.', ports: [] }),
    [],
  ],
  [
    'an ExternalName service without a name',
    service({ type: 'ExternalName', ports: [] }),
    ['spec.externalName: Required value'],
  ],
  [
    'several ports without names',
    service({ ports: [{ port: 80 }, { port: 443 }] }),
    ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
  ],
  [
    'duplicate port names',
    service({
      ports: [
        { name: 'http', port: 80 },
        { name: 'http', port: 8080 },
      ],
    }),
    ['spec.ports[1].name: Duplicate value: "http"'],
  ],
  [
    'the same port twice',
    service({
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 80 },
      ],
    }),
    [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  ],
  [
    'the same port on two protocols',
    service({
      ports: [
        { name: 'a', port: 53 },
        { name: 'b', port: 53, protocol: 'UDP' },
      ],
    }),
    [],
  ],
  [
    'port 0',
    service({ ports: [{ port: 0 }] }),
    [
      `spec.ports[0].port: Invalid value: 0: ${RANGE}`,
      `spec.ports[0].targetPort: Invalid value: 0: ${RANGE}`,
    ],
  ],
  ['a named target port', service({ ports: [{ port: 80, targetPort: 'http' }] }), []],
  [
    'an unknown protocol',
    service({ ports: [{ port: 80, protocol: 'HTTP' }] }),
    ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  ],
  [
    'an unknown type',
    service({ type: 'Internal' }),
    [
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
  ],
  [
    'a node port on a ClusterIP service',
    service({ ports: [{ port: 80, nodePort: 30080 }] }),
    ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ],
  [
    'a node port on a NodePort service',
    service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    [],
  ],
  [
    'the same node port twice',
    service({
      type: 'NodePort',
      ports: [
        { name: 'a', port: 80, nodePort: 30080 },
        { name: 'b', port: 81, nodePort: 30080 },
      ],
    }),
    ['spec.ports[1].nodePort: Duplicate value: 30080'],
  ],
  [
    'a bad selector',
    service({ selector: { app: '-web' } }),
    [`spec.selector: Invalid value: "-web": ${VALUE_MSG}`],
  ],
  [
    'an unknown session affinity',
    service({ sessionAffinity: 'Sticky' }),
    ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
  ],
  ['ClientIP affinity', service({ sessionAffinity: 'ClientIP' }), []],
  [
    'a zero ClientIP timeout',
    service({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
    }),
    [
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
    ],
  ],
  ['an allocated cluster IP', service({ clusterIP: '10.96.0.10' }), []],
  [
    'a bad cluster IP',
    service({ clusterIP: 'abc' }),
    [`spec.clusterIPs[0]: Invalid value: "abc": ${IP_MSG}`],
  ],
  [
    'clusterIP and clusterIPs that disagree',
    service({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'] }),
    ['spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`'],
  ],
  [
    'two IPv4 cluster IPs',
    service({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', '10.0.0.2'] }),
    [
      'spec.clusterIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family',
    ],
  ],
  [
    'a dual-stack pair',
    service({
      clusterIP: '10.0.0.1',
      clusterIPs: ['10.0.0.1', 'fd00::1'],
      ipFamilyPolicy: 'RequireDualStack',
    }),
    [],
  ],
  [
    'an IP of the wrong family',
    service({ clusterIP: '10.0.0.1', ipFamilies: ['IPv6'] }),
    [
      'spec.clusterIPs[0]: Invalid value: "10.0.0.1": expected an IPv6 value as indicated by `ipFamilies[0]`',
    ],
  ],
  [
    'a headless NodePort service',
    service({ type: 'NodePort', clusterIP: 'None' }),
    ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services'],
  ],
  [
    'a local LoadBalancer without health check port',
    service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }),
    ['spec.healthCheckNodePort: Required value'],
  ],
  [
    'a local LoadBalancer with its health check port',
    service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }),
    [],
  ],
  [
    'an external traffic policy on an internal service',
    service({ externalTrafficPolicy: 'Local' }),
    [
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ],
  ],
  [
    'source ranges on a ClusterIP service',
    service({ loadBalancerSourceRanges: ['10.0.0.0/8'] }),
    ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  ],
  [
    'a bad source range',
    service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'] }),
    [`spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": ${CIDR_MSG}`],
  ],
  [
    'a loopback external IP',
    service({ externalIPs: ['127.0.0.1'] }),
    [
      'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ],
  ],
  [
    'an unknown internal traffic policy',
    service({ internalTrafficPolicy: 'Nearby' }),
    [
      'spec.internalTrafficPolicy: Unsupported value: "Nearby": supported values: "Cluster", "Local"',
    ],
  ],
  [
    'a load balancer class on a ClusterIP service',
    service({ loadBalancerClass: 'example.com/lb' }),
    ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  ],
]);

describe('Service updates', () => {
  const old = service({ clusterIP: '10.0.0.1' });
  it('keep the cluster IP', () =>
    assert.deepEqual(
      problems(SERVICE, service({ clusterIP: '10.0.0.1', ports: [{ port: 81 }] }), old),
      [],
    ));
  it('may not change the cluster IP', () => {
    assert.deepEqual(problems(SERVICE, service({ clusterIP: '10.0.0.2' }), old), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.0.0.2"}: may not change once set',
    ]);
  });
  it('may not drop the cluster IP (the API layer carries it over before validating)', () => {
    assert.deepEqual(problems(SERVICE, service(), old), [
      'spec.clusterIPs[0]: Invalid value: []string(nil): primary clusterIP can not be unset',
      'spec.ipFamilies[0]: Invalid value: []core.IPFamily(nil): primary ipFamily can not be unset',
    ]);
  });
  it('may not change the health check port', () => {
    const lb = (port: number): Loose =>
      service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: port });
    assert.deepEqual(problems(SERVICE, lb(31001), lb(31000)), [
      'spec.healthCheckNodePort: Forbidden: field is immutable',
    ]);
  });
});

const big = 'x'.repeat(1024 * 1024);

table('ConfigMap', CONFIGMAP, [
  [
    'a valid config map',
    named('ConfigMap', { data: { 'app.conf': 'x' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' } }),
    [],
  ],
  [
    'a bad key',
    named('ConfigMap', { data: { 'a b': 'x' } }),
    [`data[a b]: Invalid value: "a b": ${CONFIG_KEY_MSG}`],
  ],
  [
    'a key in both data and binaryData',
    named('ConfigMap', { data: { k: 'x' }, binaryData: { k: 'eA==' } }),
    ['data[k]: Invalid value: "k": duplicate of key present in binaryData'],
  ],
  [
    'binary data that is not base64',
    named('ConfigMap', { binaryData: { b: '!!' } }),
    ['binaryData[b]: Invalid value: "!!": illegal base64 data at input byte 0'],
  ],
  ['exactly 1 MiB', named('ConfigMap', { data: { a: big } }), []],
  [
    'over 1 MiB',
    named('ConfigMap', { data: { a: big, b: 'x' } }),
    ['[]: Too long: may not be more than 1048576 bytes'],
  ],
]);

describe('ConfigMap updates', () => {
  const old = named('ConfigMap', { immutable: true, data: { a: '1' } });
  it('may not change data once immutable', () => {
    assert.deepEqual(
      problems(CONFIGMAP, named('ConfigMap', { immutable: true, data: { a: '2' } }), old),
      ['data: Forbidden: field is immutable when `immutable` is set'],
    );
  });
  it('may not unset immutable', () => {
    assert.deepEqual(problems(CONFIGMAP, named('ConfigMap', { data: { a: '1' } }), old), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
  it('may change labels of an immutable config map', () => {
    assert.deepEqual(
      problems(
        CONFIGMAP,
        named('ConfigMap', { immutable: true, data: { a: '1' } }, { labels: { a: 'b' } }),
        old,
      ),
      [],
    );
  });
  it('may change data while mutable', () => {
    assert.deepEqual(
      problems(
        CONFIGMAP,
        named('ConfigMap', { data: { a: '2' } }),
        named('ConfigMap', { data: { a: '1' } }),
      ),
      [],
    );
  });
});

table('Secret', SECRET, [
  ['a valid secret', named('Secret', { data: { password: 'c2VjcmV0' } }), []],
  ['string data', named('Secret', { stringData: { password: 'secret' } }), []],
  [
    'data that is not base64',
    named('Secret', { data: { password: 'not base64!' } }),
    [
      'data[password]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3',
    ],
  ],
  [
    'a bad key',
    named('Secret', { stringData: { 'a/b': 'x' } }),
    [`data[a/b]: Invalid value: "a/b": ${CONFIG_KEY_MSG}`],
  ],
  [
    'a TLS secret without its keys',
    named('Secret', { type: 'kubernetes.io/tls', data: {} }),
    ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
  ],
  [
    'a TLS secret',
    named('Secret', { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } }),
    [],
  ],
  [
    'a docker config that is not a JSON object',
    named('Secret', {
      type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': '[]' },
    }),
    [
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    ],
  ],
  [
    'a service account token without its account',
    named('Secret', { type: 'kubernetes.io/service-account-token' }),
    ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
  ],
  [
    'basic auth without username or password',
    named('Secret', { type: 'kubernetes.io/basic-auth', data: {} }),
    ['data[username]: Required value', 'data[password]: Required value'],
  ],
  [
    'over 1 MiB',
    named('Secret', { stringData: { a: big, b: 'x' } }),
    ['data: Too long: may not be more than 1048576 bytes'],
  ],
]);

describe('Secret updates', () => {
  it('may not change type', () => {
    assert.deepEqual(
      problems(SECRET, named('Secret', { type: 'example.com/x' }), named('Secret', {})),
      ['type: Invalid value: "example.com/x": field is immutable'],
    );
  });
  it('may not change data once immutable', () => {
    const old = named('Secret', { immutable: true, data: { a: 'MQ==' } });
    assert.deepEqual(
      problems(SECRET, named('Secret', { immutable: true, stringData: { a: '2' } }), old),
      ['data: Forbidden: field is immutable when `immutable` is set'],
    );
    assert.deepEqual(
      problems(SECRET, named('Secret', { immutable: true, stringData: { a: '1' } }), old),
      [],
    );
  });
});

table('Namespace', NAMESPACE, [
  ['a valid namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }, []],
  [
    'a dotted name',
    { metadata: { name: 'a.b' } },
    ['metadata.name: Invalid value: "a.b": must not contain dots'],
  ],
  [
    'a namespace of its own',
    { metadata: { name: 'a', namespace: 'b' } },
    ['metadata.namespace: Forbidden: not allowed on this type'],
  ],
  [
    'a non-standard finalizer',
    { metadata: { name: 'a' }, spec: { finalizers: ['foo'] } },
    [
      'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ],
  ],
  [
    'a non-standard metadata finalizer',
    { metadata: { name: 'a', finalizers: ['foo', 'example.com/ok', 'kubernetes'] } },
    [
      'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ],
  ],
]);

table('Node', NODE, [
  [
    'a valid node',
    {
      metadata: { name: 'edge-1' },
      spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'k', effect: 'NoSchedule' }] },
    },
    [],
  ],
  [
    'a taint without effect',
    { metadata: { name: 'n' }, spec: { taints: [{ key: 'k' }] } },
    ['metadata.taints[0].effect: Required value'],
  ],
  [
    'a taint with a bad value',
    { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', value: '-v', effect: 'NoExecute' }] } },
    [`metadata.taints[0].value: Invalid value: "-v": ${VALUE_MSG}`],
  ],
  [
    'the same key and effect twice',
    {
      metadata: { name: 'n' },
      spec: {
        taints: [
          { key: 'k', effect: 'NoSchedule' },
          { key: 'k', value: 'x', effect: 'NoSchedule' },
          { key: 'k', effect: 'NoExecute' },
        ],
      },
    },
    [
      'metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"x", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
    ],
  ],
  [
    'a bad pod CIDR',
    { metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.0/33' } },
    [`spec.podCIDRs[0]: Invalid value: "10.0.0.0/33": ${CIDR_MSG}`],
  ],
  [
    'two IPv4 pod CIDRs',
    { metadata: { name: 'n' }, spec: { podCIDRs: ['10.0.0.0/24', '10.1.0.0/24'] } },
    [
      'spec.podCIDRs: Invalid value: []string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one CIDR for each IP family',
    ],
  ],
  [
    'a negative capacity',
    { metadata: { name: 'n' }, status: { capacity: { cpu: '-1' }, allocatable: { cpu: '1' } } },
    ['status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0'],
  ],
]);

describe('Node updates', () => {
  const old = { metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.0/24' } };
  it('may not change the pod CIDR', () => {
    assert.deepEqual(
      problems(NODE, { metadata: { name: 'n' }, spec: { podCIDR: '10.0.1.0/24' } }, old),
      ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'],
    );
  });
  it('may set the pod CIDR once', () => {
    assert.deepEqual(problems(NODE, old, { metadata: { name: 'n' } }), []);
  });
  it('may not list an address twice', () => {
    const addr = { type: 'InternalIP', address: '10.0.0.5' };
    assert.deepEqual(problems(NODE, { ...old, status: { addresses: [addr, addr] } }, old), [
      'status.addresses[1]: Duplicate value: core.NodeAddress{Type:"InternalIP", Address:"10.0.0.5"}',
    ]);
  });
});

table('Endpoints', ENDPOINTS, [
  [
    'valid endpoints',
    named('Endpoints', { subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 80 }] }] }),
    [],
  ],
  [
    'a subset without addresses',
    named('Endpoints', { subsets: [{ ports: [{ port: 80 }] }] }),
    ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'],
  ],
  [
    'a bad address',
    named('Endpoints', { subsets: [{ addresses: [{ ip: 'x' }] }] }),
    [
      `subsets[0].addresses[0].ip: Invalid value: "x": ${IP_MSG}`,
      'subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address',
    ],
  ],
  [
    'a link-local address',
    named('Endpoints', { subsets: [{ notReadyAddresses: [{ ip: '169.254.1.1' }] }] }),
    [
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ],
  ],
  [
    'several unnamed ports',
    named('Endpoints', {
      subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 80 }, { port: 81 }] }],
    }),
    ['subsets[0].ports[0].name: Required value', 'subsets[0].ports[1].name: Required value'],
  ],
]);

table('ServiceAccount', SERVICEACCOUNT, [
  ['a valid service account', named('ServiceAccount'), []],
  ['a missing namespace', { metadata: { name: 'sa' } }, ['metadata.namespace: Required value']],
]);

table('PodTemplate', PODTEMPLATE, [
  [
    'a valid template',
    named('PodTemplate', { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } }),
    [],
  ],
  [
    'a template container without image',
    named('PodTemplate', { template: { spec: { containers: [{ name: 'a' }] } } }),
    ['template.spec.containers[0].image: Required value'],
  ],
]);

table('core/v1 Event', EVENT, [
  [
    'an old-style event',
    named(
      'Event',
      { involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started' },
      { name: 'web.17a' },
    ),
    [],
  ],
  [
    'an event about another namespace',
    named('Event', { involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } }),
    ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  ],
  [
    'a name with a slash',
    named('Event', { involvedObject: { namespace: 'default' } }, { name: 'a/b' }),
    ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
  ],
  [
    'a new-style event without reporting fields',
    named('Event', {
      involvedObject: { namespace: 'default' },
      eventTime: '2024-05-01T10:00:00.000000Z',
    }),
    [
      'reportingComponent: Required value',
      'reportingComponent: Invalid value: "": name part must be non-empty',
      "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ],
  ],
]);

const eventsV1 = (rest: Loose = {}): Loose => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'web.17a', namespace: 'default' },
  eventTime: '2024-05-01T10:00:00.000000Z',
  reportingController: 'example.com/controller',
  reportingInstance: 'controller-1',
  action: 'Create',
  reason: 'Created',
  type: 'Normal',
  regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
  ...rest,
});

table('events.k8s.io/v1 Event', EVENTS_V1, [
  ['a valid event', eventsV1(), []],
  ['no eventTime', eventsV1({ eventTime: undefined }), ['eventTime: Required value']],
  [
    'an unknown type',
    eventsV1({ type: 'Info' }),
    ['type: Invalid value: "": has invalid value: Info'],
  ],
  [
    'a deprecated count',
    eventsV1({ deprecatedCount: 3 }),
    ['count: Invalid value: "": needs to be unset'],
  ],
  [
    'a short series',
    eventsV1({ series: { count: 1, lastObservedTime: '2024-05-01T10:00:00.000000Z' } }),
    ['series.count: Invalid value: "": should be at least 2'],
  ],
  [
    'a long reason',
    eventsV1({ reason: 'x'.repeat(129) }),
    ['reason: Invalid value: "": can have at most 128 characters'],
  ],
  [
    'a long note',
    eventsV1({ note: 'x'.repeat(1025) }),
    ['message: Invalid value: "": can have at most 1024 characters'],
  ],
]);

describe('events.k8s.io/v1 Event updates', () => {
  it('may add to a series but not change the note', () => {
    assert.deepEqual(
      problems(
        EVENTS_V1,
        eventsV1({ series: { count: 2, lastObservedTime: '2024-05-01T10:01:00Z' } }),
        eventsV1(),
      ),
      [],
    );
    assert.deepEqual(problems(EVENTS_V1, eventsV1({ note: 'new' }), eventsV1({ note: 'old' })), [
      'message: Invalid value: "new": field is immutable',
    ]);
  });
});

const lease = (spec: Loose): Loose => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'node-1', namespace: 'kube-node-lease' },
  spec,
});

table('Lease', LEASE, [
  ['a valid lease', lease({ holderIdentity: 'node-1', leaseDurationSeconds: 40 }), []],
  [
    'a zero duration',
    lease({ leaseDurationSeconds: 0 }),
    ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
  ],
  [
    'negative transitions',
    lease({ leaseTransitions: -1 }),
    ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'a preferred holder without strategy',
    lease({ preferredHolder: 'x' }),
    ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined'],
  ],
]);
