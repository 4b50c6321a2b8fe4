import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidObject } from '../field-errors.ts';
import { applyDefaults, kindRules, validateObject } from './index.ts';
import { pod, podWith, POD, problems, type Loose } from './test-support.ts';
import type { KubeObject } from '../types/meta.ts';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUANTITY_MSG =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const RANGE = 'must be between 1 and 65535, inclusive';

type Case = [name: string, obj: Loose, expected: string[]];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [name, obj, expected] of cases)
      it(name, () => assert.deepEqual(problems(POD, obj), expected));
  });
}

table('pod: containers', [
  ['a valid pod', pod(), []],
  ['no containers', pod({ containers: [] }), ['spec.containers: Required value']],
  [
    'a container without image',
    podWith({ image: undefined }),
    ['spec.containers[0].image: Required value'],
  ],
  ['a container without name', podWith({ name: '' }), ['spec.containers[0].name: Required value']],
  [
    'a bad container name',
    podWith({ name: 'App' }),
    [`spec.containers[0].name: Invalid value: "App": ${LABEL_MSG}`],
  ],
  [
    'duplicate names across containers and init containers',
    pod({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'a', image: 'x' },
      ],
      initContainers: [{ name: 'a', image: 'x' }],
    }),
    [
      'spec.containers[1].name: Duplicate value: "a"',
      'spec.initContainers[0].name: Duplicate value: "a"',
    ],
  ],
  [
    'white space around the image',
    podWith({ image: ' nginx' }),
    [
      'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ],
  ],
  [
    'an unknown pull policy',
    podWith({ imagePullPolicy: 'Sometimes' }),
    [
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ],
  ],
  [
    'an unknown termination message policy',
    podWith({ terminationMessagePolicy: 'Log' }),
    [
      'spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"',
    ],
  ],
  [
    'restartPolicy on a regular container',
    podWith({ restartPolicy: 'Always' }),
    ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
  ],
  [
    'probes on a plain init container',
    pod({
      initContainers: [
        { name: 'init', image: 'x', livenessProbe: { exec: { command: ['true'] } } },
      ],
    }),
    [
      'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ],
  ],
  [
    'a sidecar may have probes',
    pod({
      initContainers: [
        {
          name: 'side',
          image: 'x',
          restartPolicy: 'Always',
          livenessProbe: { exec: { command: ['true'] } },
        },
      ],
    }),
    [],
  ],
  [
    'an init container restart policy other than Always',
    pod({ initContainers: [{ name: 'init', image: 'x', restartPolicy: 'OnFailure' }] }),
    [
      'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ],
  ],
  ['a valid security context', podWith({ securityContext: { runAsUser: 1000 } }), []],
  [
    'a negative user id',
    podWith({ securityContext: { runAsUser: -1 } }),
    [
      'spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
    ],
  ],
]);

table('pod: ports', [
  [
    'valid ports',
    podWith({
      ports: [
        { name: 'http', containerPort: 80 },
        { containerPort: 53, protocol: 'UDP' },
      ],
    }),
    [],
  ],
  [
    'a missing container port',
    podWith({ ports: [{ name: 'http' }] }),
    ['spec.containers[0].ports[0].containerPort: Required value'],
  ],
  [
    'a port out of range',
    podWith({ ports: [{ containerPort: 70000 }] }),
    [`spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${RANGE}`],
  ],
  [
    'a host port out of range',
    podWith({ ports: [{ containerPort: 80, hostPort: 70000 }] }),
    [`spec.containers[0].ports[0].hostPort: Invalid value: 70000: ${RANGE}`],
  ],
  [
    'an unknown protocol',
    podWith({ ports: [{ containerPort: 80, protocol: 'HTTP' }] }),
    [
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ],
  ],
  [
    'a bad port name',
    podWith({ ports: [{ name: 'Web--', containerPort: 80 }] }),
    [
      'spec.containers[0].ports[0].name: Invalid value: "Web--": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[0].name: Invalid value: "Web--": must not contain consecutive hyphens',
      'spec.containers[0].ports[0].name: Invalid value: "Web--": must not begin or end with a hyphen',
    ],
  ],
  [
    'duplicate port names',
    podWith({
      ports: [
        { name: 'http', containerPort: 80 },
        { name: 'http', containerPort: 81 },
      ],
    }),
    ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
  ],
  [
    'the same host port twice',
    pod({
      containers: [
        { name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] },
        { name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] },
      ],
    }),
    ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
  ],
  [
    'host network defaults host ports',
    pod({
      hostNetwork: true,
      containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }],
    }),
    [],
  ],
  [
    'host network with a different host port',
    pod({
      hostNetwork: true,
      containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }],
    }),
    [
      'spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true',
    ],
  ],
]);

