import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { SchemaResolver } from '../schema.ts';
import {
  decodeProtobufMessage,
  decodeProtobufObject,
  isProtobufContentType,
  type ProtobufDecodeOptions,
} from './decode.ts';
import {
  bool,
  bytes,
  concat,
  double,
  END_GROUP,
  entry,
  envelope,
  FIXED64,
  fixed32,
  int,
  LEN,
  msg,
  packed,
  START_GROUP,
  str,
  stringMap,
  tag,
  timestamp,
  varint,
  VARINT,
  type Part,
} from './test-encoder.ts';

const resolver = new SchemaResolver(builtinDefinitions);

function decode(apiVersion: string, kind: string, ...fields: Part[]): Record<string, unknown> {
  return decodeProtobufObject(envelope(apiVersion, kind, concat(...fields)), resolver);
}

/** Asserts that decoding throws InvalidError with reason BadRequest and a message matching `re`. */
function rejects(body: Uint8Array, re: RegExp, options?: ProtobufDecodeOptions): void {
  assert.throws(
    () => decodeProtobufObject(body, resolver, options),
    (err: unknown) => {
      assert.ok(isInvalid(err), `want InvalidError, got ${String(err)}`);
      assert.equal(err.details.reason, 'BadRequest');
      assert.match(err.message, re);
      return true;
    },
  );
}

/** ObjectMeta{name} as Go writes it: every non-pointer scalar present, creationTimestamp empty. */
function meta(num: number, name: string, ...extra: Part[]): Part {
  return msg(
    num,
    str(1, name),
    str(2, ''),
    str(3, ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    int(7, 0),
    msg(8),
    ...extra,
  );
}

describe('isProtobufContentType', () => {
  it('recognizes the media type with or without parameters, in any case', () => {
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isProtobufContentType('Application/VND.Kubernetes.Protobuf; charset=x'), true);
    assert.equal(isProtobufContentType(' application/vnd.kubernetes.protobuf ;stream=watch'), true);
    assert.equal(isProtobufContentType('application/json'), false);
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf+json'), false);
    assert.equal(isProtobufContentType(''), false);
    assert.equal(isProtobufContentType(undefined), false);
  });
});

