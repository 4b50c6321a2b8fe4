import assert from 'node:assert/strict';
import { builtinDefinitions } from '../openapi/builtin.ts';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isInvalid } from '../../util/errors.ts';
import { ref, SchemaResolver } from '../schema.ts';
import type { Definitions, JSONSchemaProps } from '../schema.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';
import { assertInvalid, deepFreeze, json } from './test-helpers.ts';

// A small, hand-written slice of the built-in schemas, with the patch metadata
// Kubernetes publishes for these fields.
const str: JSONSchemaProps = { type: 'string' };
const mergeBy = (key: string, items: JSONSchemaProps, strategy = 'merge'): JSONSchemaProps => ({
  type: 'array',
  items,
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': strategy,
});

const definitions: Definitions = {
  Pod: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: ref('ObjectMeta'),
      spec: ref('PodSpec'),
      status: { type: 'object', properties: { phase: str } },
    },
  },
  Deployment: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: ref('ObjectMeta'),
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          strategy: { ...ref('DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
          template: {
            allOf: [ref('PodTemplateSpec')],
            description: 'the pod template',
          },
        },
      },
    },
  },
  DeploymentStrategy: {
    type: 'object',
    properties: {
      type: str,
      rollingUpdate: {
        type: 'object',
        properties: {
          maxSurge: { 'x-kubernetes-int-or-string': true },
          maxUnavailable: { 'x-kubernetes-int-or-string': true },
        },
      },
    },
  },
  PodTemplateSpec: {
    type: 'object',
    properties: { metadata: ref('ObjectMeta'), spec: ref('PodSpec') },
  },
  ObjectMeta: {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      labels: { type: 'object', additionalProperties: str },
      annotations: { type: 'object', additionalProperties: str },
      finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge' },
      ownerReferences: mergeBy('uid', ref('OwnerReference')),
    },
  },
  OwnerReference: { type: 'object', properties: { uid: str, name: str, kind: str } },
  PodSpec: {
    type: 'object',
    properties: {
      containers: mergeBy('name', ref('Container')),
      initContainers: mergeBy('name', ref('Container')),
      volumes: mergeBy('name', ref('Volume'), 'merge,retainKeys'),
      tolerations: { type: 'array', items: ref('Toleration') },
      nodeSelector: { type: 'object', additionalProperties: str },
      securityContext: {
        type: 'object',
        properties: { runAsUser: { type: 'integer' }, runAsGroup: { type: 'integer' } },
      },
      extension: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      replacedMap: {
        type: 'object',
        additionalProperties: str,
        'x-kubernetes-patch-strategy': 'replace',
      },
    },
  },
  Container: {
    type: 'object',
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      command: { type: 'array', items: str },
      env: mergeBy('name', ref('EnvVar')),
      ports: mergeBy('containerPort', ref('ContainerPort')),
      volumeMounts: mergeBy('mountPath', ref('VolumeMount')),
      resources: {
        type: 'object',
        properties: {
          limits: { type: 'object', additionalProperties: str },
          requests: { type: 'object', additionalProperties: str },
        },
      },
    },
  },
  EnvVar: { type: 'object', properties: { name: str, value: str, valueFrom: { type: 'object' } } },
  ContainerPort: {
    type: 'object',
    properties: { containerPort: { type: 'integer' }, protocol: str, name: str },
  },
  VolumeMount: { type: 'object', properties: { mountPath: str, name: str } },
  Volume: {
    type: 'object',
    properties: {
      name: str,
      configMap: { type: 'object', properties: { name: str } },
      secret: { type: 'object', properties: { secretName: str } },
      emptyDir: { type: 'object', properties: { medium: str } },
    },
  },
  Toleration: { type: 'object', properties: { key: str, operator: str, value: str, effect: str } },
  Widget: {
    // A CRD-like schema that declares `$`-members as data (as JSONSchemaProps does).
    type: 'object',
    properties: { $ref: str, $schema: str, items: { type: 'array', items: { type: 'object' } } },
  },
};

const resolver = new SchemaResolver(definitions);
const podSchema = ref('Pod');
const deploymentSchema = ref('Deployment');

interface Case {
  name: string;
  schema?: JSONSchemaProps | 'none';
  doc: unknown;
  patch: unknown;
  want?: unknown;
  error?: string | RegExp;
  /** Field named in the error's cause. */
  field?: string;
}

const c = (name: string, rest: Omit<Case, 'name'>): Case => ({ name, ...rest });
const pod = (spec: unknown, metadata: unknown = { name: 'p' }) => ({ metadata, spec });