table('pod: environment', [
  [
    'valid variables',
    podWith({
      env: [
        { name: 'A', value: 'b' },
        { name: '1.weird-but-ok', value: '' },
      ],
    }),
    [],
  ],
  [
    'an empty name',
    podWith({ env: [{ name: '', value: 'b' }] }),
    ['spec.containers[0].env[0].name: Required value'],
  ],
  [
    'a name with =',
    podWith({ env: [{ name: 'A=B' }] }),
    [
      'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
    ],
  ],
  [
    'valueFrom without a source',
    podWith({ env: [{ name: 'A', valueFrom: {} }] }),
    [
      'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    ],
  ],
  [
    'valueFrom with two sources',
    podWith({
      env: [
        {
          name: 'A',
          valueFrom: {
            fieldRef: { fieldPath: 'metadata.name' },
            secretKeyRef: { name: 's', key: 'k' },
          },
        },
      ],
    }),
    [
      'spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time',
    ],
  ],
  [
    'valueFrom and value',
    podWith({
      env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    }),
    [
      'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ],
  ],
  [
    'a supported field path',
    podWith({
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }],
    }),
    [],
  ],
  [
    'an unknown field path',
    podWith({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.foo' } } }] }),
    [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo',
    ],
  ],
  [
    'a field path not offered to env',
    podWith({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }] }),
    [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    ],
  ],
  [
    'a bad key and a missing name in a configMapKeyRef',
    podWith({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { key: 'a/b' } } }] }),
    [
      `spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Invalid value: "": ${SUBDOMAIN_MSG}`,
      "spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ],
  ],
  [
    'an unsupported resource field',
    podWith({ env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }),
    [
      'spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
    ],
  ],
  [
    'envFrom with one source',
    podWith({ envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'X_' }] }),
    [],
  ],
  [
    'envFrom without a source',
    podWith({ envFrom: [{ prefix: 'X_' }] }),
    [
      'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
    ],
  ],
]);