describe('decodeProtobufObject: core kinds', () => {
  it('ConfigMap with data, binaryData and immutable', () => {
    const obj = decode(
      'v1',
      'ConfigMap',
      meta(1, 'cm', stringMap(11, { app: 'web' })),
      stringMap(2, { a: 'b', empty: '' }),
      entry(3, 'bin', bytes(2, [0xff, 0x00, 0x01])),
      entry(3, 'none', bytes(2, [])),
      bool(4, true),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', creationTimestamp: null, labels: { app: 'web' } },
      data: { a: 'b', empty: '' },
      binaryData: { bin: '/wAB', none: '' },
      immutable: true,
    });
  });

  it('Secret with bytes data, stringData and type', () => {
    const obj = decode(
      'v1',
      'Secret',
      meta(1, 's'),
      entry(2, 'password', bytes(2, new TextEncoder().encode('hunter2'))),
      entry(2, 'missing'),
      str(3, 'Opaque'),
      stringMap(4, { token: 'abc' }),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', creationTimestamp: null },
      data: { password: 'aHVudGVyMg==', missing: '' },
      type: 'Opaque',
      stringData: { token: 'abc' },
    });
  });

  it('Namespace with finalizers and a present-but-empty phase', () => {
    const obj = decode(
      'v1',
      'Namespace',
      meta(1, 'team-a'),
      msg(2, str(1, 'kubernetes')),
      msg(3, str(1, '')),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', creationTimestamp: null },
      spec: { finalizers: ['kubernetes'] },
      status: {},
    });
  });

  it('ServiceAccount keeps a false automountServiceAccountToken (a pointer)', () => {
    const obj = decode(
      'v1',
      'ServiceAccount',
      meta(1, 'builder'),
      msg(2, str(1, 'Secret'), str(3, 'builder-token'), str(2, '')),
      msg(3, str(1, 'registry')),
      bool(4, false),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', creationTimestamp: null },
      secrets: [{ kind: 'Secret', name: 'builder-token' }],
      imagePullSecrets: [{ name: 'registry' }],
      automountServiceAccountToken: false,
    });
  });

  it('Pod with creationTimestamp, deletionTimestamp, volumes and a security context', () => {
    const obj = decode(
      'v1',
      'Pod',
      msg(
        1,
        str(1, 'p'),
        str(3, 'default'),
        timestamp(8, 1700000000, 999_999_999),
        timestamp(9, 0),
        int(10, 30),
        msg(
          13,
          str(1, 'ReplicaSet'),
          str(3, 'rs'),
          str(4, 'u-1'),
          str(5, 'apps/v1'),
          bool(6, true),
        ),
      ),
      msg(
        2,
        // Volume: name, then the inlined VolumeSource (field 2) holding emptyDir and configMap.
        msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '64Mi'))))),
        msg(
          1,
          str(1, 'conf'),
          msg(2, msg(19, msg(1, str(1, 'app-config')), int(3, 0o644), bool(4, false))),
        ),
        msg(2, str(1, 'app'), str(2, 'busybox')),
        int(4, 0),
        msg(14, int(2, 1000), int(4, 1), int(4, 2), packed(4, [3, 4]), int(5, 0)),
        int(25, -5),
      ),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'default',
        creationTimestamp: '2023-11-14T22:13:20Z',
        deletionTimestamp: '1970-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 30,
        ownerReferences: [
          { kind: 'ReplicaSet', name: 'rs', uid: 'u-1', apiVersion: 'apps/v1', controller: true },
        ],
      },
      spec: {
        volumes: [
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'conf', configMap: { name: 'app-config', defaultMode: 420, optional: false } },
        ],
        containers: [{ name: 'app', image: 'busybox' }],
        terminationGracePeriodSeconds: 0,
        securityContext: { runAsUser: 1000, supplementalGroups: [1, 2, 3, 4], fsGroup: 0 },
        priority: -5,
      },
    });
  });

  it('an empty Time is null, and only the zero Go time is null among non-empty ones', () => {
    const obj = decode('v1', 'Pod', msg(1, msg(8), timestamp(9, -62135596800)));
    assert.deepEqual(obj.metadata, { creationTimestamp: null, deletionTimestamp: null });
    const year1 = decode('v1', 'Pod', msg(1, timestamp(8, -62135596799)));
    assert.deepEqual(year1.metadata, { creationTimestamp: '0001-01-01T00:00:01Z' });
  });

  it('DeleteOptions in any served group version', () => {
    const obj = decode(
      'apps/v1',
      'DeleteOptions',
      int(1, 0),
      msg(2, str(1, 'uid-1'), str(2, '')),
      str(4, 'Foreground'),
      str(5, 'All'),
    );
    assert.deepEqual(obj, {
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1', resourceVersion: '' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });
});

describe('decodeProtobufObject: Deployment', () => {
  const container = msg(
    2,
    str(1, 'web'),
    str(2, 'nginx:1.27'),
    str(3, 'nginx'),
    str(4, '-g'),
    str(4, 'daemon off;'),
    msg(6, str(1, 'http'), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, '')),
    msg(6, str(1, ''), int(3, 0), str(4, 'UDP')),
    msg(7, str(1, 'MODE'), str(2, 'prod')),
    msg(7, str(1, 'EMPTY'), str(2, '')),
    msg(7, str(1, 'CM'), msg(3, msg(3, msg(1, str(1, 'settings')), str(2, 'level')))),
    msg(
      8,
      entry(1, 'cpu', msg(2, str(1, '500m'))),
      entry(1, 'memory', msg(2, str(1, '128Mi'))),
      entry(2, 'cpu', msg(2)),
    ),
    // livenessProbe: inlined ProbeHandler (field 1) with httpGet on a named port.
    msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, int(1, 1), str(3, 'http')))), int(2, 5)),
    // readinessProbe: tcpSocket on a numeric port, and a present zero initialDelaySeconds.
    msg(11, msg(1, msg(3, msg(1, int(1, 0), int(2, 8080)))), int(2, 0), int(4, 10)),
    str(14, 'IfNotPresent'),
    bool(16, false),
  );

  it('decodes replicas, selector, strategy and a pod template as Go would marshal it', () => {
    const obj = decode(
      'apps/v1',
      'Deployment',
      meta(1, 'web', stringMap(11, { app: 'web' })),
      msg(
        2,
        int(1, 0),
        msg(2, stringMap(1, { app: 'web' }), msg(2, str(1, 'tier'), str(2, 'In'), str(3, 'fe'))),
        msg(3, meta(1, '', stringMap(11, { app: 'web' })), msg(2, container, str(3, 'Always'))),
        msg(
          4,
          str(1, 'RollingUpdate'),
          msg(2, msg(1, int(1, 1), str(3, '25%')), msg(2, int(2, 1))),
        ),
        int(5, 0),
        int(6, 10),
        bool(7, false),
      ),
      msg(3),
    );
    assert.deepEqual(obj, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }],
        },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                command: ['nginx'],
                args: ['-g', 'daemon off;'],
                ports: [
                  { name: 'http', containerPort: 80, protocol: 'TCP' },
                  { containerPort: 0, protocol: 'UDP' },
                ],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'EMPTY' },
                  {
                    name: 'CM',
                    valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } },
                  },
                ],
                resources: {
                  limits: { cpu: '500m', memory: '128Mi' },
                  requests: { cpu: '0' },
                },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'http' },
                  initialDelaySeconds: 5,
                },
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
          },
        },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 },
        },
        revisionHistoryLimit: 10,
      },
      status: {},
    });
  });

  it('merges a message field that occurs twice, and the last scalar wins', () => {
    const obj = decode(
      'apps/v1',
      'Deployment',
      msg(1, str(1, 'first'), stringMap(11, { a: '1' })),
      msg(1, str(1, 'second'), stringMap(11, { b: '2' })),
      msg(2, int(1, 1)),
      msg(2, int(1, 3)),
    );
    assert.deepEqual(obj.metadata, { name: 'second', labels: { a: '1', b: '2' } });
    assert.deepEqual(obj.spec, { replicas: 3 });
  });
});

