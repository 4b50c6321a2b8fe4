/**
 * A small Deployment-shaped schema for the tests of this folder: just enough of
 * apps/v1 Deployment to exercise every list and map type server-side apply knows.
 */
import { SchemaResolver, ref, type Definitions, type JSONSchemaProps } from '../schema.ts';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };
const stringMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };

export const testDefinitions: Definitions = {
  Deployment: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { allOf: [ref('ObjectMeta')], description: 'metadata' },
      spec: { allOf: [ref('DeploymentSpec')] },
      status: { type: 'object', properties: { replicas: int, readyReplicas: int } },
    },
  },
  ObjectMeta: {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: str,
      labels: stringMap,
      annotations: stringMap,
      finalizers: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
      managedFields: { type: 'array', items: { type: 'object' } },
    },
  },
  DeploymentSpec: {
    type: 'object',
    required: ['selector', 'template'],
    properties: {
      replicas: int,
      paused: { type: 'boolean' },
      selector: ref('LabelSelector'),
      strategy: {
        type: 'object',
        properties: {
          type: str,
          rollingUpdate: {
            type: 'object',
            properties: { maxSurge: { 'x-kubernetes-int-or-string': true } },
          },
        },
      },
      template: ref('PodTemplateSpec'),
    },
  },
  LabelSelector: {
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
    properties: { matchLabels: stringMap },
  },
  PodTemplateSpec: {
    type: 'object',
    properties: { metadata: ref('ObjectMeta'), spec: ref('PodSpec') },
  },
  PodSpec: {
    type: 'object',
    required: ['containers'],
    properties: {
      containers: {
        type: 'array',
        items: ref('Container'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
      tolerations: { type: 'array', items: { type: 'object', properties: { key: str } } },
      nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  Container: {
    type: 'object',
    required: ['name'],
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      ports: {
        type: 'array',
        items: ref('ContainerPort'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      },
    },
  },
  ContainerPort: {
    type: 'object',
    properties: {
      containerPort: int,
      protocol: { type: 'string', default: 'TCP' },
      name: str,
    },
  },
};

export const testResolver = new SchemaResolver(testDefinitions);
export const deploymentSchema: JSONSchemaProps = ref('Deployment');

/** A clock for `now` options: whole seconds from 2024-05-01T10:00:00Z, one step per call. */
export function testClock(): { now: () => string; peek: () => string } {
  let n = 0;
  const at = (i: number): string =>
    new Date(Date.UTC(2024, 4, 1, 10, 0, i)).toISOString().replace('.000Z', 'Z');
  return { now: () => at(n++), peek: () => at(n) };
}