table('pod: volumes and mounts', [
  [
    'a mount of a declared volume',
    pod({
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    }),
    [],
  ],
  ['a volume with no source becomes emptyDir', pod({ volumes: [{ name: 'data' }] }), []],
  [
    'a mount of an unknown volume',
    podWith({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
    ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
  ],
  [
    'two mounts at one path',
    pod({
      volumes: [
        { name: 'a', emptyDir: {} },
        { name: 'b', emptyDir: {} },
      ],
      containers: [
        {
          name: 'c',
          image: 'x',
          volumeMounts: [
            { name: 'a', mountPath: '/data' },
            { name: 'b', mountPath: '/data' },
          ],
        },
      ],
    }),
    ['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique'],
  ],
  [
    'a mount without a path',
    pod({
      volumes: [{ name: 'a' }],
      containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'a' }] }],
    }),
    ['spec.containers[0].volumeMounts[0].mountPath: Required value'],
  ],
  [
    'an absolute subPath',
    pod({
      volumes: [{ name: 'a' }],
      containers: [
        { name: 'c', image: 'x', volumeMounts: [{ name: 'a', mountPath: '/d', subPath: '/etc' }] },
      ],
    }),
    ['spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path'],
  ],
  [
    'duplicate volume names (the second is not mountable either)',
    pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'data', emptyDir: {} },
      ],
    }),
    ['spec.volumes[1].name: Duplicate value: "data"'],
  ],
  [
    'two sources in one volume',
    pod({ volumes: [{ name: 'data', emptyDir: {}, secret: { secretName: 's' } }] }),
    ['spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type'],
  ],
  [
    'a bad volume name',
    pod({ volumes: [{ name: 'Data' }] }),
    [`spec.volumes[0].name: Invalid value: "Data": ${LABEL_MSG}`],
  ],
  [
    'a configMap volume without a name',
    pod({ volumes: [{ name: 'c', configMap: {} }] }),
    ['spec.volumes[0].configMap.name: Required value'],
  ],
  [
    'a secret volume without a name',
    pod({ volumes: [{ name: 's', secret: {} }] }),
    ['spec.volumes[0].secret.secretName: Required value'],
  ],
  [
    'a bad file mode',
    pod({ volumes: [{ name: 's', secret: { secretName: 's', defaultMode: 512 } }] }),
    [
      'spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
    ],
  ],
  [
    'a key path that climbs out',
    pod({
      volumes: [{ name: 'c', configMap: { name: 'c', items: [{ key: 'k', path: '../x' }] } }],
    }),
    ['spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain \'..\''],
  ],
  [
    'a hostPath without path',
    pod({ volumes: [{ name: 'h', hostPath: {} }] }),
    ['spec.volumes[0].hostPath.path: Required value'],
  ],
  [
    'an unknown hostPath type',
    pod({ volumes: [{ name: 'h', hostPath: { path: '/x', type: 'Dir' } }] }),
    [
      'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    ],
  ],
  [
    'a PVC without claim name',
    pod({ volumes: [{ name: 'p', persistentVolumeClaim: {} }] }),
    ['spec.volumes[0].persistentVolumeClaim.claimName: Required value'],
  ],
  [
    'a mount of a volume that failed validation',
    pod({
      volumes: [{ name: 'c', configMap: {} }],
      containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'c', mountPath: '/c' }] }],
    }),
    [
      'spec.volumes[0].configMap.name: Required value',
      'spec.containers[0].volumeMounts[0].name: Not found: "c"',
    ],
  ],
]);

table('pod: resources', [
  [
    'requests within limits',
    podWith({
      resources: {
        requests: { cpu: '100m', memory: '64Mi' },
        limits: { cpu: '0.5', memory: '128Mi' },
      },
    }),
    [],
  ],
  [
    'requests above limits',
    podWith({ resources: { requests: { cpu: '200m' }, limits: { cpu: '100m' } } }),
    [
      'spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m',
    ],
  ],
  [
    'a quantity that does not parse',
    podWith({ resources: { limits: { cpu: 'abc' } } }),
    [
      `spec.containers[0].resources.limits[cpu]: Invalid value: "abc": ${QUANTITY_MSG}`,
      `spec.containers[0].resources.requests[cpu]: Invalid value: "abc": ${QUANTITY_MSG}`,
    ],
  ],
  [
    'a negative amount',
    podWith({ resources: { requests: { memory: '-1Gi' } } }),
    [
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ],
  ],
  [
    'an unknown resource name',
    podWith({ resources: { requests: { foo: '1' } } }),
    [
      'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
    ],
  ],
  [
    'a resource that is not for containers',
    podWith({ resources: { requests: { pods: '1' } } }),
    [
      'spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers',
    ],
  ],
  ['an extended resource', podWith({ resources: { limits: { 'example.com/gpu': '2' } } }), []],
  [
    'a fractional extended resource',
    podWith({ resources: { limits: { 'example.com/gpu': '0.5' } } }),
    [
      'spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "500m": must be an integer',
      'spec.containers[0].resources.requests[example.com/gpu]: Invalid value: "500m": must be an integer',
    ],
  ],
  [
    'an extended resource requested without limit',
    podWith({ resources: { requests: { 'example.com/gpu': '1' } } }),
    [
      'spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
    ],
  ],
  [
    'an extended resource requested below its limit',
    podWith({
      resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } },
    }),
    [
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2',
    ],
  ],
  [
    'huge pages without cpu or memory',
    podWith({ resources: { limits: { 'hugepages-2Mi': '4Mi' } } }),
    ['spec.containers[0].resources: Forbidden: HugePages require cpu or memory'],
  ],
]);