describe('decodeProtobufObject: other groups', () => {
  it('events.k8s.io Event with MicroTime (truncated to microseconds) and series', () => {
    const obj = decode(
      'events.k8s.io/v1',
      'Event',
      msg(1, str(1, 'ev'), str(3, 'default')),
      timestamp(2, 1700000000, 123_456_789),
      msg(3, int(1, 2), timestamp(2, 1700000001, 0)),
      str(4, 'verge.io/scheduler'),
      str(5, 'sched-1'),
      str(6, 'Binding'),
      str(7, 'Scheduled'),
      msg(8, str(1, 'Pod'), str(2, 'default'), str(3, 'p'), str(5, 'v1')),
      str(10, 'assigned'),
      str(11, 'Normal'),
      msg(12, str(1, ''), str(2, '')),
      msg(13),
      msg(14),
      int(15, 0),
    );
    assert.deepEqual(obj, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ev', namespace: 'default' },
      eventTime: '2023-11-14T22:13:20.123456Z',
      series: { count: 2, lastObservedTime: '2023-11-14T22:13:21.000000Z' },
      reportingController: 'verge.io/scheduler',
      reportingInstance: 'sched-1',
      action: 'Binding',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', namespace: 'default', name: 'p', apiVersion: 'v1' },
      note: 'assigned',
      type: 'Normal',
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  it('SelfSubjectAccessReview with resourceAttributes and selectors', () => {
    const obj = decode(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      msg(1, msg(8)),
      msg(
        2,
        msg(
          1,
          str(1, 'default'),
          str(2, 'list'),
          str(3, 'apps'),
          str(4, ''),
          str(5, 'deployments'),
          str(6, ''),
          str(7, ''),
          msg(8, str(1, 'metadata.name=web')),
          msg(9, msg(2, str(1, 'app'), str(2, 'Exists'))),
        ),
      ),
      msg(3, bool(1, false), str(2, ''), str(3, ''), bool(4, false)),
    );
    assert.deepEqual(obj, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: 'default',
          verb: 'list',
          group: 'apps',
          resource: 'deployments',
          fieldSelector: { rawSelector: 'metadata.name=web' },
          labelSelector: { requirements: [{ key: 'app', operator: 'Exists' }] },
        },
      },
      status: { allowed: false },
    });
  });

  it('SelfSubjectAccessReview with nonResourceAttributes', () => {
    const obj = decode(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      msg(2, msg(2, str(1, '/healthz'), str(2, 'get'))),
    );
    assert.deepEqual(obj.spec, { nonResourceAttributes: { path: '/healthz', verb: 'get' } });
  });

  it('SelfSubjectReview with user info whose extra values are wrapped lists', () => {
    const obj = decode(
      'authentication.k8s.io/v1',
      'SelfSubjectReview',
      msg(1, msg(8)),
      msg(
        2,
        msg(
          1,
          str(1, 'alice'),
          str(2, 'u-1'),
          str(3, 'devs'),
          str(3, 'system:authenticated'),
          entry(4, 'scopes', msg(2, str(1, 'read'), str(1, 'write'))),
          entry(4, 'none'),
        ),
      ),
    );
    assert.deepEqual(obj, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: {
        userInfo: {
          username: 'alice',
          uid: 'u-1',
          groups: ['devs', 'system:authenticated'],
          extra: { scopes: ['read', 'write'], none: null },
        },
      },
    });
  });

  it('Lease with MicroTime and pointer fields', () => {
    const obj = decode(
      'coordination.k8s.io/v1',
      'Lease',
      msg(1, str(1, 'node-1'), str(3, 'kube-node-lease')),
      msg(2, str(1, 'node-1'), int(2, 40), timestamp(3, 1700000000, 5000), msg(4), int(5, 0)),
    );
    assert.deepEqual(obj.spec, {
      holderIdentity: 'node-1',
      leaseDurationSeconds: 40,
      acquireTime: '2023-11-14T22:13:20.000005Z',
      renewTime: null,
      leaseTransitions: 0,
    });
  });

  it('autoscaling/v1 Scale', () => {
    const obj = decode(
      'autoscaling/v1',
      'Scale',
      msg(1, str(1, 'web')),
      msg(2, int(1, 0)),
      msg(3, int(1, 0), str(2, '')),
    );
    assert.deepEqual(obj, {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web' },
      spec: {},
      status: { replicas: 0 },
    });
  });
});