const cases: Case[] = [
  // --- containers, merged by name --------------------------------------------
  c('a container is updated by name, the others stay', {
    doc: pod({
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    }),
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    want: pod({
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:2' },
      ],
    }),
  }),
  c('a new container is added before the existing ones (as in Kubernetes)', {
    doc: pod({ containers: [{ name: 'nginx', image: 'nginx' }] }),
    patch: { spec: { containers: [{ name: 'redis', image: 'redis' }] } },
    want: pod({
      containers: [
        { name: 'redis', image: 'redis' },
        { name: 'nginx', image: 'nginx' },
      ],
    }),
  }),
  c('fields of a container merge recursively', {
    doc: pod({ containers: [{ name: 'a', image: 'a:1', resources: { limits: { cpu: '1' } } }] }),
    patch: { spec: { containers: [{ name: 'a', resources: { limits: { memory: '1Gi' } } }] } },
    want: pod({
      containers: [{ name: 'a', image: 'a:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    }),
  }),
  c('env merges by name inside a container', {
    doc: pod({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'b', env: [{ name: 'X', value: 'b' }] },
      ],
    }),
    patch: {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'Y', value: '20' },
              { name: 'Z', value: '3' },
            ],
          },
        ],
      },
    },
    want: pod({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '20' },
            { name: 'Z', value: '3' },
          ],
        },
        { name: 'b', env: [{ name: 'X', value: 'b' }] },
      ],
    }),
  }),
  c('a null in an env element deletes that field only', {
    doc: pod({
      containers: [{ name: 'a', env: [{ name: 'X', value: '1', valueFrom: { fieldRef: {} } }] }],
    }),
    patch: { spec: { containers: [{ name: 'a', env: [{ name: 'X', valueFrom: null }] }] } },
    want: pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }),
  }),
  c('patch elements take the patch order, interleaved with server-only ones', {
    doc: pod({ containers: [{ name: 'c1' }, { name: 'c2', image: 'two' }, { name: 'c3' }] }),
    patch: {
      spec: {
        containers: [
          { name: 'c3', image: 'x' },
          { name: 'c1', image: 'y' },
        ],
      },
    },
    want: pod({
      containers: [
        { name: 'c2', image: 'two' },
        { name: 'c3', image: 'x' },
        { name: 'c1', image: 'y' },
      ],
    }),
  }),
  c('all elements in the patch: the patch order wins', {
    doc: pod({ containers: [{ name: 'c1' }, { name: 'c2' }, { name: 'c3' }] }),
    patch: { spec: { containers: [{ name: 'c3' }, { name: 'c1' }, { name: 'c2', image: 'x' }] } },
    want: pod({ containers: [{ name: 'c3' }, { name: 'c1' }, { name: 'c2', image: 'x' }] }),
  }),
  c('two patch elements with one key merge into one element', {
    doc: pod({ containers: [] }),
    patch: {
      spec: {
        containers: [
          { name: 'a', image: 'x' },
          { name: 'a', args: ['y'] },
        ],
      },
    },
    want: pod({ containers: [{ name: 'a', image: 'x', args: ['y'] }] }),
  }),
  c('ports merge by a numeric key', {
    doc: pod({
      containers: [
        { name: 'a', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] },
      ],
    }),
    patch: {
      spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    },
    want: pod({
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
        },
      ],
    }),
  }),
  c('the merge key 80 does not match "80"', {
    doc: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] }),
    patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80', name: 's' }] }] } },
    want: pod({
      containers: [
        { name: 'a', ports: [{ containerPort: '80', name: 's' }, { containerPort: 80 }] },
      ],
    }),
  }),
  c('a merging list that did not exist is taken from the patch', {
    doc: pod({}),
    patch: {
      spec: {
        containers: [
          { name: 'a', image: 'a', command: null },
          { $patch: 'delete', name: 'b' },
        ],
      },
    },
    want: pod({ containers: [{ name: 'a', image: 'a' }] }),
  }),
  c('a list that replaces a scalar', {
    doc: pod({ containers: 'oops' }),
    patch: { spec: { containers: [{ name: 'a' }] } },
    want: pod({ containers: [{ name: 'a' }] }),
  }),
  c('merging into an empty list', {
    doc: pod({ containers: [] }),
    patch: { spec: { containers: [{ name: 'a' }] } },
    want: pod({ containers: [{ name: 'a' }] }),
  }),
  c('an empty patch list leaves a merging list alone', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [] } },
    want: pod({ containers: [{ name: 'a' }] }),
  }),
  c('a server element without the merge key is kept', {
    doc: pod({ containers: [{ image: 'anonymous' }, { name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'a', image: 'x' }] } },
    want: pod({ containers: [{ image: 'anonymous' }, { name: 'a', image: 'x' }] }),
  }),

  // --- $patch: delete ---------------------------------------------------------
  c('$patch: delete removes a container', {
    doc: pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
    want: pod({ containers: [{ name: 'a' }, { name: 'c' }] }),
  }),
  c('$patch: delete removes every element with that key', {
    doc: pod({
      containers: [{ name: 'a', env: [{ name: 'X' }, { name: 'Y' }, { name: 'X', value: 'dup' }] }],
    }),
    patch: { spec: { containers: [{ name: 'a', env: [{ $patch: 'delete', name: 'X' }] }] } },
    want: pod({ containers: [{ name: 'a', env: [{ name: 'Y' }] }] }),
  }),
  c('delete and add in one patch', {
    doc: pod({ containers: [{ name: 'old' }, { name: 'keep' }] }),
    patch: { spec: { containers: [{ name: 'new' }, { name: 'old', $patch: 'delete' }] } },
    want: pod({ containers: [{ name: 'new' }, { name: 'keep' }] }),
  }),
  c('deleting a missing element is a no-op', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'zz', $patch: 'delete' }] } },
    want: pod({ containers: [{ name: 'a' }] }),
  }),
  c('$patch: delete in a map deletes the member', {
    doc: pod({ securityContext: { runAsUser: 1 }, nodeSelector: { a: 'b' } }),
    patch: { spec: { securityContext: { $patch: 'delete' } } },
    want: pod({ nodeSelector: { a: 'b' } }),
  }),
  c('$patch: delete of a member that is not there adds nothing', {
    doc: pod({}),
    patch: { spec: { securityContext: { $patch: 'delete', runAsUser: 1 } } },
    want: pod({}),
  }),
  c('$patch: delete at the root leaves an empty object', {
    doc: pod({ containers: [] }),
    patch: { $patch: 'delete' },
    want: {},
  }),

  // --- $patch: replace --------------------------------------------------------
  c('$patch: replace as a list element replaces the list', {
    doc: pod({ containers: [{ name: 'a', image: 'a' }, { name: 'b' }] }),
    patch: { spec: { containers: [{ name: 'a', args: ['x'] }, { $patch: 'replace' }] } },
    want: pod({ containers: [{ name: 'a', args: ['x'] }] }),
  }),
  c('$patch: replace alone empties a merging list', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ $patch: 'replace' }] } },
    want: pod({ containers: [] }),
  }),
  c('$patch: replace in a map replaces the map', {
    doc: pod({ securityContext: { runAsUser: 1, runAsGroup: 2 } }),
    patch: { spec: { securityContext: { $patch: 'replace', runAsGroup: 3 } } },
    want: pod({ securityContext: { runAsGroup: 3 } }),
  }),
  c('$patch: replace in a new map adds it', {
    doc: pod({}),
    patch: { spec: { securityContext: { $patch: 'replace', runAsGroup: 3 } } },
    want: pod({ securityContext: { runAsGroup: 3 } }),
  }),
  c('$patch: replace at the root', {
    doc: pod({ containers: [] }),
    patch: { $patch: 'replace', metadata: { name: 'q' } },
    want: { metadata: { name: 'q' } },
  }),
  c('directives inside a replacing map are still interpreted', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: {
      spec: {
        $patch: 'replace',
        containers: [
          { name: 'b', $patch: 'delete' },
          { name: 'c', image: null },
        ],
      },
    },
    want: pod({ containers: [{ name: 'c' }] }),
  }),
  c('a field with strategy replace replaces a map', {
    doc: pod({ replacedMap: { a: '1', b: '2' } }),
    patch: { spec: { replacedMap: { c: '3' } } },
    want: pod({ replacedMap: { c: '3' } }),
  }),

  // --- $patch: merge ----------------------------------------------------------
  c('$patch: merge in a map is the default, stated', {
    doc: pod({ securityContext: { runAsUser: 1 } }),
    patch: { spec: { securityContext: { $patch: 'merge', runAsGroup: 2 } } },
    want: pod({ securityContext: { runAsUser: 1, runAsGroup: 2 } }),
  }),
  c('$patch: merge on a list element merges it', {
    doc: pod({ containers: [{ name: 'a', image: 'a' }] }),
    patch: {
      spec: { containers: [{ name: 'a', $patch: 'merge', args: ['x'] }, { $patch: 'merge' }] },
    },
    want: pod({ containers: [{ name: 'a', image: 'a', args: ['x'] }] }),
  }),

  // --- lists without a strategy ----------------------------------------------
  c('args (no strategy) are replaced', {
    doc: pod({ containers: [{ name: 'a', args: ['--x', '--y'] }] }),
    patch: { spec: { containers: [{ name: 'a', args: ['--z'] }] } },
    want: pod({ containers: [{ name: 'a', args: ['--z'] }] }),
  }),
  c('tolerations (a list of objects without a strategy) are replaced', {
    doc: pod({ tolerations: [{ key: 'a', effect: 'NoSchedule' }] }),
    patch: { spec: { tolerations: [{ key: 'b', value: null }] } },
    want: pod({ tolerations: [{ key: 'b' }] }),
  }),
  c('null deletes a list', {
    doc: pod({ containers: [{ name: 'a', args: ['x'] }] }),
    patch: { spec: { containers: [{ name: 'a', args: null }] } },
    want: pod({ containers: [{ name: 'a' }] }),
  }),

  // --- maps and null ----------------------------------------------------------
  c('null deletes a label, other labels stay', {
    doc: pod({}, { name: 'p', labels: { app: 'web', tier: 'front' } }),
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    want: pod({}, { name: 'p', labels: { app: 'web', env: 'prod' } }),
  }),
  c('null for a missing member changes nothing', {
    doc: pod({}, { name: 'p' }),
    patch: { metadata: { labels: { gone: null }, annotations: null } },
    want: pod({}, { name: 'p', labels: {} }),
  }),
  c('a value of another type replaces (map by scalar)', {
    doc: pod({ nodeSelector: { a: 'b' } }),
    patch: { spec: { nodeSelector: 'x' } },
    want: pod({ nodeSelector: 'x' }),
  }),
  c('a value of another type replaces (list by map)', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: { name: 'a', x: null } } },
    want: pod({ containers: { name: 'a' } }),
  }),
  c('scalars replace', {
    doc: { metadata: { name: 'd' }, spec: { replicas: 1 } },
    schema: deploymentSchema,
    patch: { spec: { replicas: 5 } },
    want: { metadata: { name: 'd' }, spec: { replicas: 5 } },
  }),

  // --- lists of scalars with merge strategy (finalizers) ---------------------
  c('finalizers: union, server ones first when they came first', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
    patch: { metadata: { finalizers: ['b', 'c'] } },
    want: pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }),
  }),
  c('finalizers: a new value goes first (as in Kubernetes)', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
    patch: { metadata: { finalizers: ['c'] } },
    want: pod({}, { name: 'p', finalizers: ['c', 'a', 'b'] }),
  }),
  c('finalizers: duplicates collapse', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'a'] }),
    patch: { metadata: { finalizers: ['b', 'b', 'a'] } },
    want: pod({}, { name: 'p', finalizers: ['b', 'a'] }),
  }),
  c('finalizers: the patch order of known values wins', {
    doc: pod({}, { name: 'p', finalizers: ['1', '2', '3'] }),
    patch: { metadata: { finalizers: ['3', '1'] } },
    want: pod({}, { name: 'p', finalizers: ['2', '3', '1'] }),
  }),
  c('$deleteFromPrimitiveList/finalizers removes values', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'b', 'c', 'b'] }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } },
    want: pod({}, { name: 'p', finalizers: ['a', 'c'] }),
  }),
  c('$deleteFromPrimitiveList on a missing list adds nothing', {
    doc: pod({}, { name: 'p' }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    want: pod({}, { name: 'p' }),
  }),
  c('$deleteFromPrimitiveList with additions in the same patch', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
    patch: {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['a'],
        finalizers: ['c'],
        '$setElementOrder/finalizers': ['b', 'c'],
      },
    },
    want: pod({}, { name: 'p', finalizers: ['b', 'c'] }),
  }),
  c('$deleteFromPrimitiveList does not mistake 1 for "1"', {
    doc: { list: [1, '1', 2] },
    schema: 'none',
    patch: { '$deleteFromPrimitiveList/list': ['1'] },
    want: { list: [1, 2] },
  }),

  // --- $setElementOrder --------------------------------------------------------
  c('$setElementOrder/containers reorders without other changes', {
    doc: pod({ containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'c' }] }),
    patch: {
      spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] },
    },
    want: pod({ containers: [{ name: 'c' }, { name: 'a' }, { name: 'b', image: 'b' }] }),
  }),
  c('$setElementOrder/containers places a new container (kubectl apply)', {
    doc: pod({
      containers: [
        { name: 'a', image: 'a' },
        { name: 'b', image: 'b' },
      ],
    }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'new' }, { name: 'b' }],
        containers: [{ name: 'new', image: 'n' }],
      },
    },
    want: pod({
      containers: [
        { name: 'a', image: 'a' },
        { name: 'new', image: 'n' },
        { name: 'b', image: 'b' },
      ],
    }),
  }),
  c('$setElementOrder with a deletion (kubectl apply)', {
    doc: pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
        containers: [{ $patch: 'delete', name: 'b' }],
      },
    },
    want: pod({ containers: [{ name: 'c' }, { name: 'a' }] }),
  }),
  c('$setElementOrder keeps server-only elements by server position', {
    doc: pod({ containers: [{ name: 'a' }, { name: 'server' }, { name: 'b' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } },
    want: pod({ containers: [{ name: 'server' }, { name: 'b' }, { name: 'a' }] }),
  }),
  c('$setElementOrder naming an element nobody has is fine', {
    doc: pod({ containers: [{ name: 'a' }, { name: 'c' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }],
        containers: [
          { name: 'c', image: 'x' },
          { name: 'a', image: 'y' },
        ],
      },
    },
    want: pod({
      containers: [
        { name: 'c', image: 'x' },
        { name: 'a', image: 'y' },
      ],
    }),
  }),
  c('$setElementOrder/finalizers orders scalars', {
    doc: pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }),
    patch: { metadata: { '$setElementOrder/finalizers': ['b', 'c', 'a'] } },
    want: pod({}, { name: 'p', finalizers: ['b', 'c', 'a'] }),
  }),
  c('$setElementOrder with a new list', {
    doc: pod({}),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'y' }, { name: 'x' }],
        containers: [{ name: 'y' }, { name: 'x' }],
      },
    },
    want: pod({ containers: [{ name: 'y' }, { name: 'x' }] }),
  }),
  c('$setElementOrder for a list nobody has is a no-op', {
    doc: pod({}),
    patch: { spec: { '$setElementOrder/initContainers': [{ name: 'y' }] } },
    want: pod({}),
  }),
  c('$setElementOrder on a list without merge strategy is ignored', {
    doc: pod({ containers: [{ name: 'a', args: ['1', '2'] }] }),
    patch: { spec: { containers: [{ name: 'a', '$setElementOrder/args': ['2', '1'] }] } },
    want: pod({ containers: [{ name: 'a', args: ['1', '2'] }] }),
  }),

  // --- $retainKeys -------------------------------------------------------------
  c('$retainKeys switches a volume source (the Volume one-of)', {
    doc: pod({
      volumes: [
        { name: 'v', configMap: { name: 'cm' } },
        { name: 'w', emptyDir: {} },
      ],
    }),
    patch: {
      spec: {
        '$setElementOrder/volumes': [{ name: 'v' }, { name: 'w' }],
        volumes: [{ $retainKeys: ['name', 'secret'], name: 'v', secret: { secretName: 's' } }],
      },
    },
    want: pod({
      volumes: [
        { name: 'v', secret: { secretName: 's' } },
        { name: 'w', emptyDir: {} },
      ],
    }),
  }),
  c('$retainKeys switches a Deployment strategy to Recreate', {
    schema: deploymentSchema,
    doc: {
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, replicas: 2 },
    },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { strategy: { type: 'Recreate' }, replicas: 2 } },
  }),
  c('without $retainKeys a retainKeys field merges', {
    schema: deploymentSchema,
    doc: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { rollingUpdate: { maxUnavailable: 0 } } } },
    want: {
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      },
    },
  }),
  c('$retainKeys keeps and merges listed members', {
    schema: deploymentSchema,
    doc: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: {
      spec: {
        strategy: { $retainKeys: ['type', 'rollingUpdate'], rollingUpdate: { maxUnavailable: 0 } },
      },
    },
    want: {
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      },
    },
  }),
  c('$retainKeys allows nulls for unlisted members', {
    schema: deploymentSchema,
    doc: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    want: { spec: { strategy: { type: 'Recreate' } } },
  }),
  c('$retainKeys through an allOf-wrapped $ref', {
    schema: deploymentSchema,
    doc: { spec: { template: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } } } },
    patch: {
      spec: {
        template: {
          spec: {
            volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'c' } }],
          },
        },
      },
    },
    want: { spec: { template: { spec: { volumes: [{ name: 'v', configMap: { name: 'c' } }] } } } },
  }),

  // --- where the schema knows nothing: JSON merge patch -----------------------
  c('no schema: lists replace, maps merge, null deletes', {
    schema: 'none',
    doc: { spec: { containers: [{ name: 'a' }, { name: 'b' }], m: { x: 1, y: 2 } } },
    patch: { spec: { containers: [{ name: 'c' }], m: { x: null, z: 3 } } },
    want: { spec: { containers: [{ name: 'c' }], m: { y: 2, z: 3 } } },
  }),
  c('an undeclared field behaves like a merge patch', {
    doc: pod({ unknownField: { list: [1, 2], keep: true } }),
    patch: { spec: { unknownField: { list: [3] } } },
    want: pod({ unknownField: { list: [3], keep: true } }),
  }),
  c('x-kubernetes-preserve-unknown-fields behaves like a merge patch', {
    doc: pod({ extension: { containers: [{ name: 'a' }], deep: { a: 1 } } }),
    patch: { spec: { extension: { containers: [{ name: 'b' }], deep: { b: 2 } } } },
    want: pod({ extension: { containers: [{ name: 'b' }], deep: { a: 1, b: 2 } } }),
  }),
  c('$-members in schema-less objects are data', {
    doc: pod({ extension: {} }),
    patch: { spec: { extension: { $ref: '#/x', $other: 1 } } },
    want: pod({ extension: { $ref: '#/x', $other: 1 } }),
  }),
  c('$-members a schema declares are data', {
    schema: ref('Widget'),
    doc: { $ref: 'a' },
    patch: { $ref: 'b', $schema: 'c' },
    want: { $ref: 'b', $schema: 'c' },
  }),
  c('directives still work where the schema knows nothing', {
    schema: 'none',
    doc: { m: { a: 1, b: 2 }, l: [1, 2, 3] },
    patch: { m: { $patch: 'replace', c: 3 }, '$deleteFromPrimitiveList/l': [2] },
    want: { m: { c: 3 }, l: [1, 3] },
  }),

  // --- directives never leak ---------------------------------------------------
  c('directives inside a new element are interpreted', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: {
      spec: {
        containers: [
          {
            name: 'b',
            env: [{ name: 'X' }, { name: 'Y', $patch: 'delete' }],
            resources: { $patch: 'replace', limits: { cpu: '1' } },
            '$setElementOrder/env': [{ name: 'X' }],
          },
        ],
      },
    },
    want: pod({
      containers: [
        { name: 'b', env: [{ name: 'X' }], resources: { limits: { cpu: '1' } } },
        { name: 'a' },
      ],
    }),
  }),
  c('$retainKeys in a new element is dropped', {
    doc: pod({ volumes: [] }),
    patch: {
      spec: {
        volumes: [{ $retainKeys: ['name', 'secret'], name: 'v', secret: { secretName: 's' } }],
      },
    },
    want: pod({ volumes: [{ name: 'v', secret: { secretName: 's' } }] }),
  }),
  c('directive elements in a replaced list are dropped', {
    doc: pod({ tolerations: [{ key: 'a' }] }),
    patch: {
      spec: { tolerations: [{ key: 'b' }, { $patch: 'replace' }, { key: 'c', $patch: 'delete' }] },
    },
    want: pod({ tolerations: [{ key: 'b' }] }),
  }),

  // --- keys that are only data -------------------------------------------------
  c('__proto__ and constructor are ordinary keys', {
    doc: pod({}, JSON.parse('{"name":"p","labels":{"constructor":"a"}}')),
    patch: JSON.parse('{"metadata":{"labels":{"__proto__":"x","constructor":null}}}'),
    want: pod({}, JSON.parse('{"name":"p","labels":{"__proto__":"x"}}')),
  }),

  c('constructor is an undeclared member, merged like any other', {
    doc: pod({ constructor: { a: [0], b: 1 } }),
    patch: { spec: { constructor: { a: [1] } } },
    want: pod({ constructor: { a: [1], b: 1 } }),
  }),

  // --- errors --------------------------------------------------------------------
  c('a merging list element without the merge key', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ image: 'httpd' }] } },
    error: 'map: {"image":"httpd"} does not contain declared merge key: name',
    field: 'spec.containers[0]',
  }),
  c('a delete directive without the merge key', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ $patch: 'delete' }] } },
    error: 'map: {"$patch":"delete"} does not contain declared merge key: name',
  }),
  c('an unknown $patch value in a map', {
    doc: pod({}),
    patch: { spec: { $patch: 'remove' } },
    error: 'unknown patch type: remove in map: {"$patch":"remove"}',
    field: 'spec',
  }),
  c('an unknown $patch value in a list element', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'upsert' }] } },
    error: /^unknown patch type: upsert in map/,
    field: 'spec.containers[0]',
  }),
  c('a misspelt directive', {
    doc: pod({}),
    patch: { spec: { $retainkeys: ['a'] } },
    error: 'unknown strategic merge patch directive: $retainkeys',
    field: 'spec.$retainkeys',
  }),
  c('$deleteFromPrimitiveList without a field', {
    doc: pod({}),
    patch: { metadata: { $deleteFromPrimitiveList: ['a'] } },
    error: /^invalid patch format of primitive list/,
  }),
  c('$deleteFromPrimitiveList that is not a list', {
    doc: pod({}),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
    error: /^invalid patch format of primitive list/,
  }),
  c('$setElementOrder that is not a list', {
    doc: pod({}),
    patch: { spec: { '$setElementOrder/containers': { name: 'a' } } },
    error: /^invalid patch format of setElementOrder list/,
  }),
  c('$setElementOrder entries without the merge key', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ image: 'a' }] } },
    error: 'map: {"image":"a"} does not contain declared merge key: name',
    field: 'spec.$setElementOrder/containers[0]',
  }),
  c('$setElementOrder contradicting the patch list', {
    doc: pod({ containers: [{ name: '1' }, { name: '3' }, { name: '2' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }],
        containers: [
          { name: '3', image: 'x' },
          { name: '1', image: 'y' },
        ],
      },
    },
    error: /doesn't match \$setElementOrder list/,
  }),
  c('$setElementOrder missing a patch element', {
    doc: pod({}, { name: 'p', finalizers: ['1', '3'] }),
    patch: { metadata: { '$setElementOrder/finalizers': ['1', '2'], finalizers: ['3'] } },
    error: /doesn't match \$setElementOrder list/,
  }),
  c('$retainKeys that is not a list', {
    schema: deploymentSchema,
    doc: { spec: { strategy: {} } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    error: /^invalid patch format of retainKeys/,
  }),
  c('$retainKeys not listing a member the patch sets', {
    schema: deploymentSchema,
    doc: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } },
    error: /^invalid patch format of retainKeys: "rollingUpdate" is set by the patch/,
    field: 'spec.strategy.rollingUpdate',
  }),
  c('a merging list of lists', {
    doc: pod({}, { name: 'p', finalizers: ['a'] }),
    patch: { metadata: { finalizers: [['b']] } },
    error: 'lists of lists are not supported',
    field: 'metadata.finalizers',
  }),
  c('a merging list mixing objects and scalars', {
    doc: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: ['b'] } },
    error: /^list element types are not identical/,
  }),
  c('a patch that is not an object', {
    doc: pod({}),
    patch: [{ op: 'add' }],
    error: 'strategic merge patch must be a JSON object, got array',
  }),
  c('a document that is not an object', {
    doc: [1],
    patch: {},
    error: 'strategic merge patch applies to a JSON object, got array',
  }),
];