table('pod: probes and lifecycle', [
  ['a defaulted probe', podWith({ livenessProbe: { httpGet: { port: 8080 } } }), []],
  [
    'a probe with two handlers',
    podWith({ livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 } } }),
    [
      'spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
    ],
  ],
  [
    'a probe without handler',
    podWith({ readinessProbe: { periodSeconds: 5 } }),
    ['spec.containers[0].readinessProbe: Required value: must specify a handler type'],
  ],
  [
    'a negative period',
    podWith({ livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: -1 } }),
    [
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
    ],
  ],
  [
    'a liveness success threshold other than 1',
    podWith({ livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }),
    ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
  ],
  [
    'a readiness success threshold of 2',
    podWith({ readinessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }),
    [],
  ],
  [
    'a startup success threshold other than 1',
    podWith({ startupProbe: { tcpSocket: { port: 80 }, successThreshold: 3 } }),
    ['spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1'],
  ],
  [
    'a probe port out of range',
    podWith({ livenessProbe: { httpGet: { port: 0 } } }),
    [`spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: ${RANGE}`],
  ],
  [
    'a probe port name that is not a port name',
    podWith({ livenessProbe: { tcpSocket: { port: 'HTTP' } } }),
    [
      'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  ],
  [
    'an unknown scheme',
    podWith({ livenessProbe: { httpGet: { port: 80, scheme: 'FTP' } } }),
    [
      'spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
    ],
  ],
  [
    'terminationGracePeriodSeconds on a readiness probe',
    podWith({ readinessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 } }),
    [
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes',
    ],
  ],
  [
    'a preStop sleep beyond the grace period',
    podWith({ lifecycle: { preStop: { sleep: { seconds: 60 } } } }),
    [
      'spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be non-negative and less than terminationGracePeriodSeconds (30)',
    ],
  ],
  [
    'an exec handler without command',
    podWith({ lifecycle: { postStart: { exec: {} } } }),
    ['spec.containers[0].lifecycle.postStart.exec.command: Required value'],
  ],
]);

table('pod: spec fields', [
  [
    'an unknown restart policy',
    pod({ restartPolicy: 'Sometimes' }),
    [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
  ],
  [
    'an unknown DNS policy',
    pod({ dnsPolicy: 'Foo' }),
    [
      'spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ],
  ],
  [
    'DNS policy None without config',
    pod({ dnsPolicy: 'None' }),
    ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
  ],
  [
    'a bad nameserver',
    pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['dns'] } }),
    [
      'spec.dnsConfig.nameservers[0]: Invalid value: "dns": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ],
  ],
  // Kubernetes only warns about a negative grace period (and treats it as 1).
  ['a negative grace period', pod({ terminationGracePeriodSeconds: -1 }), []],
  [
    'an activeDeadlineSeconds of 0',
    pod({ activeDeadlineSeconds: 0 }),
    ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
  ],
  [
    'a bad node selector',
    pod({ nodeSelector: { '-a': 'b' } }),
    [`spec.nodeSelector: Invalid value: "-a": ${QNAME_PART}`],
  ],
  [
    'a bad service account name',
    pod({ serviceAccountName: 'Bad' }),
    [`spec.serviceAccountName: Invalid value: "Bad": ${SUBDOMAIN_MSG}`],
  ],
  [
    'a bad hostname',
    pod({ hostname: 'a.b' }),
    ['spec.hostname: Invalid value: "a.b": must not contain dots'],
  ],
  [
    'ephemeral containers on create',
    pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] }),
    ['spec.ephemeralContainers: Forbidden: cannot be set on create'],
  ],
  [
    'a node name with scheduling gates',
    pod({ nodeName: 'n1', schedulingGates: [{ name: 'example.com/gate' }] }),
    ['spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared'],
  ],
  [
    'an unknown preemption policy',
    pod({ preemptionPolicy: 'Sometimes' }),
    [
      'spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
    ],
  ],
  [
    'an unknown OS',
    pod({ os: { name: 'plan9' } }),
    ['spec.os.name: Unsupported value: "plan9": supported values: "linux", "windows"'],
  ],
  [
    'a pod deletion cost that is not an int32',
    pod({}, { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '1.5' } }),
    [
      'metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "1.5": must be a 32bit integer',
    ],
  ],
]);