describe('decodeProtobufObject: CustomResourceDefinition', () => {
  const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

  it('decodes a nested JSONSchemaProps with every wrapper type', () => {
    const te = new TextEncoder();
    const json = (num: number, text: string): Part => msg(num, bytes(1, te.encode(text)));
    const replicas = msg(
      2,
      str(5, 'integer'),
      str(6, 'int32'),
      json(8, '1'),
      double(9, 100.5),
      bool(10, false),
      double(11, 0),
      json(20, '1'),
      json(20, '"two"'),
    );
    const schema = msg(
      1,
      str(5, 'object'),
      str(23, 'spec'),
      entry(
        29,
        'spec',
        msg(
          2,
          str(5, 'object'),
          entry(29, 'replicas', replicas),
          entry(29, 'tags', msg(2, str(5, 'array'), msg(24, msg(1, str(5, 'string'))), int(16, 5))),
          entry(
            29,
            'tuple',
            msg(2, str(5, 'array'), msg(24, msg(2, str(5, 'string')), msg(2, str(5, 'integer')))),
          ),
          entry(29, 'labels', msg(2, str(5, 'object'), msg(30, msg(2, str(5, 'string'))))),
          entry(29, 'closed', msg(2, str(5, 'object'), msg(30, bool(1, false)))),
          entry(29, 'open', msg(2, str(5, 'object'), msg(30, bool(1, true)))),
          entry(29, 'port', msg(2, bool(40, true), bool(37, false))),
          entry(29, 'blob', msg(2, bool(38, true), bool(39, false))),
          entry(29, 'ref', msg(2, str(3, '#/definitions/x'), str(2, ''))),
          entry(32, 'a', msg(2, str(2, 'b'), str(2, 'c'))),
          entry(32, 'd', msg(2, msg(1, str(23, 'e')))),
          msg(
            44,
            str(1, 'self.replicas >= 0'),
            str(2, 'no negative replicas'),
            str(4, 'FieldValueInvalid'),
            bool(6, false),
          ),
          str(41, 'name'),
          str(42, 'map'),
        ),
      ),
    );
    const obj = decode(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      meta(1, 'widgets.example.com'),
      msg(
        2,
        str(1, 'example.com'),
        msg(3, str(1, 'widgets'), str(2, 'widget'), str(4, 'Widget'), str(5, 'WidgetList')),
        str(4, 'Namespaced'),
        msg(
          7,
          str(1, 'v1'),
          bool(2, true),
          bool(3, true),
          msg(4, schema),
          msg(5, msg(1), msg(2, str(1, '.spec.replicas'), str(2, '.status.replicas'))),
          msg(6, str(1, 'Replicas'), str(2, 'integer'), str(6, '.spec.replicas'), int(5, 0)),
          bool(7, false),
        ),
        msg(9, str(1, 'None')),
        bool(10, false),
      ),
      msg(3, msg(2, str(1, ''), str(4, '')), str(3, 'v1')),
    );
    assert.deepEqual(obj, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com', creationTimestamp: null },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                required: ['spec'],
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      replicas: {
                        type: 'integer',
                        format: 'int32',
                        default: 1,
                        maximum: 100.5,
                        minimum: 0,
                        enum: [1, 'two'],
                      },
                      tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
                      tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
                      labels: { type: 'object', additionalProperties: { type: 'string' } },
                      closed: { type: 'object', additionalProperties: false },
                      open: { type: 'object', additionalProperties: true },
                      port: { 'x-kubernetes-int-or-string': true },
                      blob: { 'x-kubernetes-preserve-unknown-fields': true },
                      ref: { $ref: '#/definitions/x' },
                    },
                    dependencies: { a: ['b', 'c'], d: { required: ['e'] } },
                    'x-kubernetes-validations': [
                      {
                        rule: 'self.replicas >= 0',
                        message: 'no negative replicas',
                        reason: 'FieldValueInvalid',
                        optionalOldSelf: false,
                      },
                    ],
                    'x-kubernetes-list-map-keys': ['name'],
                    'x-kubernetes-list-type': 'map',
                  },
                },
              },
            },
            subresources: {
              status: {},
              scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
            },
            additionalPrinterColumns: [
              { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            ],
          },
        ],
        conversion: { strategy: 'None' },
      },
      status: { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] },
    });
    // The bare-message entry point decodes the same schema.
    const bare = decodeProtobufMessage(
      concat(str(5, 'object'), msg(24, msg(1, str(5, 'string')))),
      AE + 'JSONSchemaProps',
      resolver,
    );
    assert.deepEqual(bare, { type: 'object', items: { type: 'string' } });
  });
});

