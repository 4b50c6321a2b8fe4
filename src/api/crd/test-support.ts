/**
 * Fixtures for this folder's tests: realistic CustomResourceDefinitions, and a
 * helper that defaults, prepares and validates one as the API server would,
 * returning the `field: message` lines kubectl prints.
 */
import { describeCause } from '../field-errors.ts';
import type { JSONSchemaProps } from '../schema.ts';
import type { CustomResourceDefinition } from '../types/apiextensions.ts';
import {
  defaultCustomResourceDefinition,
  prepareCustomResourceDefinitionForCreate,
  prepareCustomResourceDefinitionForUpdate,
  validateCustomResourceDefinition,
  type ValidateCustomResourceDefinitionOptions,
} from './validate.ts';

/**
 * Defaults and prepares copies of `crd` (and `old`), validates, and returns
 * `field: message` lines. `old` is taken as stored: defaulted, not prepared.
 */
export function problems(
  crd: CustomResourceDefinition,
  old?: CustomResourceDefinition,
  options?: ValidateCustomResourceDefinitionOptions,
): string[] {
  const next = structuredClone(crd);
  defaultCustomResourceDefinition(next);
  let prev: CustomResourceDefinition | undefined;
  if (old !== undefined) {
    prev = structuredClone(old);
    defaultCustomResourceDefinition(prev);
    prepareCustomResourceDefinitionForUpdate(next, prev);
  } else {
    prepareCustomResourceDefinitionForCreate(next);
  }
  return validateCustomResourceDefinition(next, prev, options).map(describeCause);
}

/** The smallest valid CRD: one version, a structural schema with `spec.cronSpec`. */
export function cronTab(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    cronSpec: { type: 'string' },
                    image: { type: 'string' },
                    replicas: { type: 'integer' },
                  },
                },
                status: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/** A Widget schema; `v1` has `spec.tier`, which `v1beta1` lacks. */
function widgetSchema(version: 'v1' | 'v1beta1'): JSONSchemaProps {
  const specProperties: Record<string, JSONSchemaProps> = {
    image: { type: 'string', minLength: 1 },
    replicas: { type: 'integer', format: 'int32', minimum: 0, default: 1 },
    color: { type: 'string', enum: ['red', 'green', 'blue'], default: 'red' },
    paused: { type: 'boolean', default: false },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
        },
        'x-kubernetes-validations': [{ rule: 'self.port != 22', message: 'port 22 is reserved' }],
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  };
  if (version === 'v1') specProperties.tier = { type: 'string', format: 'hostname' };
  return {
    type: 'object',
    description: 'A Widget runs a replicated image.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['image'],
        properties: specProperties,
        'x-kubernetes-validations': [
          { rule: 'self.replicas <= 100', message: 'at most 100 replicas' },
          {
            rule: 'self.image == oldSelf.image || self.paused',
            messageExpression: "'image may change only while paused, not to ' + self.image",
            reason: 'FieldValueForbidden',
            fieldPath: '.image',
          },
        ],
      },
      status: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          labelSelector: { type: 'string' },
          phase: { type: 'string' },
          conditions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { type: { type: 'string' }, status: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}

/**
 * A realistic multi-version CRD: two served versions with different schemas
 * (defaults, list-map, CEL rules with a transition rule), status and scale
 * subresources, printer columns, selectable fields, a deprecated version.
 */
export function widget(): CustomResourceDefinition {
  const subresources = {
    status: {},
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.labelSelector',
    },
  };
  const additionalPrinterColumns = [
    { name: 'Image', type: 'string', jsonPath: '.spec.image' },
    { name: 'Replicas', type: 'integer', format: 'int32', jsonPath: '.spec.replicas' },
    { name: 'Phase', type: 'string', priority: 1, jsonPath: '.status.phase' },
    {
      name: 'Ready',
      type: 'string',
      description: 'Whether the widget is ready',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: 'widgets.example.com',
      labels: { 'app.kubernetes.io/part-of': 'widgets' },
      annotations: { 'controller-gen.kubebuilder.io/version': 'v0.17.3' },
    },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        listKind: 'WidgetList',
        shortNames: ['wd', 'wdg'],
        categories: ['all', 'example'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: widgetSchema('v1') },
          subresources: structuredClone(subresources),
          additionalPrinterColumns: structuredClone(additionalPrinterColumns),
          selectableFields: [
            { jsonPath: '.spec.color' },
            { jsonPath: '.spec.tier' },
            { jsonPath: '.spec.paused' },
            { jsonPath: '.spec.replicas' },
          ],
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          deprecated: true,
          deprecationWarning: 'example.com/v1beta1 Widget is deprecated; use example.com/v1',
          schema: { openAPIV3Schema: widgetSchema('v1beta1') },
          subresources: structuredClone(subresources),
          additionalPrinterColumns: structuredClone(additionalPrinterColumns),
          selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.paused' }],
        },
      ],
      conversion: { strategy: 'None' },
    },
  };
}

/**
 * The shape of KubeEdge's Device CRD (devices.kubeedge.io/v1beta1): namespaced,
 * a status subresource, preserve-unknown-fields protocol config, an atomic
 * model reference with a defaulted name.
 */
export function kubeEdgeDevice(): CustomResourceDefinition {
  const configData: JSONSchemaProps = {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const metadataMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: 'devices.devices.kubeedge.io',
      annotations: { 'controller-gen.kubebuilder.io/version': 'v0.17.3' },
    },
    spec: {
      group: 'devices.kubeedge.io',
      names: { kind: 'Device', listKind: 'DeviceList', plural: 'devices', singular: 'device' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              description: 'Device is the Schema for the devices API',
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  description: 'DeviceSpec represents a single device instance.',
                  type: 'object',
                  properties: {
                    deviceModelRef: {
                      type: 'object',
                      properties: { name: { type: 'string', default: '' } },
                      'x-kubernetes-map-type': 'atomic',
                    },
                    nodeName: { type: 'string' },
                    protocol: {
                      type: 'object',
                      properties: { protocolName: { type: 'string' }, configData },
                    },
                    properties: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          name: { type: 'string' },
                          desired: {
                            type: 'object',
                            required: ['value'],
                            properties: { value: { type: 'string' }, metadata: metadataMap },
                          },
                          visitors: {
                            type: 'object',
                            properties: { protocolName: { type: 'string' }, configData },
                          },
                          reportCycle: { type: 'integer', format: 'int64' },
                          collectCycle: { type: 'integer', format: 'int64' },
                          reportToCloud: { type: 'boolean' },
                        },
                      },
                    },
                  },
                },
                status: {
                  type: 'object',
                  properties: {
                    state: { type: 'string' },
                    lastOnlineTime: { type: 'string' },
                    twins: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          propertyName: { type: 'string' },
                          reported: {
                            type: 'object',
                            properties: { value: { type: 'string' }, metadata: metadataMap },
                          },
                          observedDesired: {
                            type: 'object',
                            properties: { value: { type: 'string' }, metadata: metadataMap },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