table('pod: tolerations', [
  [
    'valid tolerations',
    pod({
      tolerations: [
        { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' },
        { operator: 'Exists' },
      ],
    }),
    [],
  ],
  [
    'an unknown operator',
    pod({ tolerations: [{ key: 'k', operator: 'Foo' }] }),
    ['spec.tolerations[0].operator: Unsupported value: "Foo": supported values: "Equal", "Exists"'],
  ],
  [
    'an unknown effect',
    pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'Bad' }] }),
    [
      'spec.tolerations[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  ],
  [
    'tolerationSeconds without NoExecute',
    pod({
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 }],
    }),
    [
      'spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    ],
  ],
  [
    'an empty key with Equal',
    pod({ tolerations: [{ operator: 'Equal', value: 'v' }] }),
    [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ],
  ],
  [
    'a value with Exists',
    pod({ tolerations: [{ key: 'k', operator: 'Exists', value: 'x' }] }),
    [
      'spec.tolerations[0].operator: Invalid value: "x": value must be empty when `operator` is \'Exists\'',
    ],
  ],
]);

const nodeAffinity = (required: unknown): Loose =>
  pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } } });
const term = (expr: unknown): Loose =>
  nodeAffinity({ nodeSelectorTerms: [{ matchExpressions: [expr] }] });
const termPath =
  'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]';

table('pod: affinity', [
  ['valid node affinity', term({ key: 'zone', operator: 'In', values: ['a'] }), []],
  ['Gt with one value', term({ key: 'cores', operator: 'Gt', values: ['4'] }), []],
  [
    'no terms',
    nodeAffinity({ nodeSelectorTerms: [] }),
    [
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    ],
  ],
  [
    'an unknown operator',
    term({ key: 'zone', operator: 'Near', values: ['a'] }),
    [`${termPath}.operator: Invalid value: "Near": not a valid selector operator`],
  ],
  [
    'In without values',
    term({ key: 'zone', operator: 'In' }),
    [`${termPath}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`],
  ],
  [
    'Exists with values',
    term({ key: 'zone', operator: 'Exists', values: ['a'] }),
    [
      `${termPath}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    ],
  ],
  [
    'Lt with two values',
    term({ key: 'cores', operator: 'Lt', values: ['1', '2'] }),
    [
      `${termPath}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
    ],
  ],
  [
    'a preferred term weighing 0',
    pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
        },
      },
    }),
    [
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    ],
  ],
  [
    'a pod affinity term without topology key',
    pod({
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'db' } } },
          ],
        },
      },
    }),
    [
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty',
      `spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": ${QNAME_PART}`,
    ],
  ],
]);

function update(oldSpec: Loose, newSpec: Loose): string[] {
  return problems(POD, pod(newSpec), pod(oldSpec));
}

const FORBIDDEN_PREFIX =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