function schemaOf(k: Case): JSONSchemaProps | undefined {
  if (k.schema === 'none') return undefined;
  return k.schema ?? podSchema;
}

const DIRECTIVE_KEY = /^\$(patch|retainKeys|setElementOrder|deleteFromPrimitiveList)/;

function directiveKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => directiveKeys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    DIRECTIVE_KEY.test(k) ? [`${path}.${k}`] : directiveKeys(v, `${path}.${k}`),
  );
}

describe('applyStrategicMergePatch', () => {
  for (const k of cases) {
    test(k.name, () => {
      const doc = deepFreeze(json(k.doc));
      const patch = deepFreeze(json(k.patch));
      if (k.error !== undefined) {
        const err = assertInvalid(
          () => applyStrategicMergePatch(doc, patch, schemaOf(k), resolver),
          k.error,
        );
        assert.equal(err.details.reason, 'BadRequest');
        if (k.field !== undefined) assert.equal(err.details.causes?.[0]?.field, k.field);
      } else {
        const out = applyStrategicMergePatch(doc, patch, schemaOf(k), resolver);
        assert.deepEqual(out, k.want);
        assert.deepEqual(directiveKeys(out), []);
      }
      assert.deepEqual(doc, json(k.doc), 'the document was modified');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test('the result shares no objects with the inputs', () => {
    const doc = pod({
      containers: [{ name: 'a', env: [{ name: 'X' }] }, { name: 'b' }],
      nodeSelector: { a: 'b' },
    });
    const patch = { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' } } }] } };
    const out = applyStrategicMergePatch(doc, patch, podSchema, resolver) as ReturnType<typeof pod>;
    const spec = out.spec as { containers: Record<string, unknown>[]; nodeSelector: unknown };
    const docSpec = doc.spec as typeof spec;
    assert.notEqual(spec.nodeSelector, docSpec.nodeSelector);
    assert.notEqual(spec.containers[1], docSpec.containers[0]);
    assert.notEqual(spec.containers[1].env, docSpec.containers[0].env);
    assert.notEqual(spec.containers[0].resources, patch.spec.containers[0].resources);
  });

  test('a __proto__ member does not change the prototype of the result', () => {
    const out = applyStrategicMergePatch(
      {},
      JSON.parse('{"__proto__":{"polluted":1}}'),
      podSchema,
      resolver,
    );
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((out as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
  });

  test('an undefined or null document is an empty object', () => {
    assert.deepEqual(applyStrategicMergePatch(undefined, { a: 1 }, undefined, resolver), { a: 1 });
    assert.deepEqual(applyStrategicMergePatch(null, { a: { b: null } }, undefined, resolver), {
      a: {},
    });
  });

  test('a deeply nested patch is an InvalidError', () => {
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    assertInvalid(
      () => applyStrategicMergePatch({}, deep, undefined, resolver),
      'strategic merge patch: nested too deeply',
    );
  });

  test('property: without a schema it is a JSON merge patch', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        deepFreeze(a);
        deepFreeze(b);
        const patch = createMergePatch(a, b);
        assert.deepEqual(applyStrategicMergePatch(a, patch, undefined, resolver), b);
        assert.deepEqual(
          applyStrategicMergePatch(a, patch, undefined, resolver),
          applyMergePatch(a, patch),
        );
      }),
      { numRuns: 1000 },
    );
  });

  test('property: random patches with directives give InvalidError or a directive-free result', () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const container = fc.record(
      {
        name,
        image: fc.constantFrom('x', 'y', null),
        $patch: fc.constantFrom('delete', 'replace', 'merge', 'bogus'),
        args: fc.array(fc.constantFrom('1', '2'), { maxLength: 2 }),
        env: fc.array(
          fc.record({ name, value: fc.constantFrom('v', null) }, { requiredKeys: [] }),
          { maxLength: 2 },
        ),
        $retainKeys: fc.subarray(['name', 'image', 'args', 'env']),
        '$setElementOrder/env': fc.array(fc.record({ name }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    const spec = fc.record(
      {
        containers: fc.array(container, { maxLength: 4 }),
        '$setElementOrder/containers': fc.array(fc.record({ name }), { maxLength: 4 }),
        securityContext: fc.record(
          { $patch: fc.constantFrom('delete', 'replace'), runAsUser: fc.constant(1) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    const metadata = fc.record(
      {
        finalizers: fc.array(name, { maxLength: 3 }),
        '$deleteFromPrimitiveList/finalizers': fc.array(name, { maxLength: 2 }),
        '$setElementOrder/finalizers': fc.array(name, { maxLength: 3 }),
        labels: fc.dictionary(name, fc.constantFrom('v', null)),
      },
      { requiredKeys: [] },
    );
    const podPatch = fc.record({ metadata, spec }, { requiredKeys: [] });
    const current = pod(
      {
        containers: [{ name: 'a', image: 'i', env: [{ name: 'b', value: 'v' }] }, { name: 'c' }],
        securityContext: { runAsGroup: 2 },
      },
      { name: 'p', finalizers: ['b', 'a'], labels: { a: 'v' } },
    );
    deepFreeze(current);
    fc.assert(
      fc.property(podPatch, (patch) => {
        let out: unknown;
        try {
          out = applyStrategicMergePatch(current, patch, podSchema, resolver);
        } catch (err) {
          assert.ok(isInvalid(err), String(err));
          return;
        }
        assert.deepEqual(directiveKeys(out), []);
      }),
      { numRuns: 2000 },
    );
  });

  test('long lists: 10,000 elements reordered and merged by key', () => {
    // Timing (linear, not quadratic) is measured by bench/patch.ts.
    const n = 10000;
    const doc = pod(
      {
        containers: Array.from({ length: n }, (_, i) => ({
          name: `c${i}`,
          image: 'x',
          env: [{ name: 'A', value: '1' }],
        })),
      },
      { name: 'p', finalizers: Array.from({ length: n }, (_, i) => `f${i}`) },
    );
    const patch = {
      metadata: { finalizers: Array.from({ length: n }, (_, i) => `f${n - i}`) },
      spec: {
        '$setElementOrder/containers': Array.from({ length: n }, (_, i) => ({
          name: `c${n - 1 - i}`,
        })),
        containers: Array.from({ length: n }, (_, i) => ({ name: `c${n - 1 - i}`, image: 'y' })),
      },
    };
    const out = applyStrategicMergePatch(doc, patch, podSchema, resolver) as {
      spec: { containers: { name: string; image: string }[] };
    };
    assert.equal(out.spec.containers.length, n);
    assert.deepEqual(out.spec.containers[0], {
      name: 'c9999',
      image: 'y',
      env: [{ name: 'A', value: '1' }],
    });
    assert.equal(out.spec.containers[n - 1].name, 'c0');
  });

  test('a Pod from the built-in OpenAPI definitions', () => {
    const builtinResolver = new SchemaResolver(builtinDefinitions);
    const schema = builtinResolver.definition('io.k8s.api.core.v1.Pod');
    assert.ok(schema !== undefined, 'io.k8s.api.core.v1.Pod is defined');
    const doc = pod({
      containers: [
        { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] },
        { name: 'side', image: 's' },
      ],
    });
    const patch = {
      spec: {
        containers: [
          { name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] },
          { name: 'side', $patch: 'delete' },
        ],
      },
    };
    assert.deepEqual(
      applyStrategicMergePatch(doc, patch, schema, builtinResolver),
      pod({
        // A new env var goes first, as in Kubernetes (no $setElementOrder here).
        containers: [
          {
            name: 'app',
            image: 'app:2',
            env: [
              { name: 'B', value: '2' },
              { name: 'A', value: '1' },
            ],
          },
        ],
      }),
    );
  });
});

/** JSON objects with no null members anywhere and no `$` keys (see the merge-patch property). */
const key = fc.constantFrom('a', 'b', 'c', 'containers', '__proto__', 'constructor');
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean()),
    fc.array(fc.oneof(tie('value'), fc.constant(null)), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries)
        Object.defineProperty(o, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return o;
    }),
  ),
})).value;
const object = value.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