describe('decodeProtobufObject: wire format details', () => {
  it('skips unknown fields of every wire type, including groups', () => {
    const obj = decode(
      'v1',
      'ConfigMap',
      int(99, 7),
      double(98, 1.5),
      fixed32(97, 1),
      str(96, 'x'),
      concat(tag(95, START_GROUP), int(1, 1), tag(94, START_GROUP), tag(94, END_GROUP)),
      tag(95, END_GROUP),
      concat(tag(536870911, VARINT), varint(1)),
      stringMap(2, { a: 'b' }),
      msg(1, str(1, 'cm'), int(100, 3), entry(11, 'k', concat(str(2, 'v'), int(3, 9)))),
    );
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { a: 'b' },
      metadata: { name: 'cm', labels: { k: 'v' } },
    });
  });

  it('decodes a negative int32 written as a 10-byte varint and int64 beyond 32 bits', () => {
    const obj = decode(
      'v1',
      'Pod',
      msg(1, int(7, 2 ** 40 + 1)),
      msg(2, int(25, -2147483648), int(5, -1)),
    );
    assert.deepEqual(obj.metadata, { generation: 2 ** 40 + 1 });
    assert.deepEqual(obj.spec, { priority: -2147483648, activeDeadlineSeconds: -1 });
  });

  it('keeps a map key named __proto__ as an ordinary property', () => {
    const obj = decode('v1', 'ConfigMap', stringMap(2, { ['__proto__']: 'x' }));
    const data = obj.data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, 'x');
  });

  it('replaces invalid UTF-8 in strings with U+FFFD and keeps a leading BOM', () => {
    const obj = decode('v1', 'ConfigMap', entry(2, 'k', bytes(2, [0xef, 0xbb, 0xbf, 0x61, 0xff])));
    assert.deepEqual(obj.data, { k: '\ufeffa\ufffd' });
  });

  it('takes a missing kind or version from the expected kind', () => {
    const body = concat(
      [0x6b, 0x38, 0x73, 0x00],
      msg(1, str(2, 'Namespace')),
      msg(2, msg(1, str(1, 'n'))),
    );
    const obj = decodeProtobufObject(body, resolver, {
      expected: { group: '', version: 'v1', kind: 'Namespace' },
    });
    assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
    rejects(body, /names no version for kind "Namespace"/);
    const noRaw = concat([0x6b, 0x38, 0x73, 0x00], msg(1, str(1, 'v1'), str(2, 'Namespace')));
    assert.deepEqual(decodeProtobufObject(noRaw, resolver), {
      apiVersion: 'v1',
      kind: 'Namespace',
    });
  });
});