describe('pod updates', () => {
  it('may change images', () => {
    assert.deepEqual(update({}, { containers: [{ name: 'app', image: 'nginx:1.28' }] }), []);
  });
  it('may not add containers', () => {
    assert.deepEqual(
      update(
        {},
        {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { name: 'b', image: 'x' },
          ],
        },
      ),
      ['spec.containers: Forbidden: pod updates may not add or remove containers'],
    );
  });
  it('may not change other fields, and says what changed', () => {
    assert.deepEqual(
      update(
        {},
        { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      ),
      [
        `${FORBIDDEN_PREFIX}\n- spec.containers[0].ports: null\n+ spec.containers[0].ports: [{"containerPort":80,"protocol":"TCP"}]`,
      ],
    );
    assert.deepEqual(update({}, { restartPolicy: 'Never' }), [
      `${FORBIDDEN_PREFIX}\n- spec.restartPolicy: "Always"\n+ spec.restartPolicy: "Never"`,
    ]);
  });
  it('may lower activeDeadlineSeconds, not raise or remove it', () => {
    assert.deepEqual(update({ activeDeadlineSeconds: 100 }, { activeDeadlineSeconds: 50 }), []);
    assert.deepEqual(update({}, { activeDeadlineSeconds: 50 }), []);
    assert.deepEqual(update({ activeDeadlineSeconds: 100 }, { activeDeadlineSeconds: 200 }), [
      'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value',
    ]);
    assert.deepEqual(update({ activeDeadlineSeconds: 100 }, {}), [
      'spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value',
    ]);
  });
  it('may add tolerations and change tolerationSeconds only', () => {
    const t = { key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
    assert.deepEqual(
      update(
        { tolerations: [t] },
        { tolerations: [{ ...t, tolerationSeconds: 20 }, { operator: 'Exists' }] },
      ),
      [],
    );
    assert.deepEqual(update({ tolerations: [t] }, { tolerations: [{ ...t, key: 'other' }] }), [
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
  });
  it('may remove scheduling gates, not add them', () => {
    const gates = [{ name: 'example.com/a' }, { name: 'example.com/b' }];
    assert.deepEqual(update({ schedulingGates: gates }, { schedulingGates: [gates[1]] }), []);
    assert.deepEqual(update({ schedulingGates: [gates[0]] }, { schedulingGates: gates }), [
      "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/b'",
    ]);
  });
  it('may not change the name', () => {
    assert.deepEqual(problems(POD, pod({}, { name: 'other' }), pod()), [
      'metadata.name: Invalid value: "other": field is immutable',
    ]);
  });
});

describe('the API error message', () => {
  it('reads as kubectl users know it', () => {
    const obj = structuredClone(podWith({ image: undefined })) as KubeObject;
    applyDefaults(POD, obj);
    const err = invalidObject('Pod', 'web', validateObject(POD, obj));
    assert.equal(err.message, 'Pod "web" is invalid: spec.containers[0].image: Required value');
    assert.deepEqual(err.details.causes, [
      {
        reason: 'FieldValueRequired',
        field: 'spec.containers[0].image',
        message: 'Required value',
      },
    ]);
  });
  it('reports nothing for kinds it does not know', () => {
    assert.deepEqual(
      validateObject({ group: 'example.com', version: 'v1', kind: 'Widget' }, { metadata: {} }),
      [],
    );
  });
  it('can leave metadata to the caller', () => {
    const obj = structuredClone(pod({}, { name: 'Bad' })) as KubeObject;
    applyDefaults(POD, obj);
    assert.equal(validateObject(POD, obj).length, 1);
    assert.deepEqual(validateObject(POD, obj, undefined, { metadata: false }), []);
  });
  it('does not modify what it validates', () => {
    const freeze = (v: unknown): void => {
      if (typeof v === 'object' && v !== null) {
        Object.freeze(v);
        for (const x of Object.values(v)) freeze(x);
      }
    };
    const old = structuredClone(pod()) as KubeObject;
    applyDefaults(POD, old);
    const changed = structuredClone(old);
    (changed.spec as Loose).restartPolicy = 'Never';
    freeze(old);
    freeze(changed);
    assert.equal(validateObject(POD, changed, old).length, 1);
  });
  it('knows the scope and name rule of each built-in kind', () => {
    assert.deepEqual(kindRules({ group: '', version: 'v1', kind: 'Service' }), {
      namespaced: true,
      nameRule: 'dns1035Label',
    });
    assert.deepEqual(kindRules({ group: '', version: 'v1', kind: 'Namespace' }), {
      namespaced: false,
      nameRule: 'dns1123Label',
    });
    assert.deepEqual(kindRules({ group: '', version: 'v1', kind: 'Event' }), {
      namespaced: true,
      nameRule: 'pathSegment',
    });
    assert.equal(kindRules({ group: 'example.com', version: 'v1', kind: 'Widget' }), undefined);
  });
  it('does not crash on garbage', () => {
    const garbage = {
      metadata: { name: 'x', namespace: 'y' },
      spec: { containers: 'nope', volumes: 3, tolerations: [null, 1] },
    };
    assert.deepEqual(problems(POD, garbage).slice(0, 1), ['spec.containers: Required value']);
  });
});