describe('decodeProtobufObject: malformed input', () => {
  const MAGIC = [0x6b, 0x38, 0x73, 0x00];

  it('rejects an empty body, a bad magic and a bare magic', () => {
    rejects(new Uint8Array(0), /empty body/);
    rejects(Uint8Array.from([0x6b, 0x38]), /prefix/);
    rejects(concat([0x6b, 0x38, 0x73, 0x01], msg(1, str(1, 'v1'))), /prefix/);
    rejects(new TextEncoder().encode('{"kind":"ConfigMap"}'), /prefix/);
    rejects(Uint8Array.from(MAGIC), /empty message/);
  });

  it('rejects a truncated varint and an over-long varint', () => {
    rejects(concat(MAGIC, [0x80]), /truncated varint/);
    rejects(envelope('v1', 'ConfigMap', Uint8Array.from([0x08 | 0x20, 0xff, 0xff])), /truncated/);
    rejects(
      envelope('v1', 'Pod', concat(msg(1, tag(7, VARINT), new Uint8Array(11).fill(0xff)))),
      /longer than 10/,
    );
  });

  it('rejects a length that runs past the end, at the top and inside a message', () => {
    rejects(concat(MAGIC, tag(2, LEN), varint(50), [1, 2, 3]), /length 50 of raw runs past/);
    // metadata claims 10 bytes but holds 2: the name's own length then overruns metadata.
    rejects(
      envelope('v1', 'ConfigMap', concat(tag(1, LEN), varint(2), tag(1, LEN), varint(5))),
      /runs past/,
    );
    rejects(
      envelope('v1', 'ConfigMap', concat(tag(1, LEN), varint(10), str(1, 'x'))),
      /length 10 of io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta runs past/,
    );
  });

  it('rejects a wire type that does not match the field', () => {
    rejects(envelope('v1', 'ConfigMap', int(1, 5)), /wrong wire type varint .* \(at metadata\)/);
    rejects(
      envelope('apps/v1', 'Deployment', msg(2, str(1, '3'))),
      /wrong wire type length-delimited for a field of type int32 \(want varint\) \(at spec.replicas\)/,
    );
    rejects(
      envelope('v1', 'ConfigMap', msg(1, double(1, 1))),
      /wrong wire type fixed64 .* \(at metadata.name\)/,
    );
    rejects(
      envelope('v1', 'Pod', msg(2, msg(2, int(3, 1)))),
      /wrong wire type .*at spec.containers\[0\].command/,
    );
    rejects(
      envelope('v1', 'Namespace', concat(tag(1, START_GROUP), tag(1, END_GROUP))),
      /wrong wire type start-group/,
    );
  });

  it('rejects illegal wire types, a stray end-group, field number 0 and unterminated groups', () => {
    rejects(envelope('v1', 'ConfigMap', tag(9, 6)), /illegal wire type 6/);
    rejects(envelope('v1', 'ConfigMap', tag(9, 7)), /illegal wire type 7/);
    rejects(envelope('v1', 'ConfigMap', tag(9, END_GROUP)), /end-group tag outside a group/);
    rejects(
      envelope('v1', 'ConfigMap', concat(varint(0 * 8 + 2), varint(0))),
      /illegal field number 0/,
    );
    rejects(
      envelope('v1', 'ConfigMap', concat(tag(9, START_GROUP), int(1, 1))),
      /unterminated group/,
    );
    rejects(
      envelope('v1', 'ConfigMap', concat(tag(9, FIXED64), [1, 2, 3])),
      /truncated fixed-size/,
    );
  });

  it('rejects a kind Verge does not serve, and a missing kind', () => {
    rejects(
      envelope('batch/v1', 'Job', new Uint8Array(0)),
      /no kind "Job" is registered for version "batch\/v1"/,
    );
    rejects(
      envelope('v2', 'ConfigMap', new Uint8Array(0)),
      /no kind "ConfigMap" is registered for version "v2"/,
    );
    rejects(concat(MAGIC, msg(1, str(1, 'v1'))), /names no kind/);
  });

  it('rejects bad special values: IntOrString type, embedded JSON, non-finite doubles, far timestamps', () => {
    const dep = (strategy: Part): Uint8Array => envelope('apps/v1', 'Deployment', msg(2, strategy));
    rejects(dep(msg(4, msg(2, msg(1, int(1, 2))))), /IntOrString has type 2/);
    const crd = (prop: Part): Uint8Array =>
      envelope(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        msg(2, msg(7, msg(4, msg(1, prop)))),
      );
    rejects(crd(msg(8, str(1, '{bad'))), /embedded JSON is not valid/);
    rejects(crd(msg(8, bytes(1, [0x22, 0xff, 0x22]))), /embedded JSON is not valid/);
    rejects(crd(double(9, Number.NaN)), /NaN has no JSON form/);
    rejects(crd(double(9, Number.POSITIVE_INFINITY)), /Infinity has no JSON form/);
    rejects(envelope('v1', 'Pod', msg(1, timestamp(8, 253402300800))), /outside the years/);
  });

  it('rejects nesting deeper than 100', () => {
    const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
    let schema: Uint8Array = str(5, 'string');
    for (let i = 0; i < 99; i++) schema = msg(28, schema); // `not` nests JSONSchemaProps directly
    const ok = decodeProtobufMessage(schema, AE, resolver);
    let depth = 0;
    for (let s: unknown = ok; typeof s === 'object' && s !== null; s = (s as { not?: unknown }).not)
      depth++;
    assert.equal(depth, 100);
    assert.throws(
      () => decodeProtobufMessage(msg(28, schema), AE, resolver),
      (err: unknown) => isInvalid(err) && /nested deeper than 100/.test(err.message),
    );
  });

  it('rejects a bare message of a definition with no protobuf form', () => {
    assert.throws(
      () =>
        decodeProtobufMessage(
          new Uint8Array(0),
          'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
          resolver,
        ),
      (err: unknown) => isInvalid(err) && err.details.reason === 'BadRequest',
    );
  });
});
